import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { CandleDoc } from '../candle';
import type { ProgressCallback, UpsertSink } from '../sink';
import { importCandleFile, parseCandleFileName, type ImportCandlesResult } from './import-candles';
import { resolveDataDir } from './files';

/**
 * Imports the recorded Binance spot candles (`<dataDir>/binance-spot/<BASE>_<QUOTE>-<tf>.json`,
 * freqtrade layout) into `sink` as exchange `binance`. Optional filters pick symbols and timeframes.
 */
export async function importRecordedCandles(opts: {
  sink: UpsertSink<CandleDoc>;
  dataDir?: string;
  symbols?: readonly string[];
  timeframes?: readonly string[];
  onProgress?: ProgressCallback;
  /** Documents per `upsertMany` (default: importCandleFile's). */
  batchSize?: number;
}): Promise<ImportCandlesResult[]> {
  const dir = path.join(opts.dataDir ?? resolveDataDir(), 'binance-spot');
  const out: ImportCandlesResult[] = [];
  for (const name of readdirSync(dir).sort()) {
    const id = parseCandleFileName(name);
    if (!id) continue;
    if (opts.symbols && !opts.symbols.includes(id.symbol)) continue;
    if (opts.timeframes && !opts.timeframes.includes(id.timeframe)) continue;
    out.push(await importCandleFile(path.join(dir, name), { series: { exchange: 'binance', ...id }, sink: opts.sink, format: 'json', batchSize: opts.batchSize, onProgress: opts.onProgress }));
  }
  return out;
}
