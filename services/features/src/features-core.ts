import type { CandleEvent, FeatureVectorEvent } from '@atp/contracts';
import { eventIdFrom, timeframeMs, type Clock } from '@atp/core';
import { checkBar, FeatureSetRunner, isGap, type BarProblem, type FeatureSetDef, type IndicatorState } from '@atp/indicators';

/**
 * The persisted state of one (exchange, symbol, timeframe) stream: every configured set's
 * indicator state and the position (`last`: open time of the last bar applied). Plain JSON.
 * `first` and `holes` (the missing ranges between applied bars, exclusive ends) tell whether an
 * older open time was applied, so a redelivered bar is told apart from an out-of-order one.
 */
export interface StreamState {
  readonly v: 1;
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: CandleEvent['timeframe'];
  first: number;
  last: number;
  /**
   * The gaps: open time of the bar before and after each; bars strictly between were never applied.
   * Objects, not pairs: FerretDB v1 stores no nested arrays.
   */
  holes: { after: number; before: number }[];
  /** Bars applied. */
  bars: number;
  /** Set name -> `FeatureSetRunner.getState()`. */
  sets: Record<string, IndicatorState>;
}

/** At most this many holes are kept per stream (oldest dropped: older bars then count as out of order). */
const MAX_HOLES = 1000;

/** What one candle did. */
export type CandleOutcome =
  | { readonly kind: 'applied'; readonly vectors: FeatureVectorEvent[]; readonly gapBefore: boolean }
  /** Already applied: the last bar again, or an older one redelivered (at-least-once); nothing changes. */
  | { readonly kind: 'duplicate'; readonly reason: 'duplicate-open-time' | 'redelivered' }
  /** Unfit input: a bad bar or an older bar that was never applied (the stream moved past it). */
  | { readonly kind: 'rejected'; readonly reason: BarProblem; readonly detail: string };

interface Stream {
  readonly state: StreamState;
  readonly runners: FeatureSetRunner[];
  readonly tfMs: number;
}

/** The stream key and the id of its snapshot: `exchange:symbol:timeframe`. */
export function streamKey(c: Pick<CandleEvent, 'exchange' | 'symbol' | 'timeframe'>): string {
  return `${c.exchange}:${c.symbol}:${c.timeframe}`;
}

/** Event id of a feature vector: from its cause (the candle's event id) and the set. */
export function featureVectorId(candleEventId: string, set: Pick<FeatureSetDef, 'name' | 'version'>): string {
  return eventIdFrom('features', set.name, set.version, candleEventId);
}

/**
 * The features service's deterministic core, no I/O: per-(exchange, symbol, timeframe) streaming
 * state of the configured feature sets (`FeatureSetRunner`: the registry's streaming indicators, the
 * code the backtester's `FeatureComputer` runs, so values are bit-identical), fed closed bars in
 * open-time order. One `features.v1` vector per set and bar; `stable` once every indicator of the
 * set is past its warm-up; `gapBefore` on the first bar after missing bars (indicators carry their
 * state across the gap, as TA-Lib does on the raw series).
 *
 * Streams are loaded from / saved to snapshots by the caller (`load`, `state`); `forget` drops one
 * (after a failed save, so the retry starts again from the last durable state).
 */
export class FeaturesCore {
  private readonly streams = new Map<string, Stream>();

  constructor(
    readonly sets: readonly FeatureSetDef[],
    private readonly clock: Clock,
    private readonly source = 'features',
  ) {}

  has(key: string): boolean {
    return this.streams.has(key);
  }

  /** Installs a stream from its saved state, or a fresh one (`state` null). A set missing from the state starts fresh. */
  load(c: Pick<CandleEvent, 'exchange' | 'symbol' | 'timeframe'>, state: StreamState | null): { freshSets: string[] } {
    const key = streamKey(c);
    const freshSets: string[] = [];
    const runners = this.sets.map((def) => {
      const s = state?.sets[def.name];
      if (s) return FeatureSetRunner.restore(s, def);
      if (state) freshSets.push(def.name);
      return FeatureSetRunner.create(def);
    });
    const st: StreamState = state
      ? { ...state, holes: state.holes.map((h) => ({ ...h })), sets: { ...state.sets } }
      : { v: 1, exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe, first: -1, last: -1, holes: [], bars: 0, sets: {} };
    this.streams.set(key, { state: st, runners, tfMs: timeframeMs(c.timeframe) });
    return { freshSets };
  }

