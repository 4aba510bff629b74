// Not in TA-Lib: expected values worked by hand from the definition
// middle = EMA(close) (SMA seed, k = 2/(n+1)), bands = middle +/- multiplier * ATR (Wilder, TA-Lib seeding).
import { Keltner, keltner } from './keltner';

const high = new Float64Array([11, 12, 13, 12, 14]);
const low = new Float64Array([9, 10, 11, 9, 10]);
const close = new Float64Array([10, 11, 12, 10, 13]);

describe('keltner', () => {
  test('EMA(3) +/- 2 x ATR(2) over five bars', () => {
    // EMA(3), k = 0.5: seed at i=2 (10+11+12)/3 = 11; i=3 (10-11)*0.5+11 = 10.5; i=4 (13-10.5)*0.5+10.5 = 11.75
    // TR: i=1 max(2, |10-12|, |10-10|) = 2; i=2 max(2, |11-13|, 0) = 2; i=3 max(3, 0, |12-9|) = 3; i=4 max(4, |10-14|, 0) = 4
    // ATR(2): i=2 (2+2)/2 = 2; i=3 (2*1+3)/2 = 2.5; i=4 (2.5*1+4)/2 = 3.25
    // warm-up max(3, 2+1) = 3 bars -> first value at i=2
    // i=2: 11 +/- 4 -> 15 / 7; i=3: 10.5 +/- 5 -> 15.5 / 5.5; i=4: 11.75 +/- 6.5 -> 18.25 / 5.25
    const { upper, middle, lower } = keltner(high, low, close, 3, 2, 2);
    expect(Array.from(middle)).toEqual([NaN, NaN, 11, 10.5, 11.75]);
    expect(Array.from(upper)).toEqual([NaN, NaN, 15, 15.5, 18.25]);
    expect(Array.from(lower)).toEqual([NaN, NaN, 7, 5.5, 5.25]);
  });

  test('warm-up follows the slower part (here ATR(5): 6 bars)', () => {
    const k = new Keltner(3, 5, 1);
    expect(k.warmup).toBe(6);
    expect(Array.from(keltner(high, low, close, 3, 5, 1).middle).every(Number.isNaN)).toBe(true);
  });
});
