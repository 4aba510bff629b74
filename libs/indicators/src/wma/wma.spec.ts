// Reference: TA-Lib's C code (TA_WMA) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { wma } from './wma';

describe('wma', () => {
  test.each(RECORDED_FILES)('equals TA-Lib WMA on %s (periods 2, 20, 30)', (file) => {
    const { close } = loadCandles(file);
    for (const p of [2, 20, 30]) {
      expectMatchesTalib(`wma:${p}`, wma(close, p), runTalib('WMA', { inReal: close }, { optInTimePeriod: p }), 'outReal');
    }
  });

  test('weights n..1 over n(n+1)/2', () => {
    // n = 3: (3*3 + 2*2 + 1*1)/6 = 14/6; then (3*4 + 2*3 + 1*2)/6 = 20/6
    const w = wma(new Float64Array([1, 2, 3, 4]), 3);
    expect(w[3]).toBeCloseTo(20 / 6, 14);
    expect(w[2]).toBeCloseTo(14 / 6, 14);
  });
});
