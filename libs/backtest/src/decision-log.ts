import { timeframeMs, type Timeframe } from '@atp/core';
import type { DecisionEvent, OrderIntent } from '@atp/contracts';
import { decisionEvent, type Decision, type Strategy } from '@atp/strategies';

/**
 * The decisions of one (strategy, symbol), one record per bar, column-oriented so a run over a
 * million bars allocates nothing per bar: event time, a code (no-op reason index, or -1 - intent
 * index) and the recorded inputs. `toEvents` materialises the `orders.intents.v1` records.
 *
 * A log made with its symbol's bars (`bars`: record i is the decision on bar i, as in the
 * backtester, which decides once on every bar) stores no times: record i's open time is
 * `bars.openTime[i]` and its event time that plus the timeframe, the values the backtester's bar
 * carries. `times` and `openTimes` are then made on first read. That saves 16 bytes of fresh
 * memory written per bar (16 MB of first-touched pages in a 1M-bar run). The bars are read-only
 * input (a `BarSeries`), read again when the times or inputs are.
 *
 * Inputs are kept by column, and a column is only stored once it needs to be: while every value
 * pushed into it is the same float (bit for bit: NaN equals NaN, 0 is not -0) it is that constant,
 * and in a log on bars, while every value is its bar's close it is read from `bars.close`. A
 * strategy's close input and an input it never sets (NaN) then cost no memory per bar. Values read
 * are the values pushed.
 */
export class DecisionLog {
  count = 0;
  readonly codes: Int32Array;
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
  private readonly barCloses: Float64Array | undefined;
  private readonly barMs: number;
  private readonly capacity: number;
  /** Per input column: COL_UNSEEN (no record yet), COL_CLOSE, COL_CONST or COL_STORED. */
  private readonly modes: Uint8Array;
  /** The value of a COL_CONST column. */
  private readonly consts: Float64Array;
  /** A COL_STORED column's values (capacity long); empty for the other modes. */
  private readonly cols: Float64Array[];
  private rows: Float64Array | undefined;
  private rowsCount = -1;

  constructor(
    readonly strategy: Pick<Strategy, 'id' | 'version' | 'inputNames'>,
    readonly exchange: string,
    readonly symbol: string,
    readonly timeframe: Timeframe,
    capacity: number,
    bars?: { readonly openTime: Float64Array; readonly close: Float64Array },
  ) {
    this.width = strategy.inputNames.length;
    this.capacity = capacity;
    this.barOpenTimes = bars?.openTime;
    this.barCloses = bars?.close;
    this.barMs = bars === undefined ? NaN : timeframeMs(timeframe);
    if (bars === undefined) {
      this.timesCol = new Float64Array(capacity);
      this.openTimesCol = new Float64Array(capacity);
    } else if (bars.openTime.length < capacity || bars.close.length < capacity) throw new RangeError(`DecisionLog: ${Math.min(bars.openTime.length, bars.close.length)} bars for ${capacity} records`);
    this.codes = new Int32Array(capacity);
    this.modes = new Uint8Array(this.width);
    this.consts = new Float64Array(this.width);
    this.cols = Array.from({ length: this.width }, () => EMPTY);
  }

  /**
   * The inputs of every record, row after row (`width` values each; zeros from record `count` on).
   * Made when read (kept until the next push).
   */
  get inputs(): Float64Array {
    if (this.rows === undefined || this.rowsCount !== this.count) {
      const w = this.width;
      const rows = new Float64Array(this.capacity * w);
      for (let k = 0; k < w; k++) for (let i = 0; i < this.count; i++) rows[i * w + k] = this.inputAt(i, k);
      this.rows = rows;
      this.rowsCount = this.count;
    }
    return this.rows;
  }

  /** Input k of record i (i < count). */
  inputAt(i: number, k: number): number {
    const m = this.modes[k];
    return m === COL_STORED ? this.cols[k]![i]! : m === COL_CLOSE ? this.barCloses![i]! : this.consts[k]!;
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
    const modes = this.modes;
    for (let k = 0; k < w; k++) {
      const x = inputs[k];
      const m = modes[k];
      if (m === COL_STORED) this.cols[k]![i] = x;
      else if (m === COL_CLOSE ? !same(x, this.barCloses![i]!) : m === COL_CONST ? !same(x, this.consts[k]!) : true) this.settle(k, i, x);
    }
  }

  /** Input column k takes value x at record i, which its mode does not give: a mode for the first record, else the column is stored. */
  private settle(k: number, i: number, x: number): void {
    const m = this.modes[k];
    if (m === COL_UNSEEN) {
      if (this.barCloses !== undefined && same(x, this.barCloses[i]!)) this.modes[k] = COL_CLOSE;
      else {
        this.modes[k] = COL_CONST;
        this.consts[k] = x;
      }
      return;
    }
    const col = new Float64Array(this.capacity);
    for (let j = 0; j < i; j++) col[j] = this.inputAt(j, k);
    col[i] = x;
    this.cols[k] = col;
    this.modes[k] = COL_STORED;
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
    const w = this.width;
    const row = new Float64Array(w);
    for (let i = from; i < to; i++) {
      for (let k = 0; k < w; k++) row[k] = this.inputAt(i, k);
      out.push(
        decisionEvent({
          runId,
          strategy: this.strategy,
          exchange: this.exchange,
          symbol: this.symbol,
          timeframe: this.timeframe,
          decisionTime: times[i],
          decision: this.decisionAt(i),
          inputs: row, // (read, not kept)
          causeIds: [causeId(openTimes[i])],
          tsInit: times[i],
          source: 'backtest',
        }),
      );
    }
    return out;
  }
}

const COL_UNSEEN = 0;
const COL_CLOSE = 1;
const COL_CONST = 2;
const COL_STORED = 3;
const EMPTY = new Float64Array(0);

/** The same float64 bit for bit, but for NaN's payload: NaN equals NaN, 0 is not -0. */
function same(a: number, b: number): boolean {
  return a === b ? a !== 0 || 1 / a === 1 / b : a !== a && b !== b;
}
