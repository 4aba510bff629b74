import { MemoryStore } from '@atp/storage';
import { recordedImportScenario } from './recorded-import.scenario';

describe('recorded candles import into the MemoryStore', () => {
  it('imports 4 symbols x (1h, 5m) with exact counts, reports the known gaps, and re-imports idempotently', async () => {
    await recordedImportScenario(new MemoryStore());
  }, 120_000);
});
