import { MongoStore } from '@atp/storage';
import { recordedImportScenario } from './recorded-import.scenario';

/** The same import on FerretDB through MongoStore; `npm test` starts the server and sets MONGO_URL. */
describe('recorded candles import into MongoStore (FerretDB at MONGO_URL)', () => {
  it('imports with exact counts, known gaps, idempotent re-import', async () => {
    const url = process.env.MONGO_URL;
    if (!url) throw new Error('MONGO_URL is not set: this integration test needs the MongoDB-compatible server that `npm test` (tools/test.mjs) starts. It does not skip.');
    const store = await MongoStore.connect({ url, dbName: `md_import_${process.pid}_${Date.now() % 1e6}` });
    try {
      await recordedImportScenario(store);
    } finally {
      await store.repository({ name: 'candles' }).deleteMany({}).catch(() => undefined);
      await store.close();
    }
  }, 600_000);
});
