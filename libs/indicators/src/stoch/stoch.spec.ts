// Reference: TA-Lib's C code (TA_STOCH, SMA smoothing) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { stoch } from './stoch';

describe('stoch', () => {
  test.each(RECORDED_FILES)('equals TA-Lib STOCH on %s (5/3/3, 14/3/3, 9/1/1)', (file) => {
    const { high, low, close } = loadCandles(file);
    for (const [k, sk, sd] of [[5, 3, 3], [14, 3, 3], [9, 1, 1]]) {
      const mine = stoch(high, low, close, k, sk, sd);
      const ref = runTalib('STOCH', { high, low, close }, { optInFastK_Period: k, optInSlowK_Period: sk, optInSlowK_MAType: 0, optInSlowD_Period: sd, optInSlowD_MAType: 0 });
      expectMatchesTalib('slowK', mine.k, ref, 'outSlowK');
      expectMatchesTalib('slowD', mine.d, ref, 'outSlowD');
    }
  });
});
