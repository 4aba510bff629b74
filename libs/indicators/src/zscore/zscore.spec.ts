// Not in TA-Lib: expected values worked by hand from the definition
// z = (x - mean) / population sd over the last n values (current included).
import { ZScore, zscore } from './zscore';

describe('zscore', () => {
  test('n = 5 over seven values', () => {
    const z = zscore(new Float64Array([1, 2, 3, 4, 5, 10, 10]), 5);
    expect(Array.from(z.subarray(0, 4))).toEqual([NaN, NaN, NaN, NaN]);
    // i=4: window 1..5, mean 3, squared deviations 4+1+0+1+4 = 10, var 10/5 = 2, z = (5-3)/sqrt(2) = 1.414213562373095
    expect(z[4]).toBeCloseTo(1.414213562373095, 12);
    // i=5: window 2,3,4,5,10, mean 24/5 = 4.8, squares 7.84+3.24+0.64+0.04+27.04 = 38.8, var 7.76,
    //      z = (10-4.8)/sqrt(7.76) = 1.8666912124061192
    expect(z[5]).toBeCloseTo(1.8666912124061192, 12);
    // i=6: window 3,4,5,10,10, mean 32/5 = 6.4, squares 11.56+5.76+1.96+12.96+12.96 = 45.2, var 9.04,
    //      z = (10-6.4)/sqrt(9.04) = 1.1973421894279308
    expect(z[6]).toBeCloseTo(1.1973421894279308, 12);
  });

  test('a flat window has z = 0, also after a varying stretch (no rounding residue)', () => {
    const x = new Float64Array([1, 9, 3, 7, 7, 7, 7, 7, 7, 7, 7]);
    const z = zscore(x, 4);
    expect(Array.from(z.subarray(7))).toEqual([0, 0, 0, 0]);
    const s = new ZScore(3);
    expect([s.update(2), s.update(2), s.update(2)]).toEqual([null, null, 0]);
  });
});
