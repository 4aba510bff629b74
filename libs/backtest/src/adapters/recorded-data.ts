import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Timeframe } from '@atp/core';
import { seriesFromRows, type BarSeries } from '../series';

/** The shared data folder: `$DATA_DIR`, else `<repo>/../shared/data`. */
export function dataDir(): string {
  return process.env.DATA_DIR ?? path.resolve(__dirname, '../../../../..', 'shared/data');
}

/**
 * Reads recorded Binance candles in place (freqtrade layout `[openTimeMs, o, h, l, c, v]`,
 * `binance-spot/BTC_USDT-1h.json`). Throws when the file is missing or malformed.
 */
export function loadRecordedSeries(symbol: string, timeframe: Timeframe, dir: string = dataDir()): BarSeries {
  const file = path.join(dir, 'binance-spot', `${symbol.replace('/', '_')}-${timeframe}.json`);
  const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as number[][];
  return seriesFromRows('binance', symbol, timeframe, rows);
}

/** The recorded symbols available for a timeframe. */
export function recordedSymbols(timeframe: Timeframe, dir: string = dataDir()): string[] {
  const suffix = `-${timeframe}.json`;
  return fs
    .readdirSync(path.join(dir, 'binance-spot'))
    .filter((f) => f.endsWith(suffix))
    .map((f) => f.slice(0, -suffix.length).replace('_', '/'))
    .sort();
}
