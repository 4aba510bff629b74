// Reference: TA-Lib's C code (TA_SMA) via the npm `talib` addon, on recorded Binance candles.
import { expectMatchesTalib, loadCandles, RECORDED_FILES, runTalib } from '../../test-support';
import { Sma, sma } from './sma';

describe('sma', () => {
  test.each(RECORDED_FILES)('equals TA-Lib SMA on %s (periods 2, 20, 30, 200)', (file) => {
    const { close } = loadCandles(file);
    for (const p of [2, 20, 30, 200]) {
      expectMatchesTalib(`sma:${p}`, sma(close, p), runTalib('SMA', { inReal: close }, { optInTimePeriod: p }), 'outReal');
    }
  });

  test('period 1 is the input itself; warmup/isStable follow TA-Lib lookback', () => {
    expect(Array.from(sma(new Float64Array([3, 1, 4]), 1))).toEqual([3, 1, 4]);
    const s = new Sma(3);
    expect(s.warmup).toBe(3);
    expect([s.update(1), s.update(2), s.isStable, s.update(6), s.isStable]).toEqual([null, null, false, 3, true]);
  });

  test('writes into a given output buffer and rejects a short one', () => {
    const out = new Float64Array(4);
    expect(sma(new Float64Array([1, 2, 3, 4]), 2, out)).toBe(out);
    expect(() => sma(new Float64Array(4), 2, new Float64Array(3))).toThrow(/output buffer/);
    expect(() => new Sma(0)).toThrow(RangeError);
  });

  it('updateCloseInto gives update()\'s values bit for bit, restored state included (periods 1-7, 30)', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 1000 + 0.1;
    for (const period of [1, 2, 3, 4, 5, 6, 7, 30]) {
      const a = new Sma(period);
      const b = new Sma(period);
      const out = new Float64Array(1);
      for (let i = 0; i < 500; i++) {
        const x = rnd();
        const want = a.update(x);
        b.updateCloseInto({ close: x }, out, 0);
        expect(Object.is(out[0], want === null ? NaN : want)).toBe(true);
        if (i === 250) expect(b.getState()).toEqual(a.getState());
      }
      expect(b.getState()).toEqual(a.getState());
      const c = Sma.fromState(b.getState());
      for (let i = 0; i < 50; i++) {
        const x = rnd();
        const want = a.update(x);
        c.updateCloseInto({ close: x }, out, 0);
        expect(Object.is(out[0], want === null ? NaN : want)).toBe(true);
      }
    }
  });
});
