import { loadCandles, RECORDED_FILES } from '../../test-support';
import type { Bar } from '../core/types';
import { BarSequenceChecker, checkBar, isGap, missingBars } from './check-bar';

const good: Bar = { openTime: 3_600_000, open: 10, high: 11, low: 9, close: 10.5, volume: 3 };

describe('checkBar', () => {
  test('a good bar has no problem', () => {
    expect(checkBar(null, good)).toBeNull();
    expect(checkBar({ openTime: 0 }, good)).toBeNull();
  });

  test.each([
    [{ close: NaN }, 'non-finite-price'],
    [{ high: Infinity }, 'non-finite-price'],
    [{ low: 0 }, 'non-positive-price'],
    [{ open: -1 }, 'non-positive-price'],
    [{ high: 8, low: 9, open: 8.5, close: 8.5 }, 'high-below-low'],
    [{ close: 12 }, 'open-close-outside-range'],
    [{ volume: -1 }, 'invalid-volume'],
    [{ volume: NaN }, 'invalid-volume'],
    [{ openTime: 1.5 }, 'invalid-open-time'],
  ])('reports %j as %s', (patch, problem) => {
    expect(checkBar(null, { ...good, ...patch })).toBe(problem);
  });

  test('reports duplicate and out-of-order open times against the previous bar', () => {
    expect(checkBar({ openTime: good.openTime }, good)).toBe('duplicate-open-time');
    expect(checkBar({ openTime: good.openTime + 1 }, good)).toBe('out-of-order-open-time');
  });
});

describe('gaps', () => {
  test('isGap / missingBars', () => {
    expect(isGap(0, 3_600_000, 3_600_000)).toBe(false);
    expect(isGap(0, 7_200_000, 3_600_000)).toBe(true);
    expect(missingBars(0, 3 * 3_600_000, 3_600_000)).toBe(2);
    expect(missingBars(0, 3_600_000, 3_600_000)).toBe(0);
  });

  test.each(RECORDED_FILES.filter((f) => f.endsWith('-1h.json')))('recorded %s: every bar passes, 6 gaps flag 11 missing hours', (file) => {
    // Data: Binance spot 1h (iterativv/NostalgiaForInfinity, GPL-3.0; see shared/data/README.md), which
    // documents 6 maintenance gaps and 11 missing 1h bars per symbol.
    const s = loadCandles(file);
    const checker = new BarSequenceChecker(3_600_000);
    let gaps = 0;
    let missing = 0;
    for (let i = 0; i < s.close.length; i++) {
      const r = checker.check({ openTime: s.openTime[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] });
      expect(r.problem).toBeNull();
      if (r.gapBefore) {
        gaps++;
        missing += missingBars(s.openTime[i - 1], s.openTime[i], 3_600_000);
      }
    }
    expect([gaps, missing]).toEqual([6, 11]);
  });

  test('a rejected bar does not move the sequence forward', () => {
    const c = new BarSequenceChecker(3_600_000);
    expect(c.check(good).problem).toBeNull();
    expect(c.check({ ...good, openTime: good.openTime + 3_600_000, close: NaN }).problem).toBe('non-finite-price');
    expect(c.check({ ...good, openTime: good.openTime + 3_600_000 })).toEqual({ problem: null, gapBefore: false });
  });
});
