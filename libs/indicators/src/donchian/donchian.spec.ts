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
});
