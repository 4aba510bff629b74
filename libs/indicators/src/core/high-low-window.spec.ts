import { mulberry32 } from '../../test-support';
import { HighLowWindow } from './high-low-window';

/** Reference: the definition, max/min over the window by brute force. */
function naive(x: Float64Array, n: number, highest: boolean): Float64Array {
  return x.map((_, i) => {
    const w = x.subarray(Math.max(0, i - n + 1), i + 1);
    return highest ? Math.max(...w) : Math.min(...w);
  });
}

describe('HighLowWindow', () => {
  const rnd = mulberry32(3);
  const series: [string, Float64Array][] = [
    ['random walk', Float64Array.from({ length: 500 }, (_, i) => 100 + Math.sin(i / 7) * 5 + rnd() * 3)],
    ['strictly falling (rescan every bar)', Float64Array.from({ length: 200 }, (_, i) => 1000 - i)],
    ['strictly rising', Float64Array.from({ length: 200 }, (_, i) => i + 1)],
    ['flat with ties', Float64Array.from({ length: 200 }, (_, i) => 5 + (i % 3 === 0 ? 1 : 0))],
  ];
  test.each(series)('%s: equals brute-force max/min for n = 1, 2, 5, 20 (batch and one bar at a time)', (_name, x) => {
    for (const n of [1, 2, 5, 20]) {
      const hi = new Float64Array(x.length);
      const lo = new Float64Array(x.length);
      new HighLowWindow(n).run(x, x, 0, x.length, hi, lo);
      expect(Array.from(hi)).toEqual(Array.from(naive(x, n, true)));
      expect(Array.from(lo)).toEqual(Array.from(naive(x, n, false)));
      const w = new HighLowWindow(n);
      const h1 = new Float64Array(x.length);
      const l1 = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) w.run(x, x, i, i + 1, h1, l1);
      expect([Array.from(h1), Array.from(l1)]).toEqual([Array.from(hi), Array.from(lo)]);
    }
  });
});
