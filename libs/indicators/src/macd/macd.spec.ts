// Reference: TA-Lib's C code (TA_MACD) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { macd, Macd } from './macd';

describe('macd', () => {
  test.each(RECORDED_FILES)('equals TA-Lib MACD on %s (12/26/9, 5/35/5, 26/12/9 swapped)', (file) => {
    const { close } = loadCandles(file);
    for (const [f, s, g] of [[12, 26, 9], [5, 35, 5], [26, 12, 9]]) {
      const mine = macd(close, f, s, g);
      const ref = runTalib('MACD', { inReal: close }, { optInFastPeriod: f, optInSlowPeriod: s, optInSignalPeriod: g });
      expectMatchesTalib('macd', mine.macd, ref, 'outMACD');
      expectMatchesTalib('signal', mine.signal, ref, 'outMACDSignal');
      expectMatchesTalib('hist', mine.hist, ref, 'outMACDHist');
    }
  });

  test('warmup = slow + signal - 1 (TA-Lib lookback 33 for 12/26/9)', () => {
    expect(new Macd().warmup).toBe(34);
  });
});
