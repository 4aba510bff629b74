import { strategyInstances, specSymbols, type PipelineSpec } from '@atp/backtest';
import { Dec, decAdd, decNumber, decSub, timeframeMs, toDecimal, type Clock, type Timeframe } from '@atp/core';
import type { CandleEvent, DecisionEvent, FeatureVectorEvent, FillEvent, OrderEvent, SignalEvent } from '@atp/contracts';
import { MatchedBarTracker } from '@atp/execution';
import type { Bar } from '@atp/indicators';
import type { JournalCore } from '@atp/nest-kit';
import {
  createStrategy,
  decisionEvent,
  FeatureComputer,
  FeatureLayout,
  featureVectorFromRecord,
  WARMUP,
  type FeatureVector,
  type SignalView,
  type Strategy,
  type StrategyContext,
} from '@atp/strategies';

/** Where the feature vectors come from. */
export type FeaturesSource = 'in-process' | 'topic';

export interface StrategyCoreOptions {
  /**
   * `in-process` (default): features computed here with the streaming indicator code of the
   * backtester (`FeatureComputer`, one per (strategy, symbol)), so values are bit-identical;
   * `topic`: joined from features.v1 (the features service runs the same code).
   */
  readonly features?: FeaturesSource;
  /** `features.v1` feature set to join in `topic` mode (default `default`). */
  readonly featureSet?: string;
  /** Wait for a signals.v1 record of bar T before deciding (ML-gated strategies). Default false. */
  readonly joinSignals?: boolean;
  /** Strategy instance ids run by this process (default: all of the spec). */
  readonly only?: readonly string[];
  readonly source?: string;
}

/** Journal input kinds of the strategy core. */
export const STRATEGY_INPUT = { candle: 'candle', features: 'features', signal: 'signal', orderEvent: 'order-event', fill: 'fill' } as const;

interface Slot {
  readonly id: string;
  readonly strategy: Strategy;
  readonly computer: FeatureComputer | undefined;
  readonly layout: FeatureLayout;
  readonly ctx: StrategyContext & { time: number; barCount: number; position: number };
  position: Dec;
}

interface Pending {
  candle?: CandleEvent;
  features?: FeatureVectorEvent;
  signal?: SignalEvent;
}

interface SymbolState {
  readonly symbol: string;
  readonly slots: Slot[];
  /** Bars of the symbol waiting for their join, by event time T. */
  readonly pending: Map<number, Pending>;
  barCount: number;
  prevOpen: number;
  /** Event time of the last bar decided on. */
  lastDecided: number;
}

/**
 * The strategy service's deterministic core. For each symbol it joins, per bar T, the candle, the
 * features (in-process or from features.v1) and, if asked, the signal; it decides once execution's
 * `bar-matched` marker of T arrived and the fills it announced are applied (the strategy sees its
 * position after step 1 of T, as in the backtester), then runs every configured instance on the
 * symbol in (strategy id) order: exactly one decision record per (strategy, symbol, T), an intent
 * or an explicit no-op, with the backtester's deterministic ids, inputs and cause (the candle).
 * Bars of a symbol are decided in time order; a later bar waits for the earlier one.
 */
export class StrategyCore implements JournalCore<DecisionEvent> {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly tracker = new MatchedBarTracker();
  private readonly tf: number;
  private readonly timeframe: Timeframe;
  private readonly source: string;
  private readonly mode: FeaturesSource;
  private readonly featureSet: string;
  private readonly joinSignals: boolean;
  /** Slots by strategy id, then symbol (a fill's own strings: no key made per fill). */
  private readonly slotsByStrategy = new Map<string, Map<string, Slot>>();
  /** The event time up to which the tracker was last pruned (it prunes only when this advances). */
  private prunedTo = -Infinity;
  /** Fills applied (a redelivered fill is applied once). */
  private readonly fillIds = new Set<string>();
  /** Decision records emitted (replay included). */
  decisions = 0;

