import { specMarkets, specSymbols, type PipelineSpec } from '@atp/backtest';
import { barCloseTime, type Clock, type Timeframe } from '@atp/core';
import type { CandleEvent, FillEvent, OrderApprovedEvent, OrderCommandEvent, OrderEvent } from '@atp/contracts';
import { PaperExchange, submitOrderFromApproval, type GatewayResult } from '@atp/execution';
import type { JournalCore } from '@atp/nest-kit';

/** What the execution core produces: fills and order events to publish, and submissions to record. */
export type ExecutionOutput =
  | { readonly kind: 'fill'; readonly fill: FillEvent }
  | { readonly kind: 'order'; readonly event: OrderEvent }
  /** The venue accepted a new client order id (recorded in `execution_submissions`, never published). */
  | { readonly kind: 'submitted'; readonly clientOrderId: string; readonly decisionTime: number };

/** Journal input kinds of the execution core. */
export const EXEC_INPUT = { candle: 'candle', approval: 'approval', command: 'command', shutdown: 'shutdown' } as const;

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
 * - commands cancel one order or all (optionally of one symbol / strategy); `shutdown` cancels all.
 */
export class ExecutionCore implements JournalCore<ExecutionOutput> {
  readonly venue: PaperExchange;
  private readonly symbols: ReadonlySet<string>;
  private readonly lastBar = new Map<string, number>();

  constructor(
    readonly spec: PipelineSpec,
    clock: Clock,
    source = 'execution',
  ) {
    const quote = spec.quoteCurrency ?? 'USDT';
    this.symbols = new Set(specSymbols(spec));
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
      default:
        throw new Error(`execution: unknown input kind ${kind}`);
    }
  }

  private onCandle(c: CandleEvent): ExecutionOutput[] {
    if (!this.wants(c)) return [];
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
    return out;
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
