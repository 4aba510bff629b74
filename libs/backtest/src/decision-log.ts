import type { Timeframe } from '@atp/core';
import type { DecisionEvent, OrderIntent } from '@atp/contracts';
import { decisionEvent, type Decision, type Strategy } from '@atp/strategies';

/**
 * The decisions of one (strategy, symbol), one record per bar, column-oriented so a run over a
 * million bars allocates nothing per bar: event time, a code (no-op reason index, or -1 - intent
 * index) and the recorded inputs. `toEvents` materialises the `orders.intents.v1` records.
 */
export class DecisionLog {
  count = 0;
  readonly times: Float64Array;
  readonly openTimes: Float64Array;
  readonly codes: Int32Array;
  readonly inputs: Float64Array;
  readonly reasons: string[] = [];
  readonly intents: OrderIntent[] = [];
  private readonly reasonIndex = new Map<string, number>();
  private lastReason = '';
  private lastCode = -1;
  readonly width: number;

  constructor(
    readonly strategy: Pick<Strategy, 'id' | 'version' | 'inputNames'>,
    readonly exchange: string,
    readonly symbol: string,
    readonly timeframe: Timeframe,
    capacity: number,
  ) {
    this.width = strategy.inputNames.length;
    this.times = new Float64Array(capacity);
    this.openTimes = new Float64Array(capacity);
    this.codes = new Int32Array(capacity);
    this.inputs = new Float64Array(capacity * this.width);
  }

  push(time: number, openTime: number, d: Decision, inputs: Float64Array): void {
    this.pushOf({ time, openTime }, d, inputs);
  }

  /** `push` with the times read from an object: no boxed number per float argument on every bar. */
  pushOf(bar: { readonly time: number; readonly openTime: number }, d: Decision, inputs: Float64Array): void {
    const i = this.count++;
    this.times[i] = bar.time;
    this.openTimes[i] = bar.openTime;
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

  decisionAt(i: number): Decision {
    const c = this.codes[i];
    return c >= 0 ? { kind: 'noop', reason: this.reasons[c]! } : { kind: 'intent', intent: this.intents[-1 - c]! };
  }

  /** Materialises records [from, to) as `orders.intents.v1` values (ids hashed here, not in the loop). */
  toEvents(runId: string, causeId: (openTime: number) => string, from = 0, to = this.count): DecisionEvent[] {
    const out: DecisionEvent[] = [];
    for (let i = from; i < to; i++) {
      out.push(
        decisionEvent({
          runId,
          strategy: this.strategy,
          exchange: this.exchange,
          symbol: this.symbol,
          timeframe: this.timeframe,
          decisionTime: this.times[i],
          decision: this.decisionAt(i),
          inputs: this.inputs.subarray(i * this.width, (i + 1) * this.width),
          causeIds: [causeId(this.openTimes[i])],
          tsInit: this.times[i],
          source: 'backtest',
        }),
      );
    }
    return out;
  }
}