  constructor(
    readonly spec: PipelineSpec,
    private readonly clock: Clock,
    opts: StrategyCoreOptions = {},
  ) {
    this.timeframe = spec.timeframe as Timeframe;
    this.tf = timeframeMs(this.timeframe);
    this.source = opts.source ?? 'strategy';
    this.mode = opts.features ?? 'in-process';
    this.featureSet = opts.featureSet ?? 'default';
    this.joinSignals = opts.joinSignals ?? false;
    const instances = strategyInstances(spec).filter((s) => !opts.only || opts.only.includes(s.id));
    for (const symbol of specSymbols(spec)) {
      const slots: Slot[] = [];
      for (const inst of instances) {
        if (!inst.symbols.includes(symbol)) continue;
        const strategy = createStrategy(inst.strategy, inst.params, inst.id);
        const layout = new FeatureLayout(strategy.features);
        const slot: Slot = {
          id: inst.id,
          strategy,
          layout,
          computer: this.mode === 'in-process' ? new FeatureComputer(layout) : undefined,
          ctx: { time: 0, exchange: spec.exchange, symbol, timeframe: this.timeframe, barCount: 0, position: 0, inputs: new Float64Array(strategy.inputNames.length).fill(NaN) },
          position: new Dec(0),
        };
        slots.push(slot);
        let bySymbol = this.slotsByStrategy.get(inst.id);
        if (!bySymbol) this.slotsByStrategy.set(inst.id, (bySymbol = new Map()));
        bySymbol.set(symbol, slot);
      }
      if (slots.length) this.symbols.set(symbol, { symbol, slots, pending: new Map(), barCount: 0, prevOpen: NaN, lastDecided: -Infinity });
    }
  }

  /** Instruments this process decides on. */
  get instrumentSymbols(): string[] {
    return [...this.symbols.keys()];
  }

  /** True for a message about an instrument and timeframe of this process. */
  wants(m: { exchange: string; symbol: string; timeframe?: string }): boolean {
    return m.exchange === this.spec.exchange && this.symbols.has(m.symbol) && (m.timeframe === undefined || m.timeframe === this.timeframe);
  }

  /**
   * JournalCore.waits: a closed candle of bar T before execution's marker of T (and the fills it
   * announced) arrived decides nothing yet; the journal may write it with the marker.
   */
  waits(kind: string, input: unknown): boolean {
    if (kind !== STRATEGY_INPUT.candle) return false;
    const c = input as CandleEvent;
    return c.closed && this.wants(c) && !this.tracker.isMatched(this.spec.exchange, c.symbol, c.openTime + this.tf);
  }

  apply(kind: string, input: unknown): DecisionEvent[] {
    switch (kind) {
      case STRATEGY_INPUT.candle: {
        const c = input as CandleEvent;
        if (!c.closed || !this.wants(c)) return [];
        // (barCloseTime of this.timeframe without parsing it: its length is this.tf)
        this.pendingOf(c.symbol, c.openTime + this.tf).candle = c;
        return this.advance(c.symbol);
      }
      case STRATEGY_INPUT.features: {
        const f = input as FeatureVectorEvent;
        if (this.mode !== 'topic' || f.featureSet !== this.featureSet || !this.wants(f)) return [];
        this.pendingOf(f.symbol, f.openTime + this.tf).features = f;
        return this.advance(f.symbol);
      }
      case STRATEGY_INPUT.signal: {
        const s = input as SignalEvent;
        if (!this.wants(s)) return [];
        this.pendingOf(s.symbol, s.openTime + this.tf).signal = s;
        return this.advance(s.symbol);
      }
      case STRATEGY_INPUT.orderEvent: {
        const e = input as OrderEvent;
        if (e.exchange !== this.spec.exchange) return [];
        this.tracker.onOrderEvent(e);
        return this.symbols.has(e.symbol) ? this.advance(e.symbol) : [];
      }
      case STRATEGY_INPUT.fill: {
        const f = input as FillEvent;
        if (f.exchange !== this.spec.exchange || this.fillIds.has(f.fillId)) return [];
        this.fillIds.add(f.fillId);
        this.tracker.onFillApplied(f.exchange, f.symbol);
        const slot = this.slotsByStrategy.get(f.strategyId)?.get(f.symbol);
        if (slot) {
          // core's exact equivalents of plus/minus and toNumber, without decimal.js's work where it has none
          const q = toDecimal(f.quantity);
          slot.position = f.side === 'buy' ? decAdd(slot.position, q) : decSub(slot.position, q);
          slot.ctx.position = decNumber(slot.position);
          slot.strategy.onFill?.({ time: f.tsEvent, side: f.side, price: Number(f.price), quantity: Number(f.quantity), role: f.role }, slot.ctx);
        }
        return this.symbols.has(f.symbol) ? this.advance(f.symbol) : [];
      }
      default:
        throw new Error(`strategy: unknown input kind ${kind}`);
    }
  }

