// Test-only helpers: load the recorded Binance candles in place from shared/data
// (ARCHITECTURE.md: DATA_DIR or ../shared/data next to the repo). Source of the
// data: iterativv/NostalgiaForInfinity (GPL-3.0), see shared/data/README.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataDir } from '@atp/testing';
import type { OhlcvSeries } from '../src/core/types';

export { dataDir };

/** The recorded files the TA-Lib parity tests run on: all four 1h files and one 5m file. */
export const RECORDED_FILES = ['BTC_USDT-1h.json', 'ETH_USDT-1h.json', 'XRP_USDT-1h.json', 'ADA_USDT-1h.json', 'BTC_USDT-5m.json'];

const cache = new Map<string, OhlcvSeries>();

/** Reads `binance-spot/<file>` ([openTimeMs, open, high, low, close, volume] rows) as columns. */
export function loadCandles(file: string): OhlcvSeries {
  const hit = cache.get(file);
  if (hit) return hit;
  const rows = JSON.parse(fs.readFileSync(path.join(dataDir(), 'binance-spot', file), 'utf8')) as number[][];
  const n = rows.length;
  const s = {
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    s.openTime[i] = r[0];
    s.open[i] = r[1];
    s.high[i] = r[2];
    s.low[i] = r[3];
    s.close[i] = r[4];
    s.volume[i] = r[5];
  });
  cache.set(file, s);
  return s;
}
