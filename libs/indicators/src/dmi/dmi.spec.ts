// Reference: TA-Lib's C code (TA_ADX, TA_PLUS_DI, TA_MINUS_DI, no unstable period) via npm `talib`.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { adx, Dmi, dmi } from './dmi';

describe('dmi', () => {
  test.each(RECORDED_FILES)('equals TA-Lib ADX, PLUS_DI and MINUS_DI on %s (periods 2, 14, 30)', (file) => {
    const { high, low, close } = loadCandles(file);
    for (const p of [2, 14, 30]) {
      const mine = dmi(high, low, close, p);
      expectMatchesTalib(`adx:${p}`, mine.adx, runTalib('ADX', { high, low, close }, { optInTimePeriod: p }), 'outReal');
      expectMatchesTalib(`plus_di:${p}`, mine.plusDi, runTalib('PLUS_DI', { high, low, close }, { optInTimePeriod: p }), 'outReal');
      expectMatchesTalib(`minus_di:${p}`, mine.minusDi, runTalib('MINUS_DI', { high, low, close }, { optInTimePeriod: p }), 'outReal');
      expect(Array.from(adx(high, low, close, p))).toEqual(Array.from(mine.adx));
    }
  });

  test('streaming: DIs from bar n+1, ADX from bar 2n', () => {
    const d = new Dmi(2);
    const bars = [
      { high: 10, low: 9, close: 9.5 },
      { high: 11, low: 9.5, close: 10.5 },
      { high: 12, low: 10, close: 11 },
      { high: 11.5, low: 10.5, close: 11 },
    ];
    const out = bars.map((b) => d.update(b));
    expect(out[0]).toBeNull();
    expect(out[1]).toBeNull();
    expect(out[2]?.adx).toBeNull();
    expect(out[2]?.plusDi).toBeGreaterThan(0);
    expect(typeof out[3]?.adx).toBe('number');
    expect(d.isStable).toBe(true);
  });
});