  private pendingOf(symbol: string, t: number): Pending {
    const s = this.symbols.get(symbol)!;
    let p = s.pending.get(t);
    if (!p) s.pending.set(t, (p = {}));
    return p;
  }

  /** Decides every bar of the symbol whose join is complete, oldest first. */
  private advance(symbol: string): DecisionEvent[] {
    const s = this.symbols.get(symbol)!;
    const out: DecisionEvent[] = [];
    while (s.pending.size > 0) {
      let t = Infinity;
      for (const k of s.pending.keys()) if (k < t) t = k;
      if (t <= s.lastDecided) {
        s.pending.delete(t); // a late duplicate of a decided bar
        continue;
      }
      const p = s.pending.get(t)!;
      if (!p.candle || (this.mode === 'topic' && !p.features) || (this.joinSignals && !p.signal)) break;
      if (!this.tracker.isMatched(this.spec.exchange, symbol, t)) break;
      s.pending.delete(t);
      this.decide(s, t, p, out);
    }
    return out;
  }

  private decide(s: SymbolState, t: number, p: Pending, out: DecisionEvent[]): void {
    const c = p.candle!;
    const bar: Bar = { openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
    s.barCount++;
    const gap = s.barCount > 1 && c.openTime - s.prevOpen > this.tf;
    const signal: SignalView | undefined = p.signal ? { score: p.signal.score, probabilities: p.signal.probabilities, model: p.signal.model } : undefined;
    const causeIds = [c.eventId];
    if (p.features) causeIds.push(p.features.eventId);
    if (p.signal) causeIds.push(p.signal.eventId);
    for (const sl of s.slots) {
      let fv: FeatureVector;
      if (sl.computer) fv = sl.computer.update(bar, gap);
      else fv = featureVectorFromRecord(sl.layout, p.features!.values, p.features!.stable, p.features!.gapBefore);
      sl.ctx.time = t;
      sl.ctx.barCount = s.barCount;
      let d = sl.strategy.onBar(bar, fv, signal, sl.ctx);
      if (s.barCount < sl.strategy.warmupBars) d = WARMUP;
      out.push(
        decisionEvent({
          runId: this.spec.runId,
          strategy: sl.strategy,
          exchange: this.spec.exchange,
          symbol: s.symbol,
          timeframe: this.timeframe,
          decisionTime: t,
          decision: d,
          inputs: sl.ctx.inputs,
          causeIds,
          tsInit: this.clock.now(),
          source: this.source,
        }),
      );
    }
    s.prevOpen = c.openTime;
    s.lastDecided = t;
    this.decisions += s.slots.length;
    let oldest = Infinity;
    for (const x of this.symbols.values()) if (x.lastDecided < oldest) oldest = x.lastDecided;
    // (once per advance of the oldest symbol, not at every decision: pruning again at the same time
    // would only forget a marker come late, of a bar decided already, which nothing asks for)
    if (Number.isFinite(oldest) && oldest > this.prunedTo) {
      this.prunedTo = oldest;
      this.tracker.prune(oldest);
    }
  }
}
