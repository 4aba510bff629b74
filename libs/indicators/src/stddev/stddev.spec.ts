// Reference: TA-Lib's C code (TA_STDDEV) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { stddev } from './stddev';

describe('stddev', () => {
  test.each(RECORDED_FILES)('equals TA-Lib STDDEV on %s (5/1, 20/1, 20/2.5)', (file) => {
    const { close } = loadCandles(file);
    for (const [p, k] of [[5, 1], [20, 1], [20, 2.5]]) {
      expectMatchesTalib(`stddev:${p}:${k}`, stddev(close, p, k), runTalib('STDDEV', { inReal: close }, { optInTimePeriod: p, optInNbDev: k }), 'outReal');
    }
  });

  test('population standard deviation (divisor n)', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum 32, /8 = 4, sqrt = 2
    expect(stddev(new Float64Array([2, 4, 4, 4, 5, 5, 7, 9]), 8)[7]).toBeCloseTo(2, 12);
  });
});
