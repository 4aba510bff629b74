// Reference: TA-Lib's C code (TA_EMA, default compatibility: SMA seed) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { Ema, ema } from './ema';

describe('ema', () => {
  test.each(RECORDED_FILES)('equals TA-Lib EMA on %s (periods 2, 12, 26, 200)', (file) => {
    const { close } = loadCandles(file);
    for (const p of [2, 12, 26, 200]) {
      expectMatchesTalib(`ema:${p}`, ema(close, p), runTalib('EMA', { inReal: close }, { optInTimePeriod: p }), 'outReal');
    }
  });

  test('seed is the SMA of the first n values, then k = 2/(n+1)', () => {
    // n = 3, k = 0.5: seed (1+2+3)/3 = 2; then (10-2)*0.5+2 = 6; (0-6)*0.5+6 = 3
    expect(Array.from(ema(new Float64Array([1, 2, 3, 10, 0]), 3))).toEqual([NaN, NaN, 2, 6, 3]);
  });

  test('seedAt delays the seed to the SMA of the last n values (MACD alignment)', () => {
    const e = new Ema(2, 4);
    expect([1, 2, 3, 5].map((x) => e.update(x))).toEqual([null, null, null, 4]); // (3+5)/2
    expect(e.update(8)).toBe((8 - 4) * (2 / 3) + 4);
  });
});
