import { specMarkets, specSymbols, strategyInstances, type PipelineSpec } from '@atp/backtest';
import { barCloseTime, type Clock, type Timeframe } from '@atp/core';
import type { CandleEvent, DecisionEvent, FillEvent, OrderApprovedEvent, OrderCommandEvent, OrderEvent, OrderRejectedEvent } from '@atp/contracts';
import { PaperExchange, submitOrderFromApproval, type GatewayResult } from '@atp/execution';
import type { JournalCore } from '@atp/nest-kit';

/** What the execution core produces: fills and order events to publish, and submissions to record. */
export type ExecutionOutput =
  | { readonly kind: 'fill'; readonly fill: FillEvent }
  | { readonly kind: 'order'; readonly event: OrderEvent }
  /** The venue accepted a new client order id (recorded in `execution_submissions`, never published). */
  | { readonly kind: 'submitted'; readonly clientOrderId: string; readonly decisionTime: number };

/** Journal input kinds of the execution core. */
export const EXEC_INPUT = {
  candle: 'candle',
  approval: 'approval',
  command: 'command',
  shutdown: 'shutdown',
  /** A strategy decision record (orders.intents.v1): the decision barrier's evidence. */
  decision: 'decision',
  /** A rejection (orders.rejected.v1): risk's answer to an intent, like an approval. */
  rejection: 'rejection',
  /** The adapter's timeout: match the held candles of `symbol` without waiting any longer. */
  release: 'release',
} as const;

export interface ExecutionCoreOptions {
  /**
   * The decision barrier: before matching bar T+1 of a symbol, wait until risk is done with event
   * time T — every decision of T, of every symbol, answered (each strategy's decision record of T
   * is in, and each intent of T has its approval or rejection) — exactly as the backtester decides
   * and submits all of T's orders before it matches anything of T+1.
   * Candles that arrive earlier (a burst of closed bars) are held, in order, until then or until
   * a `release` input (the adapter's timeout: strategy or risk down; stops must still fire).
   * Default false (the core alone matches every candle at once).
   */
  readonly decisionBarrier?: boolean;
  readonly source?: string;
}

/** Per symbol: the decision barrier's view of one event time T. */
interface DecisionsAt {
  /** Strategy ids whose decision record of T is in. */
  readonly strategies: Set<string>;
  /** Decision ids of the intents of T. */
  readonly intents: Set<string>;
}

interface BarrierState {
  /** Strategy instance ids deciding on this symbol. */
  readonly expected: readonly string[];
  readonly decisions: Map<number, DecisionsAt>;
  /** Candles held until risk is done with the event time of the previous bar, in event-time order. */
  readonly held: CandleEvent[];
  /** Event times of the candles received (held or matched), and the latest. */
  readonly seen: Set<number>;
  latestSeen: number;
  /** Released by timeout and no decision record since: candles are not held. */
  bypass: boolean;
}

/**
 * Execution's deterministic core: the order state machine behind the ExchangeGateway port, here
 * the paper exchange of `@atp/execution` (the backtester's), configured from the pipeline spec.
 *
 * - a closed candle of bar T matches the working orders of its instrument against T: fills, order
 *   transitions, then T's `bar-matched` marker (ARCHITECTURE.md step 1); a candle at or before the
 *   last matched bar of its instrument is ignored;
 * - an approval is submitted (idempotent by client order id: the journal never applies one twice,
 *   the venue answers a known id with `duplicate`); matching is by event time, so an order decided
 *   at T fills on the first bar after T, and a late approval is matched at once against the recent
 *   bars the venue keeps;
 * - commands cancel one order or all (optionally of one symbol / strategy); `shutdown` cancels all;
 * - with the decision barrier (the service's default), bar T+1 of a symbol is matched only once risk
 *   has answered every decision of T (ARCHITECTURE.md steps 4 of T, then 1 of T+1): a burst of
 *   closed bars (a catch-up after a reconnect) is held, not matched ahead of T's approvals, so the
 *   `bar-matched` marker of T+1 counts the fills of the orders decided at T, as in the backtester.
 *   The adapter releases held candles after a timeout (strategy or risk down: stops still fire).
 */
export class ExecutionCore implements JournalCore<ExecutionOutput> {
  readonly venue: PaperExchange;
  private readonly symbols: ReadonlySet<string>;
  private readonly lastBar = new Map<string, number>();
  private readonly barrier: Map<string, BarrierState> | undefined;
  /** Decision ids risk answered (approved or rejected), with their decision time (pruned as bars pass). */
  private readonly answered = new Map<string, number>();
  private pruneAt = 4096;
  /** Barrier state before this event time is forgotten (every symbol matched a bar at or after it). */
  private prunedBefore = -Infinity;

