import { specShortable, specSymbols, strategyInstances, type PipelineSpec } from '@atp/backtest';
import { barCloseTime, decToString, timeframeMs, type Clock, type InstrumentId, type Timeframe } from '@atp/core';
import type { CandleEvent, FillEvent, OrderEvent, PnlEvent } from '@atp/contracts';
import { MatchedBarTracker } from '@atp/execution';
import { computeMetrics, type MetricsReport } from '@atp/metrics';
import type { JournalCore } from '@atp/nest-kit';
import { pnlEvent, Portfolio, type PnlSnapshot } from '@atp/portfolio';

/** One point of the account's equity curve, exact (collection `pnl_equity`, `_id` = event time). */
export interface EquityPoint {
  readonly time: number;
  readonly equity: string;
  readonly cash: string;
  readonly realized: string;
  readonly unrealized: string;
  readonly fees: string;
  readonly exposed: boolean;
}

export type PnlOutput = { readonly kind: 'pnl'; readonly event: PnlEvent } | { readonly kind: 'equity'; readonly point: EquityPoint };

/** Journal input kinds of the pnl core. */
export const PNL_INPUT = { candle: 'candle', orderEvent: 'order-event', fill: 'fill' } as const;

interface SymbolState {
  readonly inst: InstrumentId;
  readonly candles: Map<number, CandleEvent>;
  latestCandle: number;
  lastClose: number;
  lastTime: number;
}

/**
 * The pnl service's deterministic core: the account's positions and P&L (`@atp/portfolio`, FIFO
 * lots, exact decimals) from fills.v1, idempotent by fill id, marked from md.candles.v1. Bar T is
 * closed once, for every symbol, its candle of T is in and execution's `bar-matched` marker of T
 * has arrived with the fills it announced applied (or a later candle shows a gap): the symbols are
 * marked at their close of T (after the fills, as the backtester marks) and a pnl.v1 snapshot of
 * the account ('*') and of each strategy is emitted, with one exact equity point.
 */
export class PnlCore implements JournalCore<PnlOutput> {
  readonly portfolio: Portfolio;
  private readonly tracker = new MatchedBarTracker();
  private readonly syms = new Map<string, SymbolState>();
  private readonly times = new Set<number>();
  private readonly strategyIds: string[];
  private readonly timeframe: Timeframe;
  private lastProcessed = -Infinity;
  private firstTime = NaN;

  constructor(
    readonly spec: PipelineSpec,
    private readonly clock: Clock,
    private readonly source = 'pnl',
  ) {
    this.timeframe = spec.timeframe as Timeframe;
    this.portfolio = new Portfolio({ account: spec.runId, quoteCurrency: spec.quoteCurrency ?? 'USDT', initialCash: spec.initialCash, timeframe: this.timeframe, shortable: specShortable(spec) });
    this.strategyIds = strategyInstances(spec).map((s) => s.id);
    for (const symbol of specSymbols(spec)) this.syms.set(symbol, { inst: { exchange: spec.exchange, symbol }, candles: new Map(), latestCandle: -Infinity, lastClose: NaN, lastTime: NaN });
  }

  wants(m: { exchange: string; symbol: string; timeframe?: string }): boolean {
    return m.exchange === this.spec.exchange && this.syms.has(m.symbol) && (m.timeframe === undefined || m.timeframe === this.timeframe);
  }

  /** Event time of the last closed bar. */
  get processedUpTo(): number {
    return this.lastProcessed;
  }

  /** Exact P&L of the account ('*', default) or of one strategy. */
  pnl(strategyId = '*'): PnlSnapshot {
    return this.portfolio.pnl(strategyId);
  }

  /** Metrics of the run so far (per-bar equity curve with the initial cash one bar before the first close). */
  metrics(): MetricsReport {
    const curve = this.portfolio.equityCurve();
    const tf = timeframeMs(this.timeframe);
    return computeMetrics({
      ...curve,
      timeframe: this.timeframe,
      ...(curve.times.length ? { start: { time: (Number.isNaN(this.firstTime) ? curve.times[0]! : this.firstTime) - tf, equity: Number(this.spec.initialCash) } } : {}),
      trades: this.portfolio.roundTrips(),
      feesPaid: this.portfolio.pnl().fees,
      tradedNotional: decToString(this.portfolio.tradedNotional()),
    });
  }

