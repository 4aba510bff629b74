/**
 * The executable specification of the storage ports (../storage.ts): every Store implementation
 * runs this same suite (memory in memory.spec.ts, MongoDB-wire in mongo.int.spec.ts), so the
 * embedded mode and the services behave alike. Test-only: never imported by production code.
 */
import type { CollectionDef, Doc, Repository, Store } from '../storage';

/** Opens a Store on a namespace (a database); the same name opens the same data where durable. */
export type MakeStore = (namespace: string) => Promise<Store>;

export interface StorageContractOptions {
  /** Timeout of the large tests, ms (a real server is slower than memory). Default 120 s. */
  largeTimeoutMs?: number;
  /** Documents in the large round trip (a multiple of 4). Default 20,000. */
  largeCount?: number;
  /** Timeout of every other test, ms. Default: jest's. */
  timeoutMs?: number;
}

/** A candle as services store it: natural key, partition fields, time field, floats, a decimal string. */
export interface ContractCandle extends Doc {
  exchange: string;
  symbol: string;
  timeframe: string;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  closed: boolean;
  /** A decimal string: must come back as the same string. */
  quoteVolume?: string;
  tag?: string | null;
}

const HOUR = 3_600_000;
const T0 = 1_609_459_200_000; // 2021-01-01T00:00:00Z

/** A deterministic candle: hour `i` of `symbol`, prices derived from i. */
export function contractCandle(symbol: string, i: number, overrides: Partial<ContractCandle> = {}): ContractCandle {
  const openTime = T0 + i * HOUR;
  const base = symbol.startsWith('BTC') ? 29_000 : 730;
  const open = base + ((i * 37) % 101) + 0.25;
  return {
    _id: `binance:${symbol}:1h:${openTime}`,
    exchange: 'binance',
    symbol,
    timeframe: '1h',
    openTime,
    open,
    high: open + 12.5,
    low: open - 7.75,
    close: open + 3.125,
    volume: 1000 + i * 0.001,
    closed: true,
    quoteVolume: `${(1000 + i) * 12}.00012345`,
    ...overrides,
  };
}

export const contractCandles = (name: string): CollectionDef<ContractCandle> => ({
  name,
  timeField: 'openTime',
  partitionFields: ['exchange', 'symbol', 'timeframe'],
  indexes: [['closed']],
});

const ids = (docs: readonly Doc[]): string[] => docs.map((d) => d._id);
const sortById = <D extends Doc>(docs: D[]): D[] => [...docs].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));

async function collect<T>(it: AsyncIterable<T[]>): Promise<{ batches: number[]; docs: T[] }> {
  const batches: number[] = [];
  const docs: T[] = [];
  for await (const batch of it) {
    batches.push(batch.length);
    docs.push(...batch);
  }
  return { batches, docs };
}

/**
 * Registers the contract tests (jest `describe`) for one Store implementation. `makeStore` is
 * called with a few namespace names ('main', 'other'); the suite closes what it opened.
 */
