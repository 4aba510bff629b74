import { decToString, eventIdAt, roundToPlaces, toDecimal, type Side, type Timeframe } from '@atp/core';
import type { DecisionEvent, OrderIntent } from '@atp/contracts';
import type { Bar } from '@atp/indicators';
import type { FeatureVector } from './features';
import type { ParamSpec, ParamValues } from './params';

/** Version of the Strategy interface below. A breaking change is a new version beside this one. */
export const STRATEGY_API_VERSION = 1 as const;

/** An ML model's view on the bar (signals.v1), when the strategy is ML-gated. */
export interface SignalView {
  /** -1 strong sell .. +1 strong buy. */
  readonly score: number;
  readonly probabilities: Readonly<Record<string, number>>;
  readonly model: string;
}

/**
 * What a strategy knows besides the bar: the event time (never a clock), the instrument, its
 * position after step 1-2 of T (fills of T matched, marks at the close of T), and a buffer for the
 * decision inputs. Reused across bars by the backtester: do not keep references to it.
 */
export interface StrategyContext {
  /** Event time T of the bar decided on (its close), Unix ms. */
  readonly time: number;
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Bars seen so far for this symbol, this one included (1 on the first bar). */
  readonly barCount: number;
  /** Signed base position of this strategy on this symbol (> 0 long), float64 view of the exact one. */
  readonly position: number;
  /**
   * Decision inputs, written by the strategy in `inputNames` order (NaN = null on the wire): the
   * values that drove the decision, recorded with it for audit.
   */
  readonly inputs: Float64Array;
}

/** A fill of this strategy's order as `onFill` sees it (float64 view of the exact fill). */
export interface StrategyFill {
  readonly time: number;
  readonly side: Side;
  readonly price: number;
  readonly quantity: number;
  readonly role: string;
}

export interface NoopDecision {
  readonly kind: 'noop';
  /** Why nothing is done, e.g. 'no cross'. Strategies keep these as constants: no allocation per bar. */
  readonly reason: string;
}
export interface IntentDecision {
  readonly kind: 'intent';
  readonly intent: OrderIntent;
}
/** Exactly one per (strategy, symbol, bar): an order intent or an explicit no-op. */
export type Decision = NoopDecision | IntentDecision;

/** Frozen no-op decisions, one per reason: return the same object every bar. */
export function noop(reason: string): NoopDecision {
  return Object.freeze({ kind: 'noop', reason });
}
export const WARMUP: NoopDecision = noop('warm-up');

/**
 * Strategy v1 (freqtrade-like): a deterministic function of the bars, features and signals it has
 * been fed, one instance per (strategy, symbol).
 *
 * Contract:
 * - declares `id` (instance), `name` (registry), `version` (code version + parameters), its
 *   parameters, the indicator specs it needs (`features`), how many bars it needs before deciding
 *   (`warmupBars`, freqtrade's startup candle count) and the names of the inputs it records;
 * - `onBar` is called once per closed bar T, in time order, and returns ONE decision; it may keep
 *   state across bars but reads nothing but its arguments: no clock, no I/O, no randomness, and no
 *   bar after T (so truncating the history after T never changes a decision at or before T);
 * - intents say what position is wanted (long / flat / short), how to enter (market or limit),
 *   protective levels and a reason; sizing is risk's job;
 * - `onFill` (optional) tells the strategy its order filled; it must not emit decisions.
 */
export interface Strategy {
  readonly apiVersion: typeof STRATEGY_API_VERSION;
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly params: ParamValues;
  readonly warmupBars: number;
  readonly features: readonly string[];
  readonly inputNames: readonly string[];
  onBar(candle: Bar, features: FeatureVector, signals: SignalView | undefined, ctx: StrategyContext): Decision;
  onFill?(fill: StrategyFill, ctx: StrategyContext): void;
}

/** A registry entry: the strategy's name, documentation, declared parameters and factory. */
export interface StrategyDefinition {
  readonly name: string;
  /** Code version; the instance version is `<version>+<params>`. */
  readonly version: string;
  readonly description: string;
  readonly parameters: readonly ParamSpec[];
  /** New instance for one symbol. Throws a RangeError naming a bad parameter. */
  create(params?: Readonly<Record<string, unknown>>, id?: string): Strategy;
}

/** Price level from a float computation as a decimal string (through `toDecimal`), 8 places. */
export function priceString(x: number, places = 8): string {
  return decToString(roundToPlaces(toDecimal(x), places, 'half-away-from-zero'));
}

/**
 * Deterministic decision id: (run, strategy, instrument, decision time); exactly core's
 * `eventIdFrom('decision', runId, strategyId, exchange, symbol, decisionTime)`, made by core's
 * `eventIdAt` (the parts' bytes kept from one id to the next of the same slot).
 */
export function decisionId(runId: string, strategyId: string, exchange: string, symbol: string, decisionTime: number): string {
  return eventIdAt(['decision', runId, strategyId, exchange, symbol], decisionTime);
}

/** The `orders.intents.v1` record of one decision; NaN inputs become null. */
export function decisionEvent(args: {
  runId: string;
  strategy: Pick<Strategy, 'id' | 'version' | 'inputNames'>;
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  decisionTime: number;
  decision: Decision;
  inputs: ArrayLike<number>;
  causeIds: readonly string[];
  tsInit: number;
  source?: string;
}): DecisionEvent {
  const inputs: Record<string, number | string | null> = {};
  const names = args.strategy.inputNames;
  for (let i = 0; i < names.length; i++) {
    const x = args.inputs[i]!;
    inputs[names[i]!] = Number.isFinite(x) ? x : null;
  }
  const d = args.decision;
  const id = decisionId(args.runId, args.strategy.id, args.exchange, args.symbol, args.decisionTime);
  // One literal up to `kind`, then an intent's `intent`, then the inputs and causes, assigned in
  // that order (the records' key order), rather than a conditional spread (a runtime copy of an
  // object per record).
  const e: Omit<DecisionEvent, 'intent' | 'inputs' | 'causeIds'> & Partial<Pick<DecisionEvent, 'intent' | 'inputs' | 'causeIds'>> = {
    eventId: id,
    tsEvent: args.decisionTime,
    tsInit: args.tsInit,
    source: args.source ?? 'strategy',
    exchange: args.exchange,
    symbol: args.symbol,
    runId: args.runId,
    decisionId: id,
    strategyId: args.strategy.id,
    strategyVersion: args.strategy.version,
    timeframe: args.timeframe,
    decisionTime: args.decisionTime,
    kind: d.kind,
  };
  if (d.kind === 'intent') e.intent = d.intent;
  else inputs['reason'] = d.reason; // a no-op's reason travels with its inputs (an intent carries its own)
  e.inputs = inputs;
  e.causeIds = args.causeIds.slice();
  return e as DecisionEvent;
}
