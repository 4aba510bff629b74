// Reference: TA-Lib's C code (TA_STOCHF, SMA smoothing) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { stochf } from './stochf';

describe('stochf', () => {
  test.each(RECORDED_FILES)('equals TA-Lib STOCHF on %s (5/3, 14/3, 3/1)', (file) => {
    const { high, low, close } = loadCandles(file);
    for (const [k, d] of [[5, 3], [14, 3], [3, 1]]) {
      const mine = stochf(high, low, close, k, d);
      const ref = runTalib('STOCHF', { high, low, close }, { optInFastK_Period: k, optInFastD_Period: d, optInFastD_MAType: 0 });
      expectMatchesTalib('fastK', mine.k, ref, 'outFastK');
      expectMatchesTalib('fastD', mine.d, ref, 'outFastD');
    }
  });

  test('%K is 0 when the window has no range (TA-Lib guard)', () => {
    const flat = new Float64Array([5, 5, 5]);
    expect(Array.from(stochf(flat, flat, flat, 2, 1).k)).toEqual([NaN, 0, 0]);
  });
});
