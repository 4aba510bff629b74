// Test-only: the shared seeded PRNG (mulberry32, @atp/testing) and synthetic OHLCV series, so
// property tests are reproducible without a dependency.
import { mulberry32 } from '@atp/testing';
import type { OhlcvSeries } from '../src/core/types';

export { mulberry32 };

/**
 * A random-walk candle series: hourly bars from 2021-01-01, close follows a
 * multiplicative walk, high/low straddle open and close, volume in [0, 100).
 * Some bars repeat the previous close, to exercise ties and zero changes.
 */
export function randomSeries(n: number, seed: number, start = 100): OhlcvSeries {
  const rnd = mulberry32(seed);
  const s = {
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let price = start;
  const t0 = Date.UTC(2021, 0, 1);
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = rnd() < 0.1 ? open : open * (1 + (rnd() - 0.5) * 0.04);
    const high = Math.max(open, close) * (1 + rnd() * 0.01);
    const low = Math.min(open, close) * (1 - rnd() * 0.01);
    s.openTime[i] = t0 + i * 3_600_000;
    s.open[i] = open;
    s.high[i] = high;
    s.low[i] = low;
    s.close[i] = close;
    s.volume[i] = rnd() < 0.05 ? 0 : rnd() * 100;
    price = close;
  }
  return s;
}
