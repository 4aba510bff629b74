// Reference: TA-Lib's C code (TA_ROC) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { roc } from './roc';

describe('roc', () => {
  test.each(RECORDED_FILES)('equals TA-Lib ROC on %s (periods 1, 10, 24)', (file) => {
    const { close } = loadCandles(file);
    for (const p of [1, 10, 24]) {
      expectMatchesTalib(`roc:${p}`, roc(close, p), runTalib('ROC', { inReal: close }, { optInTimePeriod: p }), 'outReal');
    }
  });

  test('percent change over n bars; 0 when the old value is 0', () => {
    expect(Array.from(roc(new Float64Array([100, 0, 110, 5]), 2))).toEqual([NaN, NaN, (110 / 100 - 1) * 100, 0]);
  });
});
