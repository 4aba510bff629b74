// Reference: TA-Lib's C code (TA_ATR, no unstable period) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { atr } from './atr';

describe('atr', () => {
  test.each(RECORDED_FILES)('equals TA-Lib ATR on %s (periods 1, 14, 50)', (file) => {
    const { high, low, close } = loadCandles(file);
    for (const p of [1, 14, 50]) {
      expectMatchesTalib(`atr:${p}`, atr(high, low, close, p), runTalib('ATR', { high, low, close }, { optInTimePeriod: p }), 'outReal');
    }
  });

  test('first value is the SMA of TR over bars 1..n (bar 0 has no TR)', () => {
    const h = new Float64Array([10, 12, 11, 15]);
    const l = new Float64Array([9, 10, 8, 12]);
    const c = new Float64Array([9.5, 11, 9, 14]);
    // TR1 = max(12-10, |9.5-12|, |9.5-10|) = 2.5; TR2 = max(3, |11-11|, |11-8|) = 3; ATR_2 = 2.75
    // TR3 = max(3, |9-15|, |9-12|) = 6; ATR_3 = (2.75*1 + 6)/2 = 4.375
    expect(Array.from(atr(h, l, c, 2))).toEqual([NaN, NaN, 2.75, 4.375]);
  });
});
