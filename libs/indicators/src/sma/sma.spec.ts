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

  it("update and updateCloseInto (one input, unrolled) give run()'s values and state bit for bit, restored state included (periods 1-7, 30)", () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 1000 + 0.1;
    for (const period of [1, 2, 3, 4, 5, 6, 7, 30]) {
      const xs = Float64Array.from({ length: 550 }, rnd);
      // the reference: run() over the whole series at once (its seam and array paths)
      const ref = new Sma(period);
      const want = new Float64Array(xs.length);
      ref.run(xs, 0, 500, want);
      const a = new Sma(period);
      const b = new Sma(period);
      const out = new Float64Array(1);
      for (let i = 0; i < 500; i++) {
        const u = a.update(xs[i]!);
        b.updateCloseInto({ close: xs[i]! }, out, 0);
        expect(Object.is(u === null ? NaN : u, want[i])).toBe(true);
        expect(Object.is(out[0], want[i])).toBe(true);
      }
      expect(a.getState()).toEqual(ref.getState());
      expect(b.getState()).toEqual(ref.getState());
      ref.run(xs, 500, 550, want);
      const c = Sma.fromState(b.getState());
      for (let i = 500; i < 550; i++) {
        c.updateCloseInto({ close: xs[i]! }, out, 0);
        expect(Object.is(out[0], want[i])).toBe(true);
      }
      expect(c.getState()).toEqual(ref.getState());
    }
  });
});
