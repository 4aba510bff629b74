// Not in TA-Lib as a channel: expected values worked by hand from the definition
// upper = highest high of the last n bars (current included), lower = lowest low, middle = mean of both.
import { Donchian, donchian } from './donchian';

const high = new Float64Array([5, 7, 6, 4, 8, 6]);
const low = new Float64Array([3, 4, 2, 3, 5, 4]);

describe('donchian', () => {
  test('n = 3 over six bars', () => {
    const { upper, middle, lower } = donchian(high, low, 3);
    // i=2: max(5,7,6)=7, min(3,4,2)=2, (7+2)/2=4.5
    // i=3: max(7,6,4)=7, min(4,2,3)=2, 4.5
    // i=4: max(6,4,8)=8, min(2,3,5)=2, 5
    // i=5: max(4,8,6)=8, min(3,5,4)=3, 5.5
    expect(Array.from(upper)).toEqual([NaN, NaN, 7, 7, 8, 8]);
    expect(Array.from(lower)).toEqual([NaN, NaN, 2, 2, 2, 3]);
    expect(Array.from(middle)).toEqual([NaN, NaN, 4.5, 4.5, 5, 5.5]);
  });

  test('streaming: null for the first n - 1 bars, then the channel', () => {
    const d = new Donchian(3);
    const out = Array.from(high, (h, i) => d.update({ high: h, low: low[i] }));
    expect(out.slice(0, 2)).toEqual([null, null]);
    expect(out[5]).toEqual({ upper: 8, middle: 5.5, lower: 3 });
  });

  test('batch equals the streaming form bit for bit: ties, every length around the blocks, NaN and signed zeros', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const cases: [number, number, (i: number) => number][] = [
      [2, 41, () => (1 + Math.round(rnd() * 20)) / 4], // many ties
      [3, 3, () => rnd() * 100],
      [5, 4, () => rnd() * 100], // shorter than the period
      [7, 70, () => rnd() * 100],
      [7, 71, () => rnd() * 100],
      [20, 999, (i) => 100 + Math.sin(i / 7) * 10 + rnd()],
      [4, 60, (i) => (i % 17 === 5 ? NaN : rnd() * 10)],
      [4, 60, (i) => (i % 9 === 3 ? -0 : i % 9 === 4 ? 0 : rnd() - 0.5)],
    ];
    for (const [n, len, gen] of cases) {
      const h = Float64Array.from({ length: len }, (_, i) => gen(i));
      const l = Float64Array.from(h, (x, i) => (i % 11 === 0 ? x : x - rnd()));
      const b = donchian(h, l, n);
      const s = new Donchian(n);
      for (let i = 0; i < len; i++) {
        const c = s.update({ high: h[i], low: l[i] });
        const want = c ?? { upper: NaN, middle: NaN, lower: NaN };
        expect([Object.is(b.upper[i], want.upper), Object.is(b.middle[i], want.middle), Object.is(b.lower[i], want.lower), n, i]).toEqual([true, true, true, n, i]);
      }
    }
  });
});
