// The storage contract suite against a real MongoDB-wire server: FerretDB v1 (SQLite backend)
// started by `npm test` (tools/test.mjs -> infra/up.sh), which exports MONGO_URL. Every run uses
// fresh databases (named from the time and pid) and drops them afterwards.
import { MongoClient } from 'mongodb';
import type { Store } from '../storage';
import { contractCandle, contractCandles, runStorageContractSuite } from '../testing';
import { MongoRepository } from './mongo-repository';
import type { MongoStoreConfig } from './mongo-config';
import { MongoStore } from './mongo-store';

const url = process.env.MONGO_URL?.trim();
const run = `atp_storage_${Date.now().toString(36)}_${process.pid}`;
const databases = new Set<string>();

async function openStore(namespace: string, extra: Partial<Pick<MongoStoreConfig, 'upsertBatchSize' | 'upsertConcurrency' | 'upsertMode'>> = {}): Promise<MongoStore> {
  const dbName = `${run}_${namespace}`;
  databases.add(dbName);
  return MongoStore.connect({ url: url!, dbName, ...extra });
}

if (!url) {
  describe('MongoStore on FerretDB', () => {
    it('needs MONGO_URL', () => {
      throw new Error('MONGO_URL is not set: run through npm test, which starts FerretDB (or infra/up.sh and export MONGO_URL)');
    });
  });
} else {
  afterAll(async () => {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    try {
      for (const name of databases) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  });

  // The default configuration: upsertMode auto, which is insert-first on FerretDB.
  runStorageContractSuite('MongoStore (FerretDB, default config)', (namespace) => openStore(namespace), { largeTimeoutMs: 240_000 });

  // The path MongoDB takes (bulkWrite of replaceOne upserts), in 7-document batches, 2 in flight:
  // the counts must add up across bulkWrites. On FerretDB each replaceOne is its own query and
  // SQLite transaction (and 7-document commands multiply round trips), so the large round trip is
  // smaller here.
  runStorageContractSuite(
    'MongoStore (FerretDB, upsertMode replace, 7-doc batches x 2 in flight)',
    (namespace) => openStore(`r7_${namespace}`, { upsertMode: 'replace', upsertBatchSize: 7, upsertConcurrency: 2 }),
    { largeCount: 400, timeoutMs: 120_000 },
  );

  describe('MongoStore on FerretDB', () => {
    let store: MongoStore;
    const opened: Store[] = [];
    beforeAll(async () => {
      store = await openStore('adapter');
      opened.push(store);
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('creates the compound range index and the declared indexes in init, idempotently', async () => {
      const repo = store.repository(contractCandles('indexed'));
      await repo.init();
      await repo.init();
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
      try {
        const indexes = await client.db(store.dbName).collection('indexed').listIndexes().toArray();
        // Field order matters in a compound index: compare the keys as ordered entries.
        const keys = indexes.map((i) => JSON.stringify(Object.entries(i.key))).sort();
        const expected = [{ _id: 1 }, { exchange: 1, symbol: 1, timeframe: 1, openTime: 1, _id: 1 }, { closed: 1 }].map((k) => JSON.stringify(Object.entries(k))).sort();
        expect(keys).toEqual(expected);
      } finally {
        await client.close();
      }
      expect((repo as MongoRepository<never>).indexSpecs()).toHaveLength(2);
    });

    it('stores every number as a BSON double and decimal strings as strings', async () => {
      const repo = store.repository(contractCandles('types'));
      await repo.upsert(contractCandle('BTC/USDT', 0, { open: 2, volume: 0, quoteVolume: '12.50' }));
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
      try {
        const coll = client.db(store.dbName).collection('types');
        const doubles = ['open', 'volume', 'openTime', 'close'];
        for (const f of doubles) expect(await coll.countDocuments({ [f]: { $type: 'double' } })).toBe(1);
        expect(await coll.countDocuments({ quoteVolume: { $type: 'string' } })).toBe(1);
      } finally {
        await client.close();
      }
    });

    it('sees data written through another handle on the same database (restart)', async () => {
      const repo = store.repository(contractCandles('restart'));
      await repo.upsertMany([contractCandle('BTC/USDT', 0), contractCandle('BTC/USDT', 1)]);
      await store.snapshots('svc.').save({ _id: 'svc', version: 3, position: '42', state: { n: 1 }, savedAt: 1 });
      const again = await openStore('adapter');
      opened.push(again);
      expect(await again.repository(contractCandles('restart')).last({ symbol: 'BTC/USDT' })).toEqual(contractCandle('BTC/USDT', 1));
      expect(await again.snapshots('svc.').load('svc')).toEqual({ _id: 'svc', version: 3, position: '42', state: { n: 1 }, savedAt: 1 });
    });

    it('two writers upserting the same new ids at once: every document stored once, counts add up', async () => {
      const other = await openStore('adapter', { upsertBatchSize: 50 });
      opened.push(other);
      const docs = Array.from({ length: 2000 }, (_, i) => contractCandle('ETH/USDT', i));
      const a = store.repository(contractCandles('race'));
      const b = other.repository(contractCandles('race'));
      const [ra, rb] = await Promise.all([a.upsertMany(docs), b.upsertMany(docs)]);
      expect(ra.inserted + rb.inserted).toBe(2000);
      expect(ra.inserted + ra.modified + ra.unchanged).toBe(2000);
      expect(rb.inserted + rb.modified + rb.unchanged).toBe(2000);
      expect(ra.modified + rb.modified).toBe(0);
      expect(await a.count()).toBe(2000);
    });

    it('resolves upsertMode auto to insert-first on FerretDB', () => {
      expect(store.server).toBe('ferretdb');
      expect(store.upsertMode).toBe('insert-first');
    });

    it('reports health, and not after close', async () => {
      const s = await openStore('health');
      expect(await s.health()).toEqual({ ok: true });
      await s.close();
      const h = await s.health();
      expect(h.ok).toBe(false);
    });
  });
}
