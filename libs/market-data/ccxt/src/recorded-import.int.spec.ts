import { MongoStore } from '@atp/storage';
import { recordedImportScenario } from './recorded-import.scenario';

/**
 * The recorded-candles import through MongoStore on the MongoDB-wire server `npm test` starts
 * (FerretDB v1, SQLite backend; MONGO_URL): exact row counts, the known gaps read back from the
 * store, zero duplicates and all-unchanged totals on re-import, for the 1h set (4 x 5,482 rows)
 * and the 5m set (4 x ~65.7k rows). The 5m set is imported one file per `upsertMany`, so that a
 * re-import looks the stored documents up with one `_id` range scan per file instead of one per
 * 5,000 rows (FerretDB v1 answers only `{_id: x}` from an index), and counted once instead of
 * read back whole (see recorded-import.scenario.ts). Each test its own database, dropped.
 */
describe('recorded candles import into MongoStore (FerretDB at MONGO_URL)', () => {
  const run = async (name: string, opts: Parameters<typeof recordedImportScenario>[1]): Promise<void> => {
    const url = process.env.MONGO_URL;
    if (!url) throw new Error('MONGO_URL is not set: this integration test needs the MongoDB-compatible server that `npm test` (tools/test.mjs) starts. It does not skip.');
    const store = await MongoStore.connect({ url, dbName: `md_import_${name}_${process.pid}_${Date.now() % 1e6}` });
    try {
      await recordedImportScenario(store, opts);
    } finally {
      await store.dropDatabase().catch(() => undefined);
      await store.close();
    }
  };

  it('imports the 1h set with exact counts and known gaps; re-import is idempotent', async () => {
    await run('1h', { timeframes: ['1h'] });
  }, 600_000);

  it('imports the 5m set with exact counts and known gaps (177 missing bars per symbol); re-import is idempotent', async () => {
    await run('5m', { timeframes: ['5m'], batchSize: 70_000, readBack: 'count' });
  }, 600_000);
});
