/**
 * Storage bench (`npm run bench -- storage`):
 *  1. MongoDB wire (FerretDB v1 locally: MONGO_URL, else a private FerretDB this bench starts with
 *     infra/ferretdb/start.sh on a free port): MongoStore.upsertMany of N recorded 5m candles
 *     (BENCH_STORAGE_ROWS, default 50,000) into a fresh collection, then again (re-upsert), vs the
 *     driver's raw insertMany (ordered: false) of the same documents into another fresh collection,
 *     with and without the repository's indexes. Target: upsert >= 0.8x raw insert. Then the
 *     variants tuned: batch size, batches in flight, and the `replace` path MongoDB uses
 *     (bulkWrite replaceOne vs updateOne $set, ordered or not) on a smaller N, because FerretDB
 *     runs each update as its own query + SQLite transaction; and the cost of one replace vs one
 *     insert at a time on a collection of N documents.
 *  2. MemoryStore: upsertMany of the 263k recorded 5m candles (4 symbols), re-upsert, and range
 *     queries through the sorted partition index vs a scan + sort of the same documents.
 *
 * FerretDB rates are wall clock (the server is another process; the machine is shared: the load
 * average is printed). MemoryStore rates are CPU time of this process, best of a few runs.
 * Data: the recorded files in DATA_DIR (../shared/data), read in place.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryStore, MongoStore, type CollectionDef, type MongoStoreConfig, type Repository } from '@atp/storage';
import { printTable, type Cell } from './table';

const ROOT = path.resolve(__dirname, '../..');
const DATA_DIR = process.env.DATA_DIR ?? path.resolve(ROOT, '../shared/data');
const BASES = ['BTC', 'ETH', 'XRP', 'ADA'];

/** A candle as market-data stores it (CandleDoc): natural key, series fields, OHLCV floats. */
interface CandleDoc {
  _id: string;
  exchange: string;
  symbol: string;
  timeframe: string;
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

const candles = (name: string): CollectionDef<CandleDoc> => ({ name, timeField: 'openTime', partitionFields: ['exchange', 'symbol', 'timeframe'] });

/** The recorded 5m candles of the four symbols, interleaved by time as a live feed writes them. */
function loadCandles(): CandleDoc[] {
  const all: CandleDoc[] = [];
  for (const base of BASES) {
    const file = path.join(DATA_DIR, 'binance-spot', `${base}_USDT-5m.json`);
    const rows = JSON.parse(readFileSync(file, 'utf8')) as number[][];
    const symbol = `${base}/USDT`;
    for (const [t, o, h, l, c, v] of rows) {
      all.push({ _id: `binance:${symbol}:5m:${t}`, exchange: 'binance', symbol, timeframe: '5m', openTime: t, open: o, high: h, low: l, close: c, volume: v });
    }
  }
  return all.sort((a, b) => a.openTime - b.openTime || (a.symbol < b.symbol ? -1 : 1));
}

async function wall<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e9];
}

/** Best CPU seconds of this process over `repeats` runs of `fn` (each gets a fresh setup). */
async function cpuBest<S>(setup: () => S, fn: (s: S) => Promise<unknown> | unknown, repeats: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const s = setup();
    const t0 = process.cpuUsage();
    await fn(s);
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return best;
}

