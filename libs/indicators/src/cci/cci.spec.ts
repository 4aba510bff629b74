// Reference: TA-Lib's C code (TA_CCI) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { cci } from './cci';

describe('cci', () => {
  test.each(RECORDED_FILES)('equals TA-Lib CCI on %s (periods 2, 14, 20)', (file) => {
    const { high, low, close } = loadCandles(file);
    for (const p of [2, 14, 20]) {
      expectMatchesTalib(`cci:${p}`, cci(high, low, close, p), runTalib('CCI', { high, low, close }, { optInTimePeriod: p }), 'outReal');
    }
  });
});