  constructor(
    readonly spec: PipelineSpec,
    clock: Clock,
    opts: ExecutionCoreOptions = {},
  ) {
    const source = opts.source ?? 'execution';
    const quote = spec.quoteCurrency ?? 'USDT';
    this.symbols = new Set(specSymbols(spec));
    if (opts.decisionBarrier) {
      const instances = strategyInstances(spec);
      this.barrier = new Map(
        [...this.symbols].map((s) => [s, { expected: instances.filter((i) => i.symbols.includes(s)).map((i) => i.id), decisions: new Map(), held: [], seen: new Set(), latestSeen: -Infinity, bypass: false }]),
      );
    }
    this.venue = new PaperExchange({
      exchange: spec.exchange,
      runId: spec.runId,
      clock,
      markets: specMarkets(spec),
      fillModel: spec.execution?.fillModel,
      balances: { [quote]: spec.initialCash },
      source,
    });
  }

  /** True for a candle this core matches: closed, of the run's exchange, symbols and timeframe. */
  wants(c: CandleEvent): boolean {
    return c.closed && c.exchange === this.spec.exchange && c.timeframe === this.spec.timeframe && this.symbols.has(c.symbol);
  }

  apply(kind: string, input: unknown, replaying: boolean): ExecutionOutput[] {
    switch (kind) {
      case EXEC_INPUT.candle:
        return this.onCandle(input as CandleEvent);
      case EXEC_INPUT.approval:
        return this.onApproval(input as OrderApprovedEvent, replaying);
      case EXEC_INPUT.command:
        return this.onCommand(input as OrderCommandEvent);
      case EXEC_INPUT.shutdown:
        return this.outputs(this.venue.cancelAllNow({}, 'service shutdown (ON_SHUTDOWN=cancel)'));
      case EXEC_INPUT.decision:
        return this.onDecision(input as DecisionEvent);
      case EXEC_INPUT.rejection:
        return this.onAnswer(input as OrderRejectedEvent, []);
      case EXEC_INPUT.release:
        return this.onRelease((input as { symbol: string }).symbol);
      default:
        throw new Error(`execution: unknown input kind ${kind}`);
    }
  }

  /**
   * JournalCore.waits: with the decision barrier, a candle of a symbol that already has held bars,
   * or whose previous bar risk is not done with, would only be held too (it is matched once the
   * decisions or answers come); the journal may write it with them.
   */
  waits(kind: string, input: unknown): boolean {
    if (kind !== EXEC_INPUT.candle || !this.barrier) return false;
    const c = input as CandleEvent;
    if (!this.wants(c)) return false;
    const b = this.barrier.get(c.symbol);
    if (!b || b.bypass) return false;
    if (b.held.length > 0) return true;
    const prev = this.lastBar.get(c.symbol);
    return prev !== undefined && !this.riskDoneWith(prev);
  }

  /** Held candles per symbol (oldest first): what the barrier waits on; empty without the barrier. */
  held(): { symbol: string; since: number; count: number }[] {
    const out: { symbol: string; since: number; count: number }[] = [];
    if (!this.barrier) return out;
    for (const [symbol, b] of this.barrier) if (b.held.length) out.push({ symbol, since: b.held[0]!.openTime, count: b.held.length });
    return out;
  }

  private onCandle(c: CandleEvent): ExecutionOutput[] {
    if (!this.wants(c)) return [];
    const b = this.barrier?.get(c.symbol);
    if (!b) return this.match(c);
    const t = barCloseTime(c.openTime, c.timeframe);
    if (t <= b.latestSeen) return [];
    b.held.push(c);
    b.seen.add(t);
    b.latestSeen = t;
    return this.drain([]);
  }

  /**
   * Matches held candles as far as the barrier allows: bar T+1 of a symbol once risk is done with
   * T — every symbol's decisions of T answered (risk decides T for all symbols together, in
   * (strategy, symbol) order, before anything of T+1 may fill), a symbol without a bar at T
   * (a gap: a later candle of it is in) having none.
   */
  private drain(out: ExecutionOutput[]): ExecutionOutput[] {
    const barrier = this.barrier!;
    for (let progress = true; progress; ) {
      progress = false;
      for (const [symbol, b] of barrier) {
        if (!b.held.length) continue;
        const prev = this.lastBar.get(symbol);
        if (!b.bypass && prev !== undefined && !this.riskDoneWith(prev)) continue;
        for (const o of this.match(b.held.shift()!)) out.push(o);
        progress = true;
      }
    }
    if (out.length) this.prune();
    return out;
  }

  /** True when risk has answered every decision of event time T, of every symbol. */
  private riskDoneWith(t: number): boolean {
    for (const b of this.barrier!.values()) {
      if (!b.seen.has(t)) {
        if (b.latestSeen > t) continue; // no bar at T: a gap of this symbol
        return false; // its bar of T has not come yet
      }
      if (b.expected.length === 0) continue;
      const d = b.decisions.get(t);
      if (!d || d.strategies.size < b.expected.length) return false;
      for (const id of d.intents) if (!this.answered.has(id)) return false;
    }
    return true;
  }