const rate = (n: number, s: number): number => n / s;
const fmtLoad = (): string => loadavg().map((x) => x.toFixed(1)).join(' / ');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** MONGO_URL, or a private FerretDB started with infra/ferretdb/start.sh (stopped afterwards); null if neither. */
async function mongoForBench(): Promise<{ url: string; note: string; stop: () => void } | null> {
  if (process.env.MONGO_URL) return { url: process.env.MONGO_URL, note: 'MONGO_URL', stop: () => undefined };
  const start = path.join(ROOT, 'infra/ferretdb/start.sh');
  if (!existsSync(start)) return null;
  const runDir = mkdtempSync(path.join(tmpdir(), 'storage-bench-ferret-'));
  const port = await freePort();
  const env = { ...process.env, ATP_RUN_DIR: runDir, MONGO_PORT: String(port) };
  const r = spawnSync('bash', [start], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`could not start FerretDB for the bench: ${r.stderr}`);
  return {
    url: `mongodb://127.0.0.1:${port}/`,
    note: `private FerretDB on port ${port}`,
    stop: () => {
      spawnSync('bash', [path.join(ROOT, 'infra/ferretdb/stop.sh')], { env, encoding: 'utf8', timeout: 60_000 });
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

const HEAD = ['operation', 'docs', 'seconds', 'docs/s', 'x raw', 'notes'];

async function mongoBench(all: CandleDoc[]): Promise<void> {
  const n = Number(process.env.BENCH_STORAGE_ROWS ?? 50_000);
  const nReplace = Number(process.env.BENCH_STORAGE_REPLACE_ROWS ?? 1_000);
  const docs = all.slice(0, n);
  const m = await mongoForBench();
  if (m === null) {
    console.log('MongoDB wire: NOT MEASURED (MONGO_URL unset and infra/ferretdb/start.sh absent)');
    return;
  }
  const { MongoClient } = await import('mongodb');
  const dbName = `bench_storage_${process.pid}_${Date.now().toString(36)}`;
  const client = await MongoClient.connect(m.url, { serverSelectionTimeoutMS: 5000 });
  const db = client.db(dbName);
  const stores: MongoStore[] = [];
  const open = async (cfg: Partial<MongoStoreConfig> = {}): Promise<MongoStore> => {
    const s = await MongoStore.connect({ url: m.url, dbName, ...cfg });
    stores.push(s);
    return s;
  };
  let seq = 0;
  const repoOf = async (store: MongoStore): Promise<Repository<CandleDoc>> => {
    const repo = store.repository(candles(`c${++seq}`));
    await repo.init();
    return repo;
  };
  const rawInsert = async (part: CandleDoc[], batch: number, indexed: boolean): Promise<number> => {
    const coll = db.collection<CandleDoc>(`raw${++seq}`);
    if (indexed) await coll.createIndex({ exchange: 1, symbol: 1, timeframe: 1, openTime: 1, _id: 1 });
    const [, s] = await wall(async () => {
      // Copies: insertMany may add fields to what it is given; the store copies too.
      for (let i = 0; i < part.length; i += batch) await coll.insertMany(part.slice(i, i + batch).map((d) => ({ ...d })), { ordered: false });
    });
    return s;
  };

  try {
    const store = await open();
    const rows: Cell[][] = [];
    const loadBefore = fmtLoad();
    const reps = Number(process.env.BENCH_STORAGE_REPEATS ?? 3);
    await rawInsert(all.slice(-2_000), 1_000, true); // warm-up: database file, connections, JIT

    // Each variant runs `reps` times in a fresh collection, the variants interleaved so that load
    // drifts hit them alike; the best (shortest) run counts.
    const big = await open({ upsertBatchSize: 5_000 });
    const conc = await open({ upsertConcurrency: 2 });
    const best: Record<string, number> = {};
    const results: Record<string, unknown> = {};
    const keep = (key: string, secs: number): void => {
      best[key] = Math.min(best[key] ?? Infinity, secs);
    };
    let fullRepo: Repository<CandleDoc> | undefined;
    for (let r = 0; r < reps; r++) {
      keep('raw', await rawInsert(docs, 1_000, true));
      const repo = await repoOf(store);
      const [r1, up] = await wall(() => repo.upsertMany(docs));
      keep('up', up);
      results.up = r1;
      const [r2, again] = await wall(() => repo.upsertMany(docs));
      keep('again', again);
      results.again = r2;
      fullRepo = repo;
      keep('rawPlain', await rawInsert(docs, 1_000, false));
      keep('up5k', (await wall(async () => (await repoOf(big)).upsertMany(docs)))[1]);
      keep('raw5k', await rawInsert(docs, 5_000, true));
      keep('up2', (await wall(async () => (await repoOf(conc)).upsertMany(docs)))[1]);
    }
    const raw = best.raw;
    rows.push(['raw insertMany, ordered:false, batches of 1,000, no index', n, best.rawPlain, rate(n, best.rawPlain), raw / best.rawPlain, 'no idempotence']);
    rows.push(['raw insertMany, same, with the range index', n, raw, rate(n, raw), 1, 'baseline for the ratio']);
    rows.push([`MongoStore.upsertMany, fresh collection (${store.upsertMode}, default config)`, n, best.up, rate(n, best.up), raw / best.up, JSON.stringify(results.up)]);
    rows.push(['MongoStore.upsertMany again (re-upsert, all unchanged)', n, best.again, rate(n, best.again), raw / best.again, JSON.stringify(results.again)]);
    rows.push(['  variant: batches of 5,000', n, best.up5k, rate(n, best.up5k), best.raw5k / best.up5k, `vs raw insertMany in 5,000s: ${rate(n, best.raw5k).toFixed(0)} docs/s`]);
    rows.push(['  variant: 2 batches in flight', n, best.up2, rate(n, best.up2), raw / best.up2, '']);

    // One document at a time on a collection holding n documents: an insert (FerretDB: a
    // unique-index probe) vs a replace (FerretDB: an `_id` look-up by table scan, then an update).
    const k = 20;
    const extra = all.slice(n, n + k);
    const [, ins1] = await wall(async () => {
      for (const d of extra) await fullRepo!.insertIfAbsent(d);
    });
    rows.push([`insertIfAbsent, one new doc at a time, collection of ${n.toLocaleString('en-US')}`, k, ins1, rate(k, ins1), null, `${((ins1 / k) * 1000).toFixed(1)} ms/doc`]);
    const replaceStore = await open({ upsertMode: 'replace' });
    const sameColl = replaceStore.repository(candles(fullRepo!.name));
    // The latest candles (the forming bar a live feed rewrites): stored last, so FerretDB's scan
    // for their `_id` reads the whole table.
    const [, rep1] = await wall(async () => {
      for (const d of docs.slice(n - k)) await sameColl.upsert({ ...d, volume: d.volume + 1 });
    });
    rows.push([`replaceOne upsert of a changed latest doc, collection of ${n.toLocaleString('en-US')}`, k, rep1, rate(k, rep1), null, `${((rep1 / k) * 1000).toFixed(1)} ms/doc (one command each)`]);

    // The replace path MongoDB uses, and the bulkWrite variants, on a smaller N.
    const small = docs.slice(0, nReplace);
    const rawSmall = await rawInsert(small, 1_000, true);
    rows.push([`raw insertMany, ${nReplace.toLocaleString('en-US')} docs, with the range index`, nReplace, rawSmall, rate(nReplace, rawSmall), 1, 'baseline for the rows below']);
    const repRepo = await repoOf(replaceStore);
    const [r3, rep] = await wall(() => repRepo.upsertMany(small));
    rows.push(['MongoStore.upsertMany, upsertMode replace, fresh', nReplace, rep, rate(nReplace, rep), rawSmall / rep, `${JSON.stringify(r3)}; at most 32 per command on FerretDB`]);
    const [r4, rep2] = await wall(() => repRepo.upsertMany(small));
    rows.push(['  again (re-upsert, all unchanged)', nReplace, rep2, rate(nReplace, rep2), rawSmall / rep2, JSON.stringify(r4)]);
    const variant = async (label: string, ops: (d: CandleDoc) => object, ordered: boolean): Promise<void> => {
      const coll = db.collection<CandleDoc>(`v${++seq}`);
      await coll.createIndex({ exchange: 1, symbol: 1, timeframe: 1, openTime: 1, _id: 1 });
      const [, s] = await wall(async () => {
        for (let i = 0; i < small.length; i += 32) await coll.bulkWrite(small.slice(i, i + 32).map(ops) as never, { ordered });
      });
      rows.push([`  driver bulkWrite ${label}, fresh`, nReplace, s, rate(nReplace, s), rawSmall / s, 'batches of 32']);
    };
    await variant('replaceOne upsert, ordered:false', (d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }), false);
    await variant('replaceOne upsert, ordered:true', (d) => ({ replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true } }), true);
    await variant('updateOne $set upsert, ordered:false', ({ _id, ...rest }) => ({ updateOne: { filter: { _id }, update: { $set: rest }, upsert: true } }), false);

    printTable(HEAD, rows, {
      title: `MongoDB wire: ${m.note} (${store.server}); BTC/ETH/XRP/ADA 5m candles; wall clock, best of ${reps} (replace rows: 1 run); load average ${loadBefore} -> ${fmtLoad()} on ${cpus().length} cores`,
    });
    const ratio = raw / best.up;
    console.log(`\nupsert (fresh) / raw insertMany = ${ratio.toFixed(2)}x (target >= 0.8x): ${ratio >= 0.8 ? 'met' : 'NOT met'}; re-upsert ${(raw / best.again).toFixed(2)}x`);
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    m.stop();
  }
}

async function memoryBench(all: CandleDoc[]): Promise<void> {
  const rows: Cell[][] = [];
  const n = all.length;
  const fresh = (): Repository<CandleDoc> => new MemoryStore().repository(candles('candles'));
  const up = await cpuBest(fresh, (r) => r.upsertMany(all), 3);
  rows.push(['MemoryStore.upsertMany, fresh, one call', n, up, rate(n, up), 'validating deep copy per doc']);
  const loaded = fresh();
  await loaded.upsertMany(all);
  const again = await cpuBest(() => loaded, (r) => r.upsertMany(all), 3);
  rows.push(['MemoryStore.upsertMany again (all unchanged)', n, again, rate(n, again), 'copy + deep compare per doc']);
  const batched = await cpuBest(fresh, async (r) => {
    for (let i = 0; i < n; i += 1_000) await r.upsertMany(all.slice(i, i + 1_000));
  }, 3);
  rows.push(['MemoryStore.upsertMany, fresh, batches of 1,000', n, batched, rate(n, batched), 'time order: appends stay sorted']);
  const shuffled = [...all].sort((a, b) => (a._id < b._id ? -1 : 1)).reverse();
  const rnd = await cpuBest(fresh, async (r) => {
    await r.upsertMany(shuffled);
    await r.count({ symbol: 'BTC/USDT' });
    await r.range({ where: { symbol: 'BTC/USDT' }, limit: 1 }); // settles the lazy sort
  }, 3);
  rows.push(['MemoryStore.upsertMany, fresh, reverse order, then first range', n, rnd, rate(n, rnd), 'one sort per partition on first read']);

  // Range queries: one symbol, one day of 5m bars (288), at random places.
  const first = all[0].openTime;
  const last = all[all.length - 1].openTime;
  const q = 2_000;
  const DAY = 86_400_000;
  let seed = 7;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const queries = Array.from({ length: q }, () => {
    const from = first + Math.floor(random() * ((last - first - DAY) / 300_000)) * 300_000;
    return { symbol: `${BASES[Math.floor(random() * 4)]}/USDT`, from, to: from + DAY };
  });
  let returned = 0;
  const idx = await cpuBest(() => loaded, async (r) => {
    returned = 0;
    for (const x of queries) returned += (await r.range({ where: { exchange: 'binance', symbol: x.symbol, timeframe: '5m' }, from: x.from, to: x.to })).length;
  }, 3);
  rows.push([`range, 1 symbol x 1 day (${(returned / q).toFixed(0)} bars), sorted index`, returned, idx, rate(returned, idx), `${((idx / q) * 1e6).toFixed(1)} us/query incl. copies`]);
  const scanQ = 50;
  const scan = await cpuBest(() => all, (docs) => {
    for (const x of queries.slice(0, scanQ)) {
      docs
        .filter((d) => d.exchange === 'binance' && d.symbol === x.symbol && d.timeframe === '5m' && d.openTime >= x.from && d.openTime < x.to)
        .sort((a, b) => a.openTime - b.openTime || (a._id < b._id ? -1 : 1))
        .map((d) => structuredClone(d));
    }
  }, 3);
  rows.push([`  same by scan + filter + sort of the ${n.toLocaleString('en-US')} docs (no index)`, Math.round((returned / q) * scanQ), scan, null, `${((scan / scanQ) * 1e6).toFixed(0)} us/query: ${(scan / scanQ / (idx / q)).toFixed(0)}x slower`]);
  const allSym = await cpuBest(() => loaded, async (r) => {
    for (const x of queries.slice(0, 500)) await r.range({ from: x.from, to: x.to });
  }, 3);
  rows.push(['range, all 4 symbols x 1 day (merge of 4 partitions)', 500 * 4 * 288, allSym, rate(500 * 4 * 288, allSym), `${((allSym / 500) * 1e6).toFixed(1)} us/query`]);
  const lastQ = await cpuBest(() => loaded, async (r) => {
    for (let i = 0; i < 10_000; i++) await r.last({ symbol: `${BASES[i % 4]}/USDT` });
  }, 3);
  rows.push(['last({symbol}) (latest stored candle)', 10_000, lastQ, rate(10_000, lastQ), `${((lastQ / 10_000) * 1e6).toFixed(2)} us/call`]);
  let seen = 0;
  const it = await cpuBest(() => loaded, async (r) => {
    seen = 0;
    for await (const b of r.iterate({ where: { symbol: 'BTC/USDT' } }, 5_000)) seen += b.length;
  }, 3);
  rows.push(['iterate one symbol in batches of 5,000', seen, it, rate(seen, it), '']);
  printTable(['operation', 'docs', 'CPU s', 'docs/s', 'notes'], rows, { title: `MemoryStore: ${n.toLocaleString('en-US')} recorded 5m candles, 4 symbols; CPU time of this process, best of 3` });
}

export async function run(): Promise<void> {
  const all = loadCandles();
  await memoryBench(all);
  console.log('');
  await mongoBench(all);
}

if (require.main === module) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
