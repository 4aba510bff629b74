/**
 * Market-data bench (`npm run bench -- market-data`):
 *  1. parse + validate rate of the candle importers (rows/s, with data sizes): the recorded freqtrade
 *     JSON read into typed columns and checked like checkBar, text already in memory. Target >= 1M rows/s.
 *  2. the whole importers (streamed file read, gunzip, parse, validate, documents, batches) into a
 *     null sink: candles JSON and CSV, and the trade / quote importers on the recorded tick files.
 *  3. store writes: MemoryStore upsertMany, and on FerretDB (MONGO_URL, else a private FerretDB this
 *     bench starts with infra/ferretdb/start.sh) MongoStore upsertMany vs the driver's raw insertMany.
 *  4. replay: stored candles published through Kafka free-running (as fast as possible) by the
 *     market-feed replay driver (KAFKA_BROKERS, else a private broker). Target >= 50k candles/s.
 *
 * Rates are per CPU second of this process (user + system, best of N) where the work is CPU-bound
 * in this process, because the bench machine is shared; store and replay rates are wall-clock.
 * Data: the recorded files in DATA_DIR (../shared/data), read in place.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CandleColumns, importCandleFile, importQuoteFile, importTradeFile, OhlcvJsonReader, resolveDataDir, rowProblem, toCandleDoc,
  type CandleDoc, type SeriesId, type UpsertSink,
} from '@atp/market-data';
import { MemoryStore, MongoStore } from '@atp/storage';
import { printTable, type Cell } from './table';

const nullSink: UpsertSink<{ _id: string }> = { upsertMany: async (d) => ({ inserted: d.length, modified: 0, unchanged: 0 }) };
const D = resolveDataDir();
const ROOT = path.resolve(__dirname, '../..');

/** Best of `repeats`: [result, CPU seconds of this process]. */
async function cpuBest<T>(fn: () => Promise<T> | T, repeats: number): Promise<[T, number]> {
  let best = Infinity;
  let out!: T;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.cpuUsage();
    out = await fn();
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  return [out, best];
}

async function wall<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

const row = (what: string, rows: number, bytes: number, secs: number, note = ''): Cell[] => [what, rows, bytes > 0 ? bytes / 1e6 : null, secs * 1000, rows / secs / 1e3, bytes > 0 ? bytes / secs / 1e6 : null, note];
const HEAD = ['what', 'rows', 'MB', 'ms', 'k rows/s', 'MB/s', 'note'];

/** The recorded text through the columnar reader and the bar checks: rows accepted. */
function parseValidate(texts: readonly string[]): number {
  const cols = new CandleColumns(1 << 17);
  let ok = 0;
  for (const t of texts) {
    const r = new OhlcvJsonReader(cols, () => {
      throw new Error('unexpected slow element in recorded data');
    });
    r.push(t);
    r.end();
    for (let i = 0; i < cols.length; i++) if (rowProblem(cols, i, 0, '') === null) ok++;
    cols.clear();
  }
  return ok;
}

