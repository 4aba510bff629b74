// Not in TA-Lib: expected values worked by hand from the definition
// VWAP = sum(tp * volume) / sum(volume) since 00:00 UTC, tp = (high + low + close) / 3.
import { Vwap, vwap } from './vwap';

const H = 3_600_000;
const jan1 = Date.UTC(2021, 0, 1);
const bars = [
  { openTime: jan1 + 22 * H, high: 11, low: 9, close: 10, volume: 2 }, // tp 30/3 = 10; pv 20, v 2 -> 10
  { openTime: jan1 + 23 * H, high: 13, low: 11, close: 12, volume: 3 }, // tp 36/3 = 12; pv 20+36 = 56, v 5 -> 11.2
  { openTime: jan1 + 24 * H, high: 21, low: 19, close: 20, volume: 1 }, // new UTC day: reset; tp 20; pv 20, v 1 -> 20
  { openTime: jan1 + 25 * H, high: 23, low: 20, close: 23, volume: 3 }, // tp 66/3 = 22; pv 20+66 = 86, v 4 -> 21.5
  { openTime: jan1 + 26 * H, high: 25, low: 19, close: 19, volume: 0 }, // no volume: sums unchanged -> 21.5
  { openTime: jan1 + 48 * H, high: 30, low: 30, close: 30, volume: 0 }, // next day, no volume yet: the bar's tp, 30
];
const expected = [10, 11.2, 20, 21.5, 21.5, 30];

const col = (k: keyof (typeof bars)[0]) => Float64Array.from(bars.map((b) => b[k]));

describe('vwap (daily anchored)', () => {
  test('batch matches the hand-worked values, resetting at 00:00 UTC', () => {
    const out = vwap(col('openTime'), col('high'), col('low'), col('close'), col('volume'));
    Array.from(out).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  test('streaming gives the same values from the first bar (no warm-up)', () => {
    const w = new Vwap();
    expect(w.warmup).toBe(1);
    bars.forEach((b, i) => expect(w.update({ ...b })).toBeCloseTo(expected[i], 12));
  });
});
