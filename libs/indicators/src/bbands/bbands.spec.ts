// Reference: TA-Lib's C code (TA_BBANDS, MA type SMA) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { bbands } from './bbands';

describe('bbands', () => {
  test.each(RECORDED_FILES)('equals TA-Lib BBANDS on %s (20/2/2, 10/1.5/2.5)', (file) => {
    const { close } = loadCandles(file);
    for (const [p, up, dn] of [[20, 2, 2], [10, 1.5, 2.5]]) {
      const mine = bbands(close, p, up, dn);
      const ref = runTalib('BBANDS', { inReal: close }, { optInTimePeriod: p, optInNbDevUp: up, optInNbDevDn: dn, optInMAType: 0 });
      expectMatchesTalib('upper', mine.upper, ref, 'outRealUpperBand');
      expectMatchesTalib('middle', mine.middle, ref, 'outRealMiddleBand');
      expectMatchesTalib('lower', mine.lower, ref, 'outRealLowerBand');
    }
  });
});