async function parseAndImport(): Promise<CandleDoc[]> {
  const files = ['BTC', 'ETH', 'XRP', 'ADA'].flatMap((b) => (['1h', '5m'] as const).map((tf) => [b, tf] as const));
  const paths = files.map(([b, tf]) => path.join(D, 'binance-spot', `${b}_USDT-${tf}.json`));
  const texts = paths.map((p) => readFileSync(p, 'utf8'));
  const bytes = texts.reduce((s, t) => s + t.length, 0);
  const rows: Cell[][] = [];

  // 1. Pure parse + validate (text in memory); JSON.parse + a loop over its arrays for scale.
  const [n1, s1] = await cpuBest(() => parseValidate(texts), 7);
  rows.push(row('candles JSON -> typed columns + checks (8 files)', n1, bytes, s1, 'target >= 1M rows/s'));
  const [n1b, s1b] = await cpuBest(() => {
    let ok = 0;
    for (const t of texts) for (const r of JSON.parse(t) as number[][]) if (r[3]! > 0 && r[2]! >= r[3]!) ok++;
    return ok;
  }, 5);
  rows.push(row('  reference: JSON.parse of the same text + a check', n1b, bytes, s1b, 'V8 native parser, allocates arrays'));

  // 2. The whole candle importer into a null sink.
  const fbytes = paths.reduce((s, p) => s + statSync(p).size, 0);
  const [n2, s2] = await cpuBest(async () => {
    let n = 0;
    for (let i = 0; i < files.length; i++) {
      const [b, tf] = files[i]!;
      n += (await importCandleFile(paths[i]!, { series: { exchange: 'binance', symbol: `${b}/USDT`, timeframe: tf }, sink: nullSink as UpsertSink<CandleDoc> })).candles;
    }
    return n;
  }, 3);
  rows.push(row('importCandleFile JSON (8 files), null sink', n2, fbytes, s2, 'read + parse + check + docs + batches'));

  // CSV: the four 5m files as one CSV with a header (open times shifted to stay unique), in a temp dir.
  const dir = mkdtempSync(path.join(tmpdir(), 'md-bench-'));
  try {
    const csv = path.join(dir, 'candles.csv');
    const all = texts.filter((_, i) => files[i]![1] === '5m').flatMap((t) => JSON.parse(t) as number[][]);
    writeFileSync(csv, ['timestamp,open,high,low,close,volume', ...all.map((r, i) => `${1_599_999_900_000 + i * 300_000},${r[1]},${r[2]},${r[3]},${r[4]},${r[5]}`)].join('\n'));
    const [r3, s3] = await cpuBest(() => importCandleFile(csv, { series: { exchange: 'x', symbol: 'A/B', timeframe: '5m' }, sink: nullSink as UpsertSink<CandleDoc> }), 3);
    rows.push(row('importCandleFile CSV (5m files as CSV), null sink', r3.candles, statSync(csv).size, s3, 'epoch ms, header'));
    const iso = path.join(dir, 'iso.csv');
    writeFileSync(iso, ['date,open,high,low,close,volume', ...all.slice(0, 100_000).map((r, i) => `${new Date(1_599_999_900_000 + i * 300_000).toISOString()},${r[1]},${r[2]},${r[3]},${r[4]},${r[5]}`)].join('\n'));
    const [r4, s4] = await cpuBest(() => importCandleFile(iso, { series: { exchange: 'x', symbol: 'A/B', timeframe: '5m' }, sink: nullSink as UpsertSink<CandleDoc> }), 3);
    rows.push(row('importCandleFile CSV, ISO 8601 dates, null sink', r4.candles, statSync(iso).size, s4, 'date strings parsed'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Tick importers on the recorded files.
  for (const [f, o] of [
    ['ticks/nautilus/tardis_binance-futures_BTCUSDT_trades.csv', { format: 'tardis-trades' }],
    ['trades/freqtrade/XRP_ETH-trades.json.gz', { format: 'freqtrade-trades', exchange: 'binance', symbol: 'XRP/ETH' }],
    ['trades/freqtrade/XRP_OLD-trades.json.gz', { format: 'ccxt-trades', exchange: 'binance' }],
    ['ticks/hftbacktest/usdm_btcusdt_20240808.jsonl.gz', { format: 'hftbacktest', exchange: 'binanceusdm' }],
  ] as const) {
    const p = path.join(D, f);
    const [r, s] = await cpuBest(() => importTradeFile(p, { ...o, sink: nullSink } as Parameters<typeof importTradeFile>[1]), 3);
    rows.push(row(`importTradeFile ${o.format}`, r.trades, statSync(p).size, s, f.endsWith('.gz') ? 'gzipped; rows = trades' : ''));
  }
  const qf = path.join(D, 'ticks/nautilus/tardis_binance-futures_BTCUSDT_quotes.csv');
  const [q, sq] = await cpuBest(() => importQuoteFile(qf, { format: 'tardis-quotes', sink: nullSink }), 3);
  rows.push(row('importQuoteFile tardis-quotes', q.quotes, statSync(qf).size, sq, ''));
  printTable(HEAD, rows, { title: 'Parse + validate and importers (per CPU second, best of N)' });

  const series: SeriesId = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' };
  return (JSON.parse(texts[files.findIndex(([b, tf]) => b === 'BTC' && tf === '5m')]!) as number[][]).map((r) =>
    toCandleDoc(series, { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** MONGO_URL, or a private FerretDB (infra/ferretdb/start.sh in a temp ATP_RUN_DIR) and how to stop it. */
async function mongoForBench(): Promise<{ url: string; stop: () => void; note: string }> {
  if (process.env.MONGO_URL) return { url: process.env.MONGO_URL, stop: () => undefined, note: 'MONGO_URL' };
  const runDir = mkdtempSync(path.join(tmpdir(), 'md-bench-ferret-'));
  const port = await freePort();
  const env = { ...process.env, ATP_RUN_DIR: runDir, MONGO_PORT: String(port) };
  const r = spawnSync('bash', [path.join(ROOT, 'infra/ferretdb/start.sh')], { env, encoding: 'utf8', timeout: 600_000 });
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

async function storeWrites(docs: CandleDoc[]): Promise<void> {
  const rows: Cell[][] = [];
  const def = { name: 'candles', timeField: 'openTime' as const, partitionFields: ['exchange', 'symbol', 'timeframe'] as const };
  const mem = new MemoryStore().repository<CandleDoc>(def);
  await mem.init();
  const [, sm] = await wall(async () => {
    for (let i = 0; i < docs.length; i += 5000) await mem.upsertMany(docs.slice(i, i + 5000));
  });
  rows.push(row('MemoryStore upsertMany (batches of 5,000), new', docs.length, 0, sm, 'wall clock'));
  const [, sm2] = await wall(async () => {
    for (let i = 0; i < docs.length; i += 5000) await mem.upsertMany(docs.slice(i, i + 5000));
  });
  rows.push(row('MemoryStore upsertMany again, unchanged', docs.length, 0, sm2, 'wall clock'));

  const m = await mongoForBench();
  try {
    const n = Number(process.env.BENCH_MD_STORE_ROWS ?? 20_000);
    const part = docs.slice(0, n);
    const store = await MongoStore.connect({ url: m.url, dbName: `bench_md_${process.pid}` });
    try {
      const repo = store.repository<CandleDoc>(def);
      await repo.init();
      const [, sw] = await wall(async () => {
        for (let i = 0; i < part.length; i += 5000) await repo.upsertMany(part.slice(i, i + 5000));
      });
      rows.push(row('MongoStore upsertMany (batches of 5,000), new', part.length, 0, sw, m.note));
      const [, sw2] = await wall(async () => {
        for (let i = 0; i < part.length; i += 5000) await repo.upsertMany(part.slice(i, i + 5000));
      });
      rows.push(row('MongoStore upsertMany again, unchanged', part.length, 0, sw2, m.note));
      await store.dropDatabase();
    } finally {
      await store.close();
    }
    const { MongoClient } = await import('mongodb');
    const client = await MongoClient.connect(m.url);
    try {
      const db = client.db(`bench_md_raw_${process.pid}`);
      const coll = db.collection<CandleDoc>('candles');
      await coll.createIndex({ exchange: 1, symbol: 1, timeframe: 1, openTime: 1, _id: 1 });
      const [, sr] = await wall(async () => {
        for (let i = 0; i < part.length; i += 5000) await coll.insertMany(part.slice(i, i + 5000).map((d) => ({ ...d })), { ordered: false });
      });
      rows.push(row('raw driver insertMany (batches of 5,000)', part.length, 0, sr, `${m.note}; no idempotence`));
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  } finally {
    m.stop();
  }
  printTable(HEAD, rows, { title: `Store writes (BTC/USDT 5m; Mongo rows: BENCH_MD_STORE_ROWS, default 20,000)` });
}

/**
 * Free-running replay through Kafka by market-feed's replay driver (bench/src/market-data-replay.ts):
 * the four recorded 5m series (BTC, ETH, XRP, ADA: the keys of a real replay, on three partitions),
 * the first BENCH_MD_REPLAY_ROWS bars of each (default 10,000 -> 40,000 candles).
 */
async function replayRate(): Promise<void> {
  const { benchReplay } = await import('./market-data-replay');
  const n = Number(process.env.BENCH_MD_REPLAY_ROWS ?? 10_000);
  const docs = ['BTC', 'ETH', 'XRP', 'ADA'].flatMap((b) => {
    const series: SeriesId = { exchange: 'binance', symbol: `${b}/USDT`, timeframe: '5m' };
    const rows = (JSON.parse(readFileSync(path.join(D, 'binance-spot', `${b}_USDT-5m.json`), 'utf8')) as number[][]).slice(0, n);
    return rows.map((r) => toCandleDoc(series, { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }));
  });
  const r = await benchReplay(docs, '5m');
  const p = await benchReplay(docs, '5m', 2);
  printTable(HEAD, [
    row(`replay driver, free-running (max speed) -> Kafka md.candles.v1`, r.candles, 0, r.seconds, `${r.eventTimes} event times in publishBatch calls of ~4,000 candles, 3 in flight; ${r.note}`),
    row('  same events, 4,096 event times in flight', r.candles, 0, r.pipelinedSeconds, 'one publishBatch per event time, not awaited each'),
    row('  same events, publishBatch of 5,000 candles (bus ceiling)', r.candles, 0, r.chunkedSeconds, 'target >= 50k candles/s'),
    row(`replay driver as above, KAFKA_PRODUCER_THREADS=2`, p.candles, 0, p.seconds, 'the bus produces through two kafkajs producers in worker threads, routed by key; target >= 50k candles/s'),
    row('  same events, 4,096 event times in flight, 2 producer threads', p.candles, 0, p.pipelinedSeconds, ''),
    row('  same events, publishBatch of 5,000 candles, 2 producer threads', p.candles, 0, p.chunkedSeconds, ''),
  ], { title: `Replay (BTC, ETH, XRP, ADA /USDT 5m, first BENCH_MD_REPLAY_ROWS = ${n.toLocaleString('en-US')} bars each; wall clock)` });
}

/** BENCH_MD_ONLY=replay runs the replay part alone (no parse, importer or store rows). */
export async function run(): Promise<void> {
  if (process.env.BENCH_MD_ONLY !== 'replay') {
    const docs = await parseAndImport();
    console.log('');
    await storeWrites(docs);
    console.log('');
  }
  await replayRate();
}

if (require.main === module) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