  /** True for a decision record the barrier waits for (a strategy of the run deciding on one of its symbols). */
  wantsDecision(d: DecisionEvent): boolean {
    const b = this.barrier?.get(d.symbol);
    return !!b && d.exchange === this.spec.exchange && d.timeframe === this.spec.timeframe && d.runId === this.spec.runId && b.expected.includes(d.strategyId);
  }

  private onDecision(d: DecisionEvent): ExecutionOutput[] {
    const b = this.barrier?.get(d.symbol);
    if (!b || !this.wantsDecision(d)) return [];
    if (d.decisionTime < this.prunedBefore) return []; // every symbol is past it
    b.bypass = false; // the strategy is alive: hold candles again
    let at = b.decisions.get(d.decisionTime);
    if (!at) b.decisions.set(d.decisionTime, (at = { strategies: new Set(), intents: new Set() }));
    at.strategies.add(d.strategyId);
    if (d.kind === 'intent') at.intents.add(d.decisionId);
    return this.drain([]);
  }

  /** Risk answered a decision (approval or rejection): the barrier may open. */
  private onAnswer(a: { decisionId: string; decisionTime: number; exchange: string; runId: string }, out: ExecutionOutput[]): ExecutionOutput[] {
    if (!this.barrier || a.exchange !== this.spec.exchange || a.runId !== this.spec.runId) return out;
    if (a.decisionTime >= this.prunedBefore) this.answered.set(a.decisionId, a.decisionTime);
    return this.drain(out);
  }

  private onRelease(symbol: string): ExecutionOutput[] {
    const b = this.barrier?.get(symbol);
    if (!b || b.held.length === 0) return [];
    b.bypass = true;
    return this.drain([]);
  }

  /** Forgets what no barrier check can ask any more: event times before every symbol's last matched bar. */
  private prune(): void {
    let oldest = Infinity;
    for (const s of this.symbols) oldest = Math.min(oldest, this.lastBar.get(s) ?? -Infinity);
    if (oldest <= this.prunedBefore) return;
    this.prunedBefore = oldest;
    for (const b of this.barrier!.values()) {
      for (const t of b.decisions.keys()) if (t < oldest) b.decisions.delete(t);
      for (const t of b.seen) if (t < oldest) b.seen.delete(t);
    }
    if (this.answered.size >= this.pruneAt) {
      for (const [id, t] of this.answered) if (t < oldest) this.answered.delete(id);
      this.pruneAt = Math.max(4096, 2 * this.answered.size);
    }
  }

  private match(c: CandleEvent): ExecutionOutput[] {
    const t = barCloseTime(c.openTime, c.timeframe);
    if (t <= (this.lastBar.get(c.symbol) ?? -Infinity)) return [];
    this.lastBar.set(c.symbol, t);
    const r = this.venue.onBar({ symbol: c.symbol, timeframe: c.timeframe as Timeframe, openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
    const out: ExecutionOutput[] = [];
    for (const f of r.fills) out.push({ kind: 'fill', fill: f });
    for (const e of r.events) out.push({ kind: 'order', event: e });
    out.push({ kind: 'order', event: r.marker });
    return out;
  }

  private onApproval(a: OrderApprovedEvent, replaying: boolean): ExecutionOutput[] {
    if (a.runId !== this.spec.runId) throw new Error(`execution: approval ${a.clientOrderId} of run ${a.runId}, this is run ${this.spec.runId}`);
    const r = this.venue.submitNow(submitOrderFromApproval(a));
    if (r.duplicate) return [];
    const out = this.outputs(r);
    if (!replaying) out.push({ kind: 'submitted', clientOrderId: a.clientOrderId, decisionTime: a.decisionTime });
    return this.barrier ? this.onAnswer(a, out) : out;
  }

  private onCommand(c: OrderCommandEvent): ExecutionOutput[] {
    if (c.exchange !== undefined && c.exchange !== this.spec.exchange) return [];
    const reason = `${c.reason} (${c.actor})`;
    if (c.kind === 'cancel') return c.clientOrderId ? this.outputs(this.venue.cancelNow(c.clientOrderId, reason)) : [];
    return this.outputs(this.venue.cancelAllNow({ ...(c.symbol ? { symbol: c.symbol } : {}), ...(c.strategyId ? { strategyId: c.strategyId } : {}) }, reason));
  }

  private outputs(r: GatewayResult): ExecutionOutput[] {
    const out: ExecutionOutput[] = [];
    for (const f of r.fills) out.push({ kind: 'fill', fill: f });
    for (const e of r.events) out.push({ kind: 'order', event: e });
    return out;
  }
}