export function runStorageContractSuite(name: string, makeStore: MakeStore, options: StorageContractOptions = {}): void {
  const largeTimeout = options.largeTimeoutMs ?? 120_000;
  const large = options.largeCount ?? 20_000;
  if (large < 400 || large % 4 !== 0) throw new RangeError('storage contract: largeCount must be a multiple of 4, at least 400');
  const perSymbol = large / 4;
  /** `it` with the suite's timeout. */
  const spec = (title: string, fn: () => Promise<void>, timeout = options.timeoutMs): void => it(title, fn, timeout);

  describe(`storage contract: ${name}`, () => {
    let store: Store;
    const opened: Store[] = [];
    let seq = 0;
    const open = async (ns: string): Promise<Store> => {
      const s = await makeStore(ns);
      opened.push(s);
      return s;
    };
    /** A fresh, initialised candle repository (each test has its own collection). */
    const candles = async (s: Store = store): Promise<Repository<ContractCandle>> => {
      const repo = s.repository(contractCandles(`candles_${++seq}`));
      await repo.init();
      return repo;
    };

    beforeAll(async () => {
      store = await open('main');
    });

    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    describe('store', () => {
      spec('is healthy', async () => {
        expect(await store.health()).toMatchObject({ ok: true });
      });

      spec('init is idempotent', async () => {
        const repo = await candles();
        await repo.init();
        await repo.init();
        expect(repo.name).toBe(`candles_${seq}`);
        expect(await repo.count()).toBe(0);
      });

      spec('keeps collections apart', async () => {
        const a = await candles();
        const b = await candles();
        await a.upsert(contractCandle('BTC/USDT', 0));
        expect(await a.count()).toBe(1);
        expect(await b.count()).toBe(0);
        expect(await b.get(contractCandle('BTC/USDT', 0)._id)).toBeNull();
      });

      spec('keeps namespaces (databases) apart, snapshots included', async () => {
        const other = await open('other');
        const name = `isolation_${++seq}`;
        const mine = store.repository(contractCandles(name));
        const theirs = other.repository(contractCandles(name));
        await mine.init();
        await theirs.init();
        await mine.upsertMany([contractCandle('BTC/USDT', 0), contractCandle('BTC/USDT', 1)]);
        await theirs.upsert(contractCandle('ETH/USDT', 0));
        expect(ids(await mine.range({}))).toEqual(ids([contractCandle('BTC/USDT', 0), contractCandle('BTC/USDT', 1)]));
        expect(ids(await theirs.range({}))).toEqual([contractCandle('ETH/USDT', 0)._id]);
        await store.snapshots('iso.').save({ _id: 's', version: 1, position: 'p-main', state: { n: 1 }, savedAt: 1 });
        expect(await other.snapshots('iso.').load('s')).toBeNull();
        expect(await theirs.deleteMany({})).toBe(1);
        expect(await mine.count()).toBe(2);
      });
    });

    describe('upsert, get, getMany', () => {
      spec('upserts one document and gets an equal copy back; a missing id is null', async () => {
        const repo = await candles();
        const c = contractCandle('BTC/USDT', 3, { tag: null });
        await repo.upsert(c);
        expect(await repo.get(c._id)).toEqual(c);
        expect(await repo.get('binance:BTC/USDT:1h:0')).toBeNull();
        const changed = { ...c, close: 1.5, tag: 'x' };
        await repo.upsert(changed);
        expect(await repo.get(c._id)).toEqual(changed);
        expect(await repo.count()).toBe(1);
      });

      spec('replaces the whole document: fields absent from the new version are gone', async () => {
        const repo = await candles();
        const c = contractCandle('BTC/USDT', 1, { tag: 'first' });
        await repo.upsert(c);
        const { tag: _tag, ...withoutTag } = c;
        await repo.upsert(withoutTag);
        const got = await repo.get(c._id);
        expect(got).toEqual(withoutTag);
        expect(got).not.toHaveProperty('tag');
      });

      spec('getMany returns the found documents in the order of the ids asked, once each', async () => {
        const repo = await candles();
        const docs = [0, 1, 2, 3].map((i) => contractCandle('ETH/USDT', i));
        await repo.upsertMany(docs);
        const got = await repo.getMany([docs[2]._id, 'missing', docs[0]._id, docs[2]._id, docs[3]._id]);
        expect(got).toEqual([docs[2], docs[0], docs[3]]);
        expect(await repo.getMany([])).toEqual([]);
      });

      spec('keeps numbers as numbers and decimal strings as the same strings', async () => {
        const repo = await candles();
        const c = contractCandle('BTC/USDT', 7, { open: 2, close: 0.1 + 0.2, volume: 0, quoteVolume: '0.00012345', high: 1e-12 + 2, low: 1.5e-9 });
        await repo.upsert(c);
        const got = (await repo.get(c._id))!;
        expect(got).toEqual(c);
        expect(got.close).toBe(0.30000000000000004);
        expect(typeof got.open).toBe('number');
        expect(got.quoteVolume).toBe('0.00012345');
        expect(got.openTime).toBe(c.openTime);
      });

      spec('stores nested objects, arrays, null and dates faithfully', async () => {
        interface Rich extends Doc {
          t: number;
          nested: { a: { b: number[] }; s: string };
          arr: (number | string | null | { y: number })[];
          nul: null;
          at: Date;
          big: number;
          neg: number;
        }
        const repo = store.repository<Rich>({ name: `rich_${++seq}`, timeField: 't' });
        await repo.init();
        const doc: Rich = {
          _id: 'r1',
          t: 1,
          nested: { a: { b: [1, 2] }, s: '1.10' },
          arr: [1, null, 'x', { y: 2 }],
          nul: null,
          at: new Date('2024-01-02T03:04:05.678Z'),
          big: Number.MAX_SAFE_INTEGER,
          neg: -0.25,
        };
        await repo.upsert(doc);
        expect(await repo.get('r1')).toEqual(doc);
      });
    });

    describe('upsertMany reports inserted / modified / unchanged', () => {
      spec('1,000 new documents, then the same 1,000 again, then 40 changed', async () => {
        const repo = await candles();
        const docs = Array.from({ length: 1000 }, (_, i) => contractCandle(i % 2 ? 'ETH/USDT' : 'BTC/USDT', i));
        expect(await repo.upsertMany(docs)).toEqual({ inserted: 1000, modified: 0, unchanged: 0 });
        expect(await repo.upsertMany(docs)).toEqual({ inserted: 0, modified: 0, unchanged: 1000 });
        const changed = docs.map((d, i) => (i % 25 === 0 ? { ...d, close: d.close + 1 } : d));
        expect(await repo.upsertMany(changed)).toEqual({ inserted: 0, modified: 40, unchanged: 960 });
        expect(await repo.count()).toBe(1000);
        expect(await repo.get(docs[100]._id)).toEqual(changed[100]);
        expect(await repo.get(docs[101]._id)).toEqual(docs[101]);
      });

      spec('a re-import larger than one write batch that also brings new and changed documents', async () => {
        const repo = await candles();
        const docs = Array.from({ length: 1200 }, (_, i) => contractCandle(i % 2 ? 'ETH/USDT' : 'BTC/USDT', i));
        // Two in three stored, interleaved with the new ones; 20 of the stored ones change.
        const stored = docs.filter((_, i) => i % 3 !== 0);
        expect(await repo.upsertMany(stored)).toEqual({ inserted: 800, modified: 0, unchanged: 0 });
        const next = docs.map((d, i) => (i % 60 === 1 ? { ...d, close: d.close + 1 } : d));
        expect(await repo.upsertMany(next)).toEqual({ inserted: 400, modified: 20, unchanged: 780 });
        expect(await repo.count()).toBe(1200);
        expect(await repo.get(docs[61]._id)).toEqual(next[61]);
        expect(await repo.get(docs[1197]._id)).toEqual(docs[1197]);
        expect(await repo.upsertMany(next)).toEqual({ inserted: 0, modified: 0, unchanged: 1200 });
      });

      spec('an upsert whose first documents are new and the later ones stored (some changed)', async () => {
        const repo = await candles();
        const docs = Array.from({ length: 1200 }, (_, i) => contractCandle(i % 2 ? 'ETH/USDT' : 'BTC/USDT', i));
        expect(await repo.upsertMany(docs.slice(150))).toEqual({ inserted: 1050, modified: 0, unchanged: 0 });
        // Indices 1, 61, ..., 1141 change: 1, 61 and 121 are among the 150 new ones.
        const next = docs.map((d, i) => (i % 60 === 1 ? { ...d, volume: d.volume + 1 } : d));
        expect(await repo.upsertMany(next)).toEqual({ inserted: 150, modified: 17, unchanged: 1033 });
        expect(await repo.get(docs[1141]._id)).toEqual(next[1141]);
        expect(await repo.count()).toBe(1200);
      });

      spec('mixes new, changed and identical documents in one call', async () => {
        const repo = await candles();
        const docs = [0, 1, 2].map((i) => contractCandle('BTC/USDT', i));
        await repo.upsertMany(docs);
        const r = await repo.upsertMany([docs[0], { ...docs[1], closed: false }, contractCandle('BTC/USDT', 3), contractCandle('BTC/USDT', 4)]);
        expect(r).toEqual({ inserted: 2, modified: 1, unchanged: 1 });
      });

      spec('an empty list is a no-op', async () => {
        const repo = await candles();
        expect(await repo.upsertMany([])).toEqual({ inserted: 0, modified: 0, unchanged: 0 });
      });

      spec('a repeated _id in one call: the last one wins and counts once', async () => {
        const repo = await candles();
        const a = contractCandle('BTC/USDT', 0);
        const r = await repo.upsertMany([a, { ...a, close: 1 }, { ...a, close: 2 }]);
        expect(r).toEqual({ inserted: 1, modified: 0, unchanged: 0 });
        expect((await repo.get(a._id))!.close).toBe(2);
        expect(await repo.upsertMany([{ ...a, close: 3 }, { ...a, close: 2 }])).toEqual({ inserted: 0, modified: 0, unchanged: 1 });
      });
    });

    describe('insertIfAbsent', () => {
      spec('inserts a new _id once; a second insert of the same _id is refused and changes nothing', async () => {
        const repo = await candles();
        const c = contractCandle('BTC/USDT', 0);
        expect(await repo.insertIfAbsent(c)).toBe(true);
        expect(await repo.insertIfAbsent({ ...c, close: 1 })).toBe(false);
        expect(await repo.get(c._id)).toEqual(c);
        expect(await repo.count()).toBe(1);
      });
    });

    describe('range', () => {
      let repo: Repository<ContractCandle>;
      const btc = Array.from({ length: 10 }, (_, i) => contractCandle('BTC/USDT', i));
      const eth = Array.from({ length: 10 }, (_, i) => contractCandle('ETH/USDT', i));
      const t = (i: number): number => T0 + i * HOUR;

      beforeAll(async () => {
        repo = await candles();
        // Stored out of order, across two partitions.
        await repo.upsertMany([...btc].reverse());
        await repo.upsertMany(eth.filter((_, i) => i % 2 === 0));
        await repo.upsertMany(eth.filter((_, i) => i % 2 === 1));
      });

      spec('filters by equality and sorts by time ascending by default', async () => {
        expect(ids(await repo.range({ where: { symbol: 'BTC/USDT' } }))).toEqual(ids(btc));
        expect(ids(await repo.range({ where: { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' } }))).toEqual(ids(eth));
      });

      spec('includes `from` and excludes `to`', async () => {
        const got = await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(2), to: t(5) });
        expect(got.map((c) => c.openTime)).toEqual([t(2), t(3), t(4)]);
        expect(await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(2) + 1, to: t(3) })).toEqual([]);
        expect(ids(await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(2), to: t(3) }))).toEqual([btc[2]._id]);
        expect(ids(await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(8) }))).toEqual(ids(btc.slice(8)));
        expect(ids(await repo.range({ where: { symbol: 'BTC/USDT' }, to: t(2) }))).toEqual(ids(btc.slice(0, 2)));
        expect(await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(5), to: t(5) })).toEqual([]);
        expect(await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(6), to: t(5) })).toEqual([]);
        expect(await repo.range({ where: { symbol: 'BTC/USDT' }, from: t(100) })).toEqual([]);
      });

      spec('sorts descending on request, and limits after ordering', async () => {
        expect(ids(await repo.range({ where: { symbol: 'ETH/USDT' }, order: 'desc' }))).toEqual(ids([...eth].reverse()));
        expect(ids(await repo.range({ where: { symbol: 'ETH/USDT' }, order: 'desc', limit: 3 }))).toEqual(ids([eth[9], eth[8], eth[7]]));
        expect(ids(await repo.range({ where: { symbol: 'ETH/USDT' }, limit: 2 }))).toEqual(ids([eth[0], eth[1]]));
        expect(ids(await repo.range({ where: { symbol: 'ETH/USDT' }, from: t(3), to: t(8), order: 'desc', limit: 2 }))).toEqual(ids([eth[7], eth[6]]));
        expect(await repo.range({ where: { symbol: 'ETH/USDT' }, limit: 0 })).toEqual([]);
      });

      spec('merges partitions by time, ties broken by _id (reversed in desc)', async () => {
        const asc = await repo.range({ from: t(3), to: t(5) });
        expect(ids(asc)).toEqual(ids([btc[3], eth[3], btc[4], eth[4]]));
        const desc = await repo.range({ from: t(3), to: t(5), order: 'desc' });
        expect(ids(desc)).toEqual(ids([eth[4], btc[4], eth[3], btc[3]]));
        expect(ids(await repo.range({ order: 'desc', limit: 3 }))).toEqual(ids([eth[9], btc[9], eth[8]]));
        expect(await repo.range({})).toHaveLength(20);
      });

      spec('filters on fields outside the partition key, and a partial partition key', async () => {
        const tagged = await candles();
        await tagged.upsertMany([
          contractCandle('BTC/USDT', 0, { closed: false }),
          contractCandle('BTC/USDT', 1),
          contractCandle('ETH/USDT', 2, { closed: false }),
          contractCandle('ETH/USDT', 3, { tag: 'x' }),
        ]);
        expect(ids(await tagged.range({ where: { closed: false } }))).toEqual(ids([contractCandle('BTC/USDT', 0), contractCandle('ETH/USDT', 2)]));
        expect(ids(await tagged.range({ where: { exchange: 'binance', closed: true } }))).toEqual(ids([contractCandle('BTC/USDT', 1), contractCandle('ETH/USDT', 3)]));
        expect(ids(await tagged.range({ where: { timeframe: '1h', symbol: 'ETH/USDT', closed: true } }))).toEqual([contractCandle('ETH/USDT', 3)._id]);
        expect(await tagged.range({ where: { symbol: 'XRP/USDT' } })).toEqual([]);
        expect(await tagged.range({ where: { exchange: 'kraken', closed: true } })).toEqual([]);
        // MongoDB semantics: null matches a missing field (and a null one).
        expect(ids(await tagged.range({ where: { tag: null } }))).toHaveLength(3);
        expect(ids(await tagged.range({ where: { tag: 'x' } }))).toEqual([contractCandle('ETH/USDT', 3)._id]);
        // Types are not coerced: '1h' is not 1, true is not 'true'.
        expect(await tagged.range({ where: { closed: 'true' as unknown as boolean } })).toEqual([]);
        expect(await tagged.range({ where: { openTime: String(t(1)) as unknown as number } })).toEqual([]);
        expect(ids(await tagged.range({ where: { openTime: t(1) } }))).toEqual([contractCandle('BTC/USDT', 1)._id]);
      });

      spec('orders documents with the same time by _id', async () => {
        const ties = await candles();
        const docs = ['c', 'a', 'd', 'b'].map((k) => contractCandle('BTC/USDT', 0, { _id: `tie:${k}` }));
        await ties.upsertMany(docs);
        await ties.upsert(contractCandle('BTC/USDT', 1, { _id: 'tie:0' }));
        expect(ids(await ties.range({ where: { symbol: 'BTC/USDT' } }))).toEqual(['tie:a', 'tie:b', 'tie:c', 'tie:d', 'tie:0']);
        expect(ids(await ties.range({ where: { symbol: 'BTC/USDT' }, order: 'desc' }))).toEqual(['tie:0', 'tie:d', 'tie:c', 'tie:b', 'tie:a']);
        expect((await ties.last({ symbol: 'BTC/USDT' }))!._id).toBe('tie:0');
        await ties.deleteMany({ _id: 'tie:0' });
        expect((await ties.last({ symbol: 'BTC/USDT' }))!._id).toBe('tie:d');
      });

      spec('sees a document move when its time or partition changes', async () => {
        const moving = await candles();
        const a = contractCandle('BTC/USDT', 5);
        await moving.upsertMany([contractCandle('BTC/USDT', 4), a, contractCandle('BTC/USDT', 6)]);
        await moving.upsert({ ...a, openTime: t(9) });
        expect((await moving.range({ where: { symbol: 'BTC/USDT' } })).map((c) => c.openTime)).toEqual([t(4), t(6), t(9)]);
        await moving.upsert({ ...a, symbol: 'ETH/USDT', openTime: t(1) });
        expect(ids(await moving.range({ where: { symbol: 'ETH/USDT' } }))).toEqual([a._id]);
        expect(await moving.count({ symbol: 'BTC/USDT' })).toBe(2);
      });

      spec('on a collection without a time field, sorts by _id and refuses from/to', async () => {
        interface Order extends Doc {
          status: string;
        }
        const orders = store.repository<Order>({ name: `orders_${++seq}` });
        await orders.init();
        await orders.upsertMany([{ _id: 'o3', status: 'open' }, { _id: 'o1', status: 'open' }, { _id: 'o2', status: 'filled' }]);
        expect(ids(await orders.range({}))).toEqual(['o1', 'o2', 'o3']);
        expect(ids(await orders.range({ where: { status: 'open' }, order: 'desc' }))).toEqual(['o3', 'o1']);
        expect(ids(await orders.range({ limit: 1 }))).toEqual(['o1']);
        expect((await orders.last())!._id).toBe('o3');
        await expect(orders.range({ from: 0 })).rejects.toThrow(/timeField/);
      });

      spec('refuses malformed queries', async () => {
        await expect(repo.range({ limit: -1 })).rejects.toThrow(RangeError);
        await expect(repo.range({ limit: 1.5 })).rejects.toThrow(RangeError);
        await expect(repo.range({ from: Number.NaN })).rejects.toThrow(RangeError);
        await expect(repo.range({ where: { symbol: { $ne: 'x' } as unknown as string } })).rejects.toThrow(TypeError);
        await expect(repo.range({ where: { $where: 'x' } as never })).rejects.toThrow(TypeError);
        await expect(repo.count({ 'a.b': 1 } as never)).rejects.toThrow(TypeError);
      });
    });

    describe('iterate', () => {
      spec('covers every matching document exactly once, in order, in batches of at most batchSize', async () => {
        const repo = await candles();
        const docs = Array.from({ length: 1300 }, (_, i) => contractCandle(i % 2 ? 'ETH/USDT' : 'BTC/USDT', i));
        await repo.upsertMany(docs);
        const { batches, docs: got } = await collect(repo.iterate({ where: { symbol: 'BTC/USDT' } }, 300));
        expect(batches).toEqual([300, 300, 50]);
        expect(ids(got)).toEqual(ids(docs.filter((d) => d.symbol === 'BTC/USDT')));
        const all = await collect(repo.iterate({}, 1000));
        expect(new Set(ids(all.docs)).size).toBe(1300);
        expect(ids(all.docs)).toEqual(ids(docs));
      });

      spec('applies bounds, order and limit like range, with the default batch size', async () => {
        const repo = await candles();
        const docs = Array.from({ length: 50 }, (_, i) => contractCandle('BTC/USDT', i));
        await repo.upsertMany(docs);
        const q = { where: { symbol: 'BTC/USDT' }, from: T0 + 10 * HOUR, to: T0 + 40 * HOUR, order: 'desc' as const, limit: 25 };
        const { docs: got } = await collect(repo.iterate(q, 7));
        expect(ids(got)).toEqual(ids(await repo.range(q)));
        expect(got).toHaveLength(25);
        expect(got[0].openTime).toBe(T0 + 39 * HOUR);
        const dflt = await collect(repo.iterate({}));
        expect(dflt.docs).toHaveLength(50);
        expect(await collect(repo.iterate({ where: { symbol: 'none' } }, 10))).toEqual({ batches: [], docs: [] });
      });

      spec('stops cleanly when the consumer breaks out early', async () => {
        const repo = await candles();
        await repo.upsertMany(Array.from({ length: 100 }, (_, i) => contractCandle('BTC/USDT', i)));
        let seen = 0;
        for await (const batch of repo.iterate({}, 10)) {
          seen += batch.length;
          if (seen >= 20) break;
        }
        expect(seen).toBe(20);
        expect(await repo.count()).toBe(100);
      });
    });

    describe('last, count, deleteMany', () => {
      spec('last is the greatest time matching where; null when nothing matches', async () => {
        const repo = await candles();
        expect(await repo.last()).toBeNull();
        await repo.upsertMany([contractCandle('BTC/USDT', 5), contractCandle('BTC/USDT', 9), contractCandle('BTC/USDT', 2), contractCandle('ETH/USDT', 7)]);
        expect(await repo.last({ symbol: 'BTC/USDT' })).toEqual(contractCandle('BTC/USDT', 9));
        expect(await repo.last({ symbol: 'ETH/USDT', timeframe: '1h', exchange: 'binance' })).toEqual(contractCandle('ETH/USDT', 7));
        expect((await repo.last())!._id).toBe(contractCandle('BTC/USDT', 9)._id);
        expect(await repo.last({ symbol: 'XRP/USDT' })).toBeNull();
      });

      spec('counts by equality and deletes by equality, reporting how many', async () => {
        const repo = await candles();
        await repo.upsertMany([
          ...Array.from({ length: 6 }, (_, i) => contractCandle('BTC/USDT', i)),
          ...Array.from({ length: 4 }, (_, i) => contractCandle('ETH/USDT', i, { closed: i < 2 })),
        ]);
        expect(await repo.count()).toBe(10);
        expect(await repo.count({})).toBe(10);
        expect(await repo.count({ symbol: 'ETH/USDT' })).toBe(4);
        expect(await repo.count({ symbol: 'ETH/USDT', closed: false })).toBe(2);
        expect(await repo.count({ closed: true })).toBe(8);
        expect(await repo.deleteMany({ symbol: 'ETH/USDT', closed: false })).toBe(2);
        expect(await repo.deleteMany({ symbol: 'ETH/USDT', closed: false })).toBe(0);
        expect(await repo.count({ symbol: 'ETH/USDT' })).toBe(2);
        expect(await repo.range({ where: { symbol: 'ETH/USDT' } })).toHaveLength(2);
        expect(await repo.deleteMany({})).toBe(8);
        expect(await repo.count()).toBe(0);
        expect(await repo.last()).toBeNull();
        // Deleted ids can be inserted again.
        expect(await repo.insertIfAbsent(contractCandle('BTC/USDT', 0))).toBe(true);
      });
    });

    describe('copies: callers cannot mutate the store', () => {
      spec('neither through the document written nor through the documents read', async () => {
        const repo = await candles();
        interface Nested extends ContractCandle {
          levels: number[];
        }
        const c: Nested = { ...contractCandle('BTC/USDT', 0), levels: [1, 2] };
        const nested = repo as unknown as Repository<Nested>;
        await nested.upsert(c);
        c.close = -1;
        c.levels.push(3);
        const expected = { ...contractCandle('BTC/USDT', 0), levels: [1, 2] };
        expect(await nested.get(c._id)).toEqual(expected);

        const got = (await nested.get(c._id))!;
        got.close = -2;
        got.levels[0] = 99;
        (await nested.range({}))[0].levels.push(4);
        (await nested.getMany([c._id]))[0].close = -3;
        (await nested.last())!.levels.length = 0;
        for await (const batch of nested.iterate({})) batch[0].close = -4;
        expect(await nested.get(c._id)).toEqual(expected);

        const many = [{ ...contractCandle('BTC/USDT', 1), levels: [5] }];
        await nested.upsertMany(many);
        many[0].levels[0] = 6;
        expect((await nested.get(many[0]._id))!.levels).toEqual([5]);
      });
    });

    describe('document rules (the same on every implementation)', () => {
      spec('refuses documents that MongoDB-wire servers would store differently, naming the field', async () => {
        const repo = await candles();
        const c = contractCandle('BTC/USDT', 0);
        await expect(repo.upsert({ ...c, close: Number.NaN })).rejects.toThrow(/close.*finite/);
        await expect(repo.upsert({ ...c, close: Number.POSITIVE_INFINITY })).rejects.toThrow(TypeError);
        await expect(repo.upsert({ ...c, _id: '' })).rejects.toThrow(/_id/);
        await expect(repo.upsert({ ...c, openTime: '1' as unknown as number })).rejects.toThrow(/openTime/);
        await expect(repo.upsert({ ...c, extra: { 'a.b': 1 } } as ContractCandle)).rejects.toThrow(/extra.*'\.'/);
        await expect(repo.upsert({ ...c, extra: [{ $x: 1 }] } as ContractCandle)).rejects.toThrow(/extra\[0\]/);
        await expect(repo.upsert({ ...c, extra: new Map() } as ContractCandle)).rejects.toThrow(/plain data/);
        await expect(repo.upsert({ ...c, symbol: ['BTC/USDT'] as unknown as string })).rejects.toThrow(/partition field/);
        // A bad document anywhere in a batch writes nothing.
        await expect(repo.upsertMany([contractCandle('BTC/USDT', 1), { ...c, volume: Number.NaN }])).rejects.toThrow(TypeError);
        expect(await repo.count()).toBe(0);
      });

      spec('drops undefined fields and stores -0 as 0', async () => {
        const repo = await candles();
        const c = { ...contractCandle('BTC/USDT', 0), tag: undefined, volume: -0 };
        await repo.upsert(c);
        const got = (await repo.get(c._id))!;
        expect(got).not.toHaveProperty('tag');
        expect(Object.is(got.volume, 0)).toBe(true);
        expect(await repo.upsertMany([{ ...c, volume: 0 }])).toEqual({ inserted: 0, modified: 0, unchanged: 1 });
      });
    });

    describe('snapshots', () => {
      interface FeatureState {
        ema: { period: number; value: number | null };
        window: number[];
        lastOpenTime: number;
      }

      spec('save, load, overwrite with version and position, delete', async () => {
        const snaps = store.snapshots(`features_${++seq}.`);
        expect(await snaps.load('features:binance:BTC/USDT:1h')).toBeNull();
        const first = {
          _id: 'features:binance:BTC/USDT:1h',
          version: 1,
          position: '1609462800000',
          state: { ema: { period: 20, value: null }, window: [1.5, 2.25, 3], lastOpenTime: T0 } satisfies FeatureState,
          savedAt: 1_700_000_000_000,
        };
        await snaps.save(first);
        expect(await snaps.load<FeatureState>(first._id)).toEqual(first);

        const second = { ...first, version: 2, position: 'md.candles.v1:3:1234', state: { ...first.state, ema: { period: 20, value: 29_001.5 } }, savedAt: first.savedAt + 1 };
        await snaps.save(second);
        const loaded = (await snaps.load<FeatureState>(first._id))!;
        expect(loaded).toEqual(second);
        expect(loaded.version).toBe(2);
        expect(loaded.position).toBe('md.candles.v1:3:1234');

        loaded.state.window.push(99);
        expect((await snaps.load<FeatureState>(first._id))!.state.window).toEqual([1.5, 2.25, 3]);

        await snaps.save({ ...second, _id: 'other' });
        await snaps.delete(first._id);
        expect(await snaps.load(first._id)).toBeNull();
        expect(await snaps.load('other')).toEqual({ ...second, _id: 'other' });
        await snaps.delete('never-saved');
      });

      spec('keeps prefixes apart and refuses malformed snapshots', async () => {
        const a = store.snapshots(`a_${++seq}.`);
        const b = store.snapshots(`b_${seq}.`);
        await a.save({ _id: 'x', version: 1, position: 'p', state: [1, 2], savedAt: 5 });
        expect(await b.load('x')).toBeNull();
        expect((await a.load<number[]>('x'))!.state).toEqual([1, 2]);
        await expect(a.save({ _id: 'y', version: 1, position: 7 as unknown as string, state: null, savedAt: 5 })).rejects.toThrow(/position/);
        await expect(a.save({ _id: 'y', version: 1, position: 'p', state: { v: Number.NaN }, savedAt: 5 })).rejects.toThrow(/state\.v/);
        await expect(a.save({ _id: '', version: 1, position: 'p', state: null, savedAt: 5 })).rejects.toThrow(/_id/);
      });
    });

    describe('large batches', () => {
      spec(
        `round-trips ${large.toLocaleString('en-US')} documents: upsert, count, iterate in order, re-upsert unchanged`,
        async () => {
          const repo = await candles();
          const symbols = ['BTC/USDT', 'ETH/USDT', 'XRP/USDT', 'ADA/USDT'];
          const docs = Array.from({ length: large }, (_, i) => contractCandle(symbols[i % 4], Math.floor(i / 4)));
          expect(await repo.upsertMany(docs)).toEqual({ inserted: large, modified: 0, unchanged: 0 });
          expect(await repo.count()).toBe(large);
          expect(await repo.count({ symbol: 'XRP/USDT' })).toBe(perSymbol);

          const { docs: eth, batches } = await collect(repo.iterate({ where: { exchange: 'binance', symbol: 'ETH/USDT', timeframe: '1h' } }, 1_000));
          expect(batches).toEqual([...Array(Math.floor(perSymbol / 1_000)).fill(1_000), ...(perSymbol % 1_000 ? [perSymbol % 1_000] : [])]);
          expect(eth).toEqual(docs.filter((d) => d.symbol === 'ETH/USDT'));

          const all = await collect(repo.iterate({}, 4_096));
          expect(all.docs).toHaveLength(large);
          expect(sortById(all.docs)).toEqual(sortById(docs));
          expect(all.docs.findIndex((d, i) => i > 0 && all.docs[i - 1].openTime > d.openTime)).toBe(-1);

          const first = Math.floor(perSymbol / 4);
          const span = Math.floor(perSymbol / 2);
          const window = await repo.range({ where: { symbol: 'ADA/USDT' }, from: T0 + first * HOUR, to: T0 + (first + span) * HOUR });
          expect(window).toHaveLength(span);
          expect(window[0]).toEqual(contractCandle('ADA/USDT', first));
          expect(window[span - 1]).toEqual(contractCandle('ADA/USDT', first + span - 1));

          expect(await repo.upsertMany(docs)).toEqual({ inserted: 0, modified: 0, unchanged: large });
          expect(await repo.last({ symbol: 'BTC/USDT' })).toEqual(contractCandle('BTC/USDT', perSymbol - 1));
        },
        largeTimeout,
      );
    });
  });
}
