import { timeframeMs, type Timeframe } from '@atp/core';
import type { DecisionEvent, OrderIntent } from '@atp/contracts';
import { decisionEvent, type Decision, type Strategy } from '@atp/strategies';

/**
 * The decisions of one (strategy, symbol), one record per bar, column-oriented so a run over a
 * million bars allocates nothing per bar: event time, a code (no-op reason index, or -1 - intent
 * index) and the recorded inputs. `toEvents` materialises the `orders.intents.v1` records.
 *
 * A log made with its symbol's bar open times (`barOpenTimes`: record i is the decision on bar i,
 * as in the backtester, which decides once on every bar) stores no times: record i's open time is
 * `barOpenTimes[i]` and its event time that plus the timeframe, the values the backtester's bar
 * carries. `times` and `openTimes` are then made on first read. That saves 16 bytes of fresh
 * memory written per bar (16 MB of first-touched pages in a 1M-bar run). The bar open times are
 * read-only input (a `BarSeries`), read again when the times are.
 */
export class DecisionLog {
  count = 0;
  readonly codes: Int32Array;
  readonly inputs: Float64Array;
  readonly reasons: string[] = [];
  readonly intents: OrderIntent[] = [];
  private readonly reasonIndex = new Map<string, number>();
  private lastReason = '';
  private lastCode = -1;
  readonly width: number;
  /** The stored times, or undefined while they are derived from `barOpenTimes` (not yet read). */
  private timesCol: Float64Array | undefined;
  private openTimesCol: Float64Array | undefined;
  private readonly barOpenTimes: Float64Array | undefined;
  private readonly barMs: number;

  constructor(
    readonly strategy: Pick<Strategy, 'id' | 'version' | 'inputNames'>,
    readonly exchange: string,
    readonly symbol: string,
    readonly timeframe: Timeframe,
    capacity: number,
    barOpenTimes?: Float64Array,
  ) {
    this.width = strategy.inputNames.length;
    this.barOpenTimes = barOpenTimes;
    this.barMs = barOpenTimes === undefined ? NaN : timeframeMs(timeframe);
    if (barOpenTimes === undefined) {
      this.timesCol = new Float64Array(capacity);
      this.openTimesCol = new Float64Array(capacity);
    } else if (barOpenTimes.length < capacity) throw new RangeError(`DecisionLog: ${barOpenTimes.length} bar open times for ${capacity} records`);
    this.codes = new Int32Array(capacity);
    this.inputs = new Float64Array(capacity * this.width);
  }

  /** Event time of each record (the bar's close), Unix ms; entries from `count` on are 0. */
  get times(): Float64Array {
    if (this.timesCol === undefined) this.derive();
    return this.timesCol!;
  }

  /** Open time of each record's bar (its candle), Unix ms; entries from `count` on are 0. */
  get openTimes(): Float64Array {
    if (this.openTimesCol === undefined) this.derive();
    return this.openTimesCol!;
  }

  push(time: number, openTime: number, d: Decision, inputs: Float64Array): void {
    this.pushOf({ time, openTime }, d, inputs);
  }

  /**
   * `push` with the times read from an object: no boxed number per float argument on every bar.
   * A log on bar open times checks that they are the bar's (it throws, recording nothing, if not).
   */
  pushOf(bar: { readonly time: number; readonly openTime: number }, d: Decision, inputs: Float64Array): void {
    const i = this.count;
    const ts = this.timesCol;
    if (ts !== undefined) {
      ts[i] = bar.time;
      this.openTimesCol![i] = bar.openTime;
    } else {
      const ot = this.barOpenTimes![i];
      if (bar.openTime !== ot || bar.time !== ot + this.barMs) throw new RangeError(`DecisionLog ${this.symbol}: record ${i} is not bar ${i} (open time ${bar.openTime}, time ${bar.time}; bar ${ot})`);
    }
    this.count = i + 1;
    if (d.kind === 'noop') {
      let code = this.lastCode;
      if (d.reason !== this.lastReason) {
        const known = this.reasonIndex.get(d.reason);
        code = known ?? this.reasons.push(d.reason) - 1;
        if (known === undefined) this.reasonIndex.set(d.reason, code);
        this.lastReason = d.reason;
        this.lastCode = code;
      }
      this.codes[i] = code;
    } else {
      this.codes[i] = -1 - (this.intents.push(d.intent) - 1);
    }
    const w = this.width;
    const dst = this.inputs;
    for (let k = 0, o = i * w; k < w; k++, o++) dst[o] = inputs[k]; // faster than set() for a few values
  }

  /** Makes the time columns of a log on bar open times (once: they are stored from then on). */
  private derive(): void {
    const n = this.codes.length;
    const ot = this.barOpenTimes!;
    const tf = this.barMs;
    const times = new Float64Array(n);
    const openTimes = new Float64Array(n);
    for (let i = 0; i < this.count; i++) {
      openTimes[i] = ot[i];
      times[i] = ot[i] + tf;
    }
    this.timesCol = times;
    this.openTimesCol = openTimes;
  }

  decisionAt(i: number): Decision {
    const c = this.codes[i];
    return c >= 0 ? { kind: 'noop', reason: this.reasons[c]! } : { kind: 'intent', intent: this.intents[-1 - c]! };
  }

  /** Materialises records [from, to) as `orders.intents.v1` values (ids hashed here, not in the loop). */
  toEvents(runId: string, causeId: (openTime: number) => string, from = 0, to = this.count): DecisionEvent[] {
    const out: DecisionEvent[] = [];
    const times = this.times;
    const openTimes = this.openTimes;
    for (let i = from; i < to; i++) {
      out.push(
        decisionEvent({
          runId,
          strategy: this.strategy,
          exchange: this.exchange,
          symbol: this.symbol,
          timeframe: this.timeframe,
          decisionTime: times[i],
          decision: this.decisionAt(i),
          inputs: this.inputs.subarray(i * this.width, (i + 1) * this.width),
          causeIds: [causeId(openTimes[i])],
          tsInit: times[i],
          source: 'backtest',
        }),
      );
    }
    return out;
  }
}
