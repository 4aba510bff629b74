import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { expectState, intField, stateObject } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { Ema } from '../ema/ema';

export interface MacdValue {
  macd: number;
  signal: number;
  hist: number;
}

export interface MacdSeries {
  macd: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

/**
 * Moving average convergence/divergence (TA-Lib `MACD`).
 *
 *   macd_t   = EMA_fast(x)_t - EMA_slow(x)_t
 *   signal_t = EMA_signal(macd)_t
 *   hist_t   = macd_t - signal_t
 *
 * EMAs use k = 2/(n+1) and SMA seeds (see `Ema`). As in TA-Lib, the fast EMA is
 * seeded at the slow EMA's first index (input slow - 1) with the SMA of the last
 * `fast` inputs, so the MACD line starts there; the signal EMA starts `signal - 1`
 * inputs later, and all three outputs start together at that index.
 * Units: price (difference of two averages). Lookback (slow - 1) + (signal - 1);
 * `warmup` = slow + signal - 1 inputs. If fast > slow they are swapped (TA-Lib).
 */
export class Macd implements StreamingIndicator<number, MacdValue> {
  static readonly kind = 'macd';
  readonly warmup: number;
  readonly fast: number;
  readonly slow: number;
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  private count = 0;
  private readonly xIn = new Float64Array(1);
  private readonly o = { macd: new Float64Array(1), signal: new Float64Array(1), hist: new Float64Array(1) };

  constructor(fast = 12, slow = 26, readonly signal = 9, parts?: { fastEma: Ema; slowEma: Ema; signalEma: Ema }) {
    checkPeriod('macd', 'fast', fast, 2);
    checkPeriod('macd', 'slow', slow, 2);
    checkPeriod('macd', 'signal', signal, 1);
    if (slow < fast) [fast, slow] = [slow, fast];
    this.fast = fast;
    this.slow = slow;
    this.fastEma = parts?.fastEma ?? new Ema(fast, slow);
    this.slowEma = parts?.slowEma ?? new Ema(slow);
    this.signalEma = parts?.signalEma ?? new Ema(signal);
    this.warmup = slow + signal - 1;
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /**
   * The maths for both forms: consumes input[from..to), writes the three lines
   * at i (NaN in warm-up). The output arrays double as scratch: fast EMA in
   * `macd`, slow EMA in `hist`, then the differences.
   */
  run(input: Float64Array, from: number, to: number, out: MacdSeries): void {
    const { macd, signal, hist } = out;
    const g0 = this.count;
    this.fastEma.run(input, from, to, macd);
    this.slowEma.run(input, from, to, hist);
    // The MACD line exists from input slow - 1 on; feed those values to the signal EMA.
    const lineFrom = Math.min(to, from + Math.max(0, this.slow - 1 - g0));
    for (let i = lineFrom; i < to; i++) macd[i] = macd[i] - hist[i];
    this.signalEma.run(macd, lineFrom, to, signal);
    const outFrom = Math.min(to, from + Math.max(0, this.warmup - 1 - g0));
    for (let i = from; i < outFrom; i++) macd[i] = signal[i] = hist[i] = NaN;
    for (let i = outFrom; i < to; i++) hist[i] = macd[i] - signal[i];
    this.count = g0 + (to - from);
  }

  update(x: number): MacdValue | null {
    this.xIn[0] = x;
    this.run(this.xIn, 0, 1, this.o);
    return this.count >= this.warmup ? { macd: this.o.macd[0], signal: this.o.signal[0], hist: this.o.hist[0] } : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(values: Float64Array): this {
    const n = values.length;
    const out = { macd: new Float64Array(n), signal: new Float64Array(n), hist: new Float64Array(n) };
    for (let i = 0; i < n; i++) this.run(values, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: Macd.kind,
      version: 1,
      fast: this.fast,
      slow: this.slow,
      signal: this.signal,
      count: this.count,
      fastEma: this.fastEma.getState(),
      slowEma: this.slowEma.getState(),
      signalEma: this.signalEma.getState(),
    };
  }

  static fromState(state: IndicatorState): Macd {
    expectState(state, Macd.kind, 1);
    const m = new Macd(intField(state, 'fast'), intField(state, 'slow'), intField(state, 'signal'), {
      fastEma: Ema.fromState(stateObject(state, 'fastEma')),
      slowEma: Ema.fromState(stateObject(state, 'slowEma')),
      signalEma: Ema.fromState(stateObject(state, 'signalEma')),
    });
    m.count = intField(state, 'count');
    return m;
  }
}

/** Batch MACD: NaN for the first (slow - 1) + (signal - 1) values of each line. */
export function macd(input: Float64Array, fast = 12, slow = 26, signal = 9, out?: Partial<MacdSeries>): MacdSeries {
  const len = input.length;
  const o = {
    macd: outputArray(len, out?.macd, 'macd'),
    signal: outputArray(len, out?.signal, 'macd'),
    hist: outputArray(len, out?.hist, 'macd'),
  };
  const x = new Macd(fast, slow, signal);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(input, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}
