/**
 * The bench entries `npm run bench` runs, in order. Add yours here; select some
 * with `npm run bench -- <name> [<name>...]`.
 */
export interface BenchEntry {
  name: string;
  description: string;
  run: () => Promise<void>;
}

export const entries: BenchEntry[] = [
  {
    name: 'indicators',
    description: 'ns/bar of every indicator, batch and streaming, vs TA-Lib C (Python wheel), npm talib and technicalindicators',
    run: () => import('./indicators').then((m) => m.run()),
  },
  {
    name: 'backtest',
    description: 'bars/s of the MA-crossover backtest (recorded 1h, 5m, 1M synthetic) vs backtrader (Python venv) and a bare crossover loop; 1h backtest + report time',
    run: () => import('./backtest').then((m) => m.run()),
  },
  { name: 'market-data', description: 'importer parse+validate rows/s (target 1M), trade/tick importers, store writes vs raw insertMany on FerretDB, free-running replay through Kafka (target 50k candles/s)', run: () => import('./market-data').then((m) => m.run()) },
  { name: 'bus', description: 'in-process vs Kafka bus on real candles: publish->handle msgs/s and CPU/msg, latency p50/p99 at 1k msgs/s (targets: Kafka p99 < 10 ms, >= 50k msgs/s), plain kafkajs as baseline', run: () => import('./bus').then((m) => m.run()) },
  { name: 'features', description: 'features service throughput (candles/s -> vectors/s) for default-v1 on the recorded 5m data over the in-process bus, with its parts and the backtester floor', run: () => import('./features').then((m) => m.run()) },
  { name: 'storage', description: 'MongoStore.upsertMany vs raw insertMany on FerretDB (target >= 0.8x), re-upsert, write-path variants; MemoryStore upserts and range queries (sorted index vs scan) on the 263k recorded 5m candles', run: () => import('./storage').then((m) => m.run()) },
  {
    name: 'pipeline',
    description: 'strategy+risk+execution+pnl: candle-close -> order-submitted latency p50/p99 at 100 candles/s embedded (target p99 < 1 ms) and over Kafka as separate processes (target p99 < 50 ms); lockstep replay of the four recorded 1h symbols embedded and over Kafka + FerretDB (target < 120 s)',
    run: () => import('./pipeline').then((m) => m.run()),
  },
];
