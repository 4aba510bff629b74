// Reference: TA-Lib's C code (TA_OBV) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { obv } from './obv';

describe('obv', () => {
  test.each(RECORDED_FILES)('equals TA-Lib OBV on %s', (file) => {
    const { close, volume } = loadCandles(file);
    expectMatchesTalib('obv', obv(close, volume), runTalib('OBV', { inReal: close, volume }), 'outReal');
  });

  test('starts at volume[0], adds on up closes, subtracts on down closes', () => {
    expect(Array.from(obv(new Float64Array([1, 2, 2, 1]), new Float64Array([5, 3, 7, 2])))).toEqual([5, 8, 8, 6]);
  });
});