  /**
   * JournalCore.waits: a closed candle of bar T before execution's marker of T (and the fills it
   * announced) arrived closes no bar yet; the journal may write it with the marker.
   */
  waits(kind: string, input: unknown): boolean {
    if (kind !== PNL_INPUT.candle) return false;
    const c = input as CandleEvent;
    return c.closed && this.wants(c) && !this.tracker.isMatched(this.spec.exchange, c.symbol, barCloseTime(c.openTime, this.timeframe));
  }

  apply(kind: string, input: unknown): PnlOutput[] {
    switch (kind) {
      case PNL_INPUT.candle: {
        const c = input as CandleEvent;
        if (!c.closed || !this.wants(c)) return [];
        const t = barCloseTime(c.openTime, this.timeframe);
        if (t <= this.lastProcessed) return [];
        const s = this.syms.get(c.symbol)!;
        s.candles.set(t, c);
        if (t > s.latestCandle) s.latestCandle = t;
        this.times.add(t);
        break;
      }
      case PNL_INPUT.orderEvent: {
        const e = input as OrderEvent;
        if (e.exchange !== this.spec.exchange) return [];
        this.tracker.onOrderEvent(e);
        break;
      }
      case PNL_INPUT.fill: {
        const f = input as FillEvent;
        if (f.exchange !== this.spec.exchange) return [];
        let applied = true;
        try {
          applied = this.portfolio.applyFill(f).status === 'applied';
        } finally {
          // A duplicate is not counted again; a refused fill is (the barrier must not wait for it).
          if (applied) this.tracker.onFillApplied(f.exchange, f.symbol);
        }
        if (!applied) return [];
        // A fill of a bar already closed here (cheat-on-close, a late order): mark again at that
        // bar's close, so the position is valued at the close and not at the fill price.
        const s = this.syms.get(f.symbol);
        if (s && Number.isFinite(s.lastTime) && f.tsEvent <= s.lastTime) this.portfolio.mark(s.inst, s.lastClose, s.lastTime);
        break;
      }
      default:
        throw new Error(`pnl: unknown input kind ${kind}`);
    }
    return this.advance();
  }

  private advance(): PnlOutput[] {
    const out: PnlOutput[] = [];
    for (;;) {
      let t = Infinity;
      for (const x of this.times) if (x < t) t = x;
      if (t === Infinity || !this.ready(t)) return out;
      this.close(t, out);
    }
  }

  private ready(t: number): boolean {
    for (const s of this.syms.values()) {
      if (!s.candles.has(t)) {
        if (s.latestCandle > t) continue;
        return false;
      }
      if (!this.tracker.isMatched(s.inst.exchange, s.inst.symbol, t)) return false;
    }
    return true;
  }

  private close(t: number, out: PnlOutput[]): void {
    this.times.delete(t);
    if (Number.isNaN(this.firstTime)) this.firstTime = t;
    for (const s of this.syms.values()) {
      const c = s.candles.get(t);
      if (!c) continue;
      s.candles.delete(t);
      s.lastClose = c.close;
      s.lastTime = t;
      this.portfolio.mark(s.inst, c.close, t);
    }
    this.lastProcessed = t;
    this.tracker.prune(t);
    const tsInit = this.clock.now();
    const account = pnlEvent(this.portfolio, { runId: this.spec.runId, tsEvent: t, tsInit, source: this.source });
    out.push({ kind: 'pnl', event: account });
    for (const id of this.strategyIds) out.push({ kind: 'pnl', event: pnlEvent(this.portfolio, { runId: this.spec.runId, strategyId: id, tsEvent: t, tsInit, source: this.source }) });
    out.push({
      kind: 'equity',
      point: { time: t, equity: account.equity, cash: account.cash, realized: account.realized, unrealized: account.unrealized, fees: account.fees, exposed: account.positions.some((p) => p.quantity !== '0') },
    });
  }
}
