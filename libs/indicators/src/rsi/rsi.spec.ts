// Reference: TA-Lib's C code (TA_RSI, no unstable period) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { rsi } from './rsi';

describe('rsi', () => {
  test.each(RECORDED_FILES)('equals TA-Lib RSI on %s (periods 2, 14, 50)', (file) => {
    const { close } = loadCandles(file);
    for (const p of [2, 14, 50]) {
      expectMatchesTalib(`rsi:${p}`, rsi(close, p), runTalib('RSI', { inReal: close }, { optInTimePeriod: p }), 'outReal');
    }
  });

  test('a flat series has RSI 0 (TA-Lib guards the 0/0) and a rising one 100', () => {
    expect(Array.from(rsi(new Float64Array([5, 5, 5, 5]), 2))).toEqual([NaN, NaN, 0, 0]);
    expect(Array.from(rsi(new Float64Array([1, 2, 3, 4]), 2))).toEqual([NaN, NaN, 100, 100]);
  });
});
