import type { Repository } from '../storage';
import { contractCandle, contractCandles, runStorageContractSuite, type ContractCandle } from '../testing';
import { MemoryStore } from './memory-store';

runStorageContractSuite('memory', async (namespace) => new MemoryStore(namespace));

/** Deterministic PRNG (mulberry32) so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('MemoryStore sorted index', () => {
  // The lazily sorted partitions (out-of-order appends, moves, deletes settled on read) must give
  // exactly what a full scan + sort gives, whatever the interleaving of writes and reads.
  it('agrees with a naive scan over random writes, moves, deletes and queries', async () => {
    const store = new MemoryStore();
    const repo: Repository<ContractCandle> = store.repository(contractCandles('random'));
    const model = new Map<string, ContractCandle>();
    const next = rng(42);
    const pick = <X>(xs: readonly X[]): X => xs[Math.floor(next() * xs.length)];
    const symbols = ['BTC/USDT', 'ETH/USDT', 'XRP/USDT'];
    const byTimeThenId = (a: ContractCandle, b: ContractCandle): number => a.openTime - b.openTime || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

    for (let step = 0; step < 400; step++) {
      const op = next();
      if (op < 0.5) {
        const batch = Array.from({ length: 1 + Math.floor(next() * 20) }, () => {
          const i = Math.floor(next() * 200);
          // Ids are reused with a different time or symbol: documents move between positions.
          return contractCandle(pick(symbols), i, { _id: `k${Math.floor(next() * 300)}`, closed: next() < 0.8 });
        });
        await repo.upsertMany(batch);
        for (const d of batch) model.set(d._id, d);
      } else if (op < 0.6) {
        const where = next() < 0.5 ? { symbol: pick(symbols) } : { closed: false };
        const n = await repo.deleteMany(where);
        const gone = [...model.values()].filter((d) => (where.symbol ? d.symbol === where.symbol : !d.closed));
        for (const d of gone) model.delete(d._id);
        expect(n).toBe(gone.length);
      } else {
        const from = next() < 0.7 ? contractCandle('BTC/USDT', Math.floor(next() * 200)).openTime : undefined;
        const to = next() < 0.7 ? contractCandle('BTC/USDT', Math.floor(next() * 200)).openTime : undefined;
        const where: { symbol?: string; closed?: boolean } = next() < 0.6 ? { symbol: pick(symbols), ...(next() < 0.3 ? { closed: true } : {}) } : {};
        const order = next() < 0.5 ? ('asc' as const) : ('desc' as const);
        const limit = next() < 0.4 ? Math.floor(next() * 30) : undefined;
        let expected = [...model.values()]
          .filter((d) => (!where.symbol || d.symbol === where.symbol) && (!('closed' in where) || d.closed === where.closed))
          .filter((d) => (from === undefined || d.openTime >= from) && (to === undefined || d.openTime < to))
          .sort(byTimeThenId);
        if (order === 'desc') expected.reverse();
        if (limit !== undefined) expected = expected.slice(0, limit);
        expect(await repo.range({ where, from, to, order, limit })).toEqual(expected);
        expect(await repo.count(where)).toBe([...model.values()].filter((d) => (!where.symbol || d.symbol === where.symbol) && (!('closed' in where) || d.closed === where.closed)).length);
      }
    }
    expect(await repo.count()).toBe(model.size);
  });

  it('serves a later-declared index from documents already stored', async () => {
    const store = new MemoryStore();
    const plain = store.repository<ContractCandle>({ name: 'c' });
    await plain.upsertMany([contractCandle('BTC/USDT', 2), contractCandle('BTC/USDT', 1)]);
    const indexed = store.repository(contractCandles('c'));
    expect((await indexed.range({ where: { symbol: 'BTC/USDT' } })).map((c) => c.openTime)).toEqual([contractCandle('BTC/USDT', 1).openTime, contractCandle('BTC/USDT', 2).openTime]);
  });

  it('refuses every operation after close', async () => {
    const store = new MemoryStore('svc');
    const repo = store.repository(contractCandles('c'));
    await store.close();
    expect(await store.health()).toEqual({ ok: false, detail: 'memory store "svc" is closed' });
    await expect(repo.count()).rejects.toThrow(/closed/);
    expect(() => store.repository(contractCandles('d'))).toThrow(/closed/);
  });
});
