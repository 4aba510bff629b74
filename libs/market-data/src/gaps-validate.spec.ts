import { findGaps, scanSeries } from './gaps';
import { checkBar, validateBars } from './validate';
import type { Candle } from './candle';

const H = 3_600_000;
const bar = (t: number, o = 10, h = 12, l = 9, c = 11, v = 1): Candle => ({ openTime: t, open: o, high: h, low: l, close: c, volume: v });

describe('gap detection', () => {
  it('reports gaps as ranges of missing open times with bar counts', () => {
    expect(findGaps([0, H, 4 * H, 5 * H, 7 * H], '1h')).toEqual([
      { from: 2 * H, to: 3 * H, missingBars: 2 },
      { from: 6 * H, to: 6 * H, missingBars: 1 },
    ]);
  });
  it('reports leading and trailing missing bars against an expected range', () => {
    expect(findGaps([2 * H, 3 * H], '1h', { expectFrom: 0, expectTo: 5 * H })).toEqual([
      { from: 0, to: H, missingBars: 2 },
      { from: 4 * H, to: 5 * H, missingBars: 2 },
    ]);
    expect(findGaps([], '1h', { expectFrom: 0, expectTo: H })).toEqual([{ from: 0, to: H, missingBars: 2 }]);
  });
  it('throws on unsorted input; scanSeries handles it and finds duplicates, disorder and misalignment', () => {
    expect(() => findGaps([H, 0], '1h')).toThrow(RangeError);
    const r = scanSeries([3 * H, 0, H, H, 5 * H + 1], '1h');
    expect(r.duplicates).toEqual([H]);
    expect(r.outOfOrder).toEqual([1]);
    expect(r.misaligned).toEqual([4]);
    expect(r.first).toBe(0);
    expect(r.gaps[0]).toEqual({ from: 2 * H, to: 2 * H, missingBars: 1 });
  });
});

describe('bar validation', () => {
  it.each([
    [bar(0, NaN), 'non-finite-price'],
    [bar(0, 10, 12, 9, Infinity), 'non-finite-price'],
    [bar(0, 0), 'non-positive-price'],
    [bar(0, 10, 12, -1, 11), 'non-positive-price'],
    [bar(0, 10, 8, 9, 9), 'high-below-low'],
    [bar(0, 13, 12, 9, 11), 'open-outside-range'],
    [bar(0, 10, 12, 9, 8.5), 'close-outside-range'],
    [bar(0, 10, 12, 9, 11, -1), 'bad-volume'],
    [bar(NaN), 'non-finite-time'],
  ])('rejects %j as %s', (c, problem) => {
    expect(checkBar(c)?.problem).toBe(problem);
  });
  it('checks alignment when given a timeframe, and accepts a good bar', () => {
    expect(checkBar(bar(H + 1), '1h')?.problem).toBe('misaligned-time');
    expect(checkBar(bar(H), '1h')).toBeNull();
  });
  it('flags duplicates and out-of-order bars with their index and keeps the first good ones', () => {
    const r = validateBars([bar(0), bar(H), bar(H), bar(0.5 * H, 10, 12, 9, 11), bar(2 * H, 10, 8, 9, 9), bar(3 * H)]);
    expect(r.valid.map((c) => c.openTime)).toEqual([0, H, 3 * H]);
    expect(r.issues.map((i) => [i.index, i.problem])).toEqual([
      [2, 'duplicate'],
      [3, 'out-of-order'],
      [4, 'high-below-low'],
    ]);
    expect(r.issues[1]!.detail).toContain('< previous');
  });
  it('sort: true accepts a reversed series', () => {
    const r = validateBars([bar(2 * H), bar(H), bar(0)], { sort: true, timeframe: '1h' });
    expect(r.issues).toEqual([]);
    expect(r.valid.map((c) => c.openTime)).toEqual([0, H, 2 * H]);
  });
});