  forget(key: string): void {
    this.streams.delete(key);
  }

  /** The stream's state, to save (indicator states taken now). Throws for an unknown stream. */
  state(key: string): StreamState {
    const s = this.streams.get(key);
    if (!s) throw new Error(`no feature stream ${key}`);
    this.sets.forEach((def, i) => (s.state.sets[def.name] = s.runners[i]!.getState()));
    return s.state;
  }

  /** Last applied open time of a loaded stream (-1 before the first bar). */
  position(key: string): number {
    return this.streams.get(key)?.state.last ?? -1;
  }

  /**
   * Applies one closed bar to its (loaded) stream. Bad prices, high < low and older bars never
   * applied are rejected with the reason; the last bar again or an older applied one is a duplicate;
   * neither changes the state. Throws only when the stream was not loaded (a caller bug).
   */
  apply(c: CandleEvent): CandleOutcome {
    const key = streamKey(c);
    const s = this.streams.get(key);
    if (!s) throw new Error(`feature stream ${key} not loaded`);
    const st = s.state;
    const prev = st.last >= 0 ? { openTime: st.last } : null;
    const problem = checkBar(prev, c);
    if (problem === 'duplicate-open-time') return { kind: 'duplicate', reason: 'duplicate-open-time' };
    if (problem === 'out-of-order-open-time') {
      if (this.wasApplied(s, c.openTime)) return { kind: 'duplicate', reason: 'redelivered' };
      return { kind: 'rejected', reason: problem, detail: `bar ${new Date(c.openTime).toISOString()} is older than the last applied ${new Date(st.last).toISOString()} and was never applied` };
    }
    if (problem !== null) return { kind: 'rejected', reason: problem, detail: describe(problem, c) };

    const gapBefore = st.last >= 0 && isGap(st.last, c.openTime, s.tfMs);
    if (gapBefore) {
      st.holes.push({ after: st.last, before: c.openTime });
      if (st.holes.length > MAX_HOLES) st.holes.splice(0, st.holes.length - MAX_HOLES);
    }
    if (st.first < 0) st.first = c.openTime;
    st.last = c.openTime;
    st.bars++;
    const bar = { openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
    const tsEvent = c.openTime + s.tfMs;
    const tsInit = this.clock.now();
    const vectors = this.sets.map((def, i): FeatureVectorEvent => {
      const r = s.runners[i]!;
      const row = r.update(bar);
      const values: Record<string, number | null> = {};
      for (let k = 0; k < row.length; k++) values[r.columns[k]!] = row[k]!;
      return {
        eventId: featureVectorId(c.eventId, def),
        tsEvent,
        tsInit,
        source: this.source,
        exchange: c.exchange,
        symbol: c.symbol,
        timeframe: c.timeframe,
        openTime: c.openTime,
        featureSet: def.name,
        featureSetVersion: def.version,
        values,
        stable: r.isStable,
        gapBefore,
      };
    });
    return { kind: 'applied', vectors, gapBefore };
  }

  /** True when an open time at or before the last one was applied: on the grid, not in a hole. */
  private wasApplied(s: Stream, t: number): boolean {
    const st = s.state;
    if (st.first < 0 || t < st.first || t > st.last) return false;
    if ((t - st.first) % s.tfMs !== 0) return false;
    for (const h of st.holes) if (t > h.after && t < h.before) return false;
    // Holes dropped past MAX_HOLES: bars older than the oldest kept hole are not vouched for.
    if (st.holes.length >= MAX_HOLES && t < st.holes[0]!.after) return false;
    return true;
  }
}

function describe(problem: BarProblem, c: CandleEvent): string {
  switch (problem) {
    case 'non-finite-price':
    case 'non-positive-price':
    case 'open-close-outside-range':
      return `${problem}: open ${c.open} high ${c.high} low ${c.low} close ${c.close}`;
    case 'high-below-low':
      return `high ${c.high} < low ${c.low}`;
    case 'invalid-volume':
      return `volume ${c.volume}`;
    default:
      return `${problem}: open time ${c.openTime}`;
  }
}
