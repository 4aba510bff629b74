/**
 * Market-data bench: parse + validate rate of the importers (rows/s, with data sizes) and the store
 * write rate of upsertMany against a raw driver insertMany. Target: parse + validate >= 1M rows/s.
 *
 * Run: `node -r ./tools/register.cjs bench/src/market-data.ts` (MONGO_URL set: also FerretDB/MongoDB).
 * Data: the recorded files in DATA_DIR (../shared/data), read in place.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  candleFromJsonElement, importCandleFile, importQuoteFile, importTradeFile, parseNumericRow, resolveDataDir, toCandleDoc,
  type CandleDoc, type SeriesId, type UpsertSink,
} from '@atp/market-data';
import { MemoryStore, MongoStore } from '@atp/storage';

const nullSink: UpsertSink<{ _id: string }> = { upsertMany: async (d) => ({ inserted: d.length, modified: 0, unchanged: 0 }) };
const D = resolveDataDir();
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}

function line(name: string, rows: number, bytes: number, secs: number): void {
  console.log(`${name.padEnd(52)} ${String(rows).padStart(9)} rows ${mb(bytes).padStart(7)} MB ${(rows / secs / 1e6).toFixed(2).padStart(6)} M rows/s ${(bytes / secs / 1e6).toFixed(0).padStart(5)} MB/s`);
}

export async function run(): Promise<void> {
  const files = ['BTC', 'ETH', 'XRP', 'ADA'].flatMap((b) => (['1h', '5m'] as const).map((tf) => [b, tf] as const));
  // 1. Pure parse + validate of the freqtrade JSON rows (text already in memory).
  const texts = files.map(([b, tf]) => readFileSync(path.join(D, 'binance-spot', `${b}_USDT-${tf}.json`), 'utf8'));
  const bytes = texts.reduce((s, t) => s + t.length, 0);
  for (let rep = 0; rep < 2; rep++) {
    const [rows, secs] = await timed(() => {
      let n = 0;
      for (const t of texts) {
        // Rows are "[...],[...]": split on the row boundary, then the numeric fast path and checkBar.
        const body = t.slice(1, -1);
        for (const el of body.split(/\],\s*\[/)) {
          const txt = el.startsWith('[') ? (el.endsWith(']') ? el : `${el}]`) : el.endsWith(']') ? `[${el}` : `[${el}]`;
          const nums = parseNumericRow(txt);
          if (nums && candleFromJsonElement(nums).kind === 'candle') n++;
        }
      }
      return n;
    });
    line(`candles JSON parse+validate, in memory (run ${rep + 1})`, rows, bytes, secs);
  }
  // 2. Full importer (streaming read + scan + parse + validate + batching) into a null sink.
  let rows = 0;
  let fbytes = 0;
  const [, s2] = await timed(async () => {
    for (const [b, tf] of files) {
      const f = path.join(D, 'binance-spot', `${b}_USDT-${tf}.json`);
      fbytes += statSync(f).size;
      const r = await importCandleFile(f, { series: { exchange: 'binance', symbol: `${b}/USDT`, timeframe: tf }, sink: nullSink as UpsertSink<CandleDoc> });
      rows += r.candles;
    }
  });
  line('importCandleFile JSON (8 files), null sink', rows, fbytes, s2);
  // 3. CSV importer on a generated CSV (the 4 recorded 5m files as CSV with a header, in a temp dir).
  const dir = mkdtempSync(path.join(tmpdir(), 'md-bench-'));
  try {
    const csv = path.join(dir, 'candles.csv');
    const all = texts.filter((_, i) => files[i]![1] === '5m').flatMap((t) => JSON.parse(t) as number[][]);
    // Shift each symbol's block so open times stay unique and ascending in one series.
    const step = 300_000;
    writeFileSync(csv, ['timestamp,open,high,low,close,volume', ...all.map((r, i) => `${1_599_999_900_000 + i * step},${r[1]},${r[2]},${r[3]},${r[4]},${r[5]}`)].join('\n'));
    const [r3, s3] = await timed(() => importCandleFile(csv, { series: { exchange: 'x', symbol: 'A/B', timeframe: '5m' }, sink: nullSink as UpsertSink<CandleDoc> }));
    line('importCandleFile CSV (generated from 5m files), null sink', r3.candles, statSync(csv).size, s3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // 4. Tick importers.
  for (const [f, o] of [
    ['ticks/nautilus/tardis_binance-futures_BTCUSDT_trades.csv', { format: 'tardis-trades' }],
    ['trades/freqtrade/XRP_ETH-trades.json.gz', { format: 'freqtrade-trades', exchange: 'binance', symbol: 'XRP/ETH' }],
    ['ticks/hftbacktest/usdm_btcusdt_20240808.jsonl.gz', { format: 'hftbacktest', exchange: 'binanceusdm' }],
  ] as const) {
    const [r, s] = await timed(() => importTradeFile(path.join(D, f), { ...o, sink: nullSink } as Parameters<typeof importTradeFile>[1]));
    line(`importTradeFile ${o.format}`, r.trades, statSync(path.join(D, f)).size, s);
  }
  const [q, sq] = await timed(() => importQuoteFile(path.join(D, 'ticks/nautilus/tardis_binance-futures_BTCUSDT_quotes.csv'), { format: 'tardis-quotes', sink: nullSink }));
  line('importQuoteFile tardis-quotes', q.quotes, statSync(path.join(D, 'ticks/nautilus/tardis_binance-futures_BTCUSDT_quotes.csv')).size, sq);

  // 5. Store writes: MemoryStore upsertMany; with MONGO_URL, MongoStore upsertMany vs raw insertMany.
  const series: SeriesId = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' };
  const docs = (JSON.parse(texts[files.findIndex(([b, tf]) => b === 'BTC' && tf === '5m')]!) as number[][]).map((r) =>
    toCandleDoc(series, { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }),
  );
  const mem = new MemoryStore().repository<CandleDoc>({ name: 'candles', timeField: 'openTime', partitionFields: ['exchange', 'symbol', 'timeframe'] });
  await mem.init();
  const [, sm] = await timed(async () => {
    for (let i = 0; i < docs.length; i += 5000) await mem.upsertMany(docs.slice(i, i + 5000));
  });
  line('MemoryStore upsertMany (batches of 5,000)', docs.length, 0, sm);
  const url = process.env.MONGO_URL;
  if (!url) {
    console.log('MONGO_URL not set: MongoStore vs raw insertMany skipped (run under `npm test` infra or infra/up.sh).');
    return;
  }
  const store = await MongoStore.connect({ url, dbName: `bench_md_${process.pid}` });
  try {
    const repo = store.repository<CandleDoc>({ name: 'candles', timeField: 'openTime', partitionFields: ['exchange', 'symbol', 'timeframe'] });
    await repo.init();
    const [, sw] = await timed(async () => {
      for (let i = 0; i < docs.length; i += 5000) await repo.upsertMany(docs.slice(i, i + 5000));
    });
    line('MongoStore upsertMany (batches of 5,000)', docs.length, 0, sw);
    const { MongoClient } = await import('mongodb');
    const client = await MongoClient.connect(url);
    try {
      const coll = client.db(`bench_md_raw_${process.pid}`).collection<CandleDoc>('candles');
      const [, sr] = await timed(async () => {
        for (let i = 0; i < docs.length; i += 5000) await coll.insertMany(docs.slice(i, i + 5000).map((d) => ({ ...d })), { ordered: false });
      });
      line('raw driver insertMany (batches of 5,000)', docs.length, 0, sr);
      await client.db(`bench_md_raw_${process.pid}`).dropDatabase();
    } finally {
      await client.close();
    }
    await repo.deleteMany({});
  } finally {
    await store.close();
  }
}

if (require.main === module) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
