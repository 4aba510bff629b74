import { MongoStore } from '@atp/storage';
import { recordedImportScenario } from './recorded-import.scenario';

/**
 * The recorded-candles import through MongoStore on the MongoDB-wire server `npm test` starts
 * (FerretDB v1, SQLite backend; MONGO_URL): exact row counts, the known gaps read back from the
 * store, zero duplicates and all-unchanged totals on re-import. The 1h set (4 x 5,482 rows): the
 * full 285k-row set runs against the MemoryStore in recorded-import.spec.ts, because every filtered
 * read on FerretDB v1 is a full scan (see recorded-import.scenario.ts). Its own database, dropped.
 */
describe('recorded candles import into MongoStore (FerretDB at MONGO_URL)', () => {
  it('imports the 1h set with exact counts and known gaps; re-import is idempotent', async () => {
    const url = process.env.MONGO_URL;
    if (!url) throw new Error('MONGO_URL is not set: this integration test needs the MongoDB-compatible server that `npm test` (tools/test.mjs) starts. It does not skip.');
    const store = await MongoStore.connect({ url, dbName: `md_import_${process.pid}_${Date.now() % 1e6}` });
    try {
      await recordedImportScenario(store, { timeframes: ['1h'] });
    } finally {
      await store.dropDatabase().catch(() => undefined);
      await store.close();
    }
  }, 600_000);
});
