import { parsePipelineSpec, type PipelineSpec } from '@atp/backtest';
import { specMarkets } from '@atp/backtest';
import { decToString, ManualClock, toDecimal } from '@atp/core';
import type { CandleEvent, DecisionEvent, FillEvent, OrderApprovedEvent, OrderCommandEvent, OrderEvent, OrderIntent, RiskCommandEvent } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import { decisionId } from '@atp/strategies';
import { PaperExchange, submitOrderFromApproval, type GatewayResult } from '@atp/execution';
import { RISK_INPUT, RiskCore, type RiskCoreOptions, type RiskOutput } from '../risk-core';

export const H = 3_600_000;
export const T0 = Date.UTC(2021, 0, 1);
/** Event time (close) of bar i. */
export const close = (i: number) => T0 + (i + 1) * H;

export function riskSpec(over: Record<string, unknown> = {}): PipelineSpec {
  return parsePipelineSpec({
    version: 1,
    runId: 'rk',
    exchange: 'binance',
    timeframe: '1h',
    symbols: ['BTC/USDT', 'ETH/USDT'],
    initialCash: '10000',
    strategies: [{ id: 'a', strategy: 'ma-crossover' }, { id: 'b', strategy: 'ma-crossover' }],
    ...over,
  });
}

export interface Outcome {
  kind: 'approved' | 'rejected';
  strategyId: string;
  symbol: string;
  decisionTime: number;
  quantity?: string;
  code?: string;
  reason?: string;
  approved?: OrderApprovedEvent;
}

type VenueOutput = { kind: 'order'; event: OrderEvent } | { kind: 'fill'; fill: FillEvent };

/**
 * Risk's core wired to the paper exchange (the venue execution runs) without a bus: candles go to
 * both, the venue's order events, markers and fills and risk's approvals and commands are routed
 * to each other, decision records are given by the test. Order events (markers included) are
 * delivered before the fills: the race the barrier must survive.
 */
export class MiniPipeline {
  readonly venue: PaperExchange;
  readonly risk: RiskCore;
  readonly out: RiskOutput[] = [];
  readonly fills: FillEvent[] = [];
  /** When false, execution's outputs are held back (as if execution were slow) until `release()`. */
  deliverExecution = true;
  private held: VenueOutput[] = [];

  constructor(
    readonly spec: PipelineSpec,
    opts: RiskCoreOptions = {},
    readonly clock = new ManualClock(0),
  ) {
    this.venue = new PaperExchange({ exchange: 'binance', runId: spec.runId, clock, markets: specMarkets(spec), fillModel: spec.execution?.fillModel, balances: { USDT: spec.initialCash } });
    this.risk = new RiskCore(spec, clock, opts);
  }

  candle(symbol: string, i: number, c: number, h = c + 1, l = c - 1, o = c): CandleEvent {
    return toCandleEvent({ exchange: 'binance', symbol, timeframe: '1h' }, { openTime: T0 + i * H, open: o, high: h, low: l, close: c, volume: 1e6 }, { closed: true, tsInit: 0, source: 'test' });
  }

  /** Bar i of every symbol at the given closes (same bar for all when a number). */
  bar(i: number, closes: number | Record<string, number>, bars: Partial<Record<string, { h?: number; l?: number; o?: number }>> = {}): void {
    for (const s of this.spec.symbols) {
      const c = typeof closes === 'number' ? closes : closes[s];
      if (c === undefined) continue;
      const b = bars[s] ?? {};
      const ev = this.candle(s, i, c, b.h ?? c + 1, b.l ?? c - 1, b.o ?? c);
      this.send(RISK_INPUT.candle, ev);
      const r = this.venue.onBar({ symbol: s, timeframe: '1h', openTime: ev.openTime, open: ev.open, high: ev.high, low: ev.low, close: ev.close, volume: ev.volume });
      this.fromVenue([...r.events.map((e) => ({ kind: 'order' as const, event: e })), { kind: 'order', event: r.marker }, ...r.fills.map((f) => ({ kind: 'fill' as const, fill: f }))]);
    }
  }

  decision(strategyId: string, symbol: string, i: number, intent?: Partial<OrderIntent>): DecisionEvent {
    const t = close(i);
    const id = decisionId(this.spec.runId, strategyId, 'binance', symbol, t);
    return {
      eventId: id, tsEvent: t, tsInit: 0, source: 'test', exchange: 'binance', symbol, runId: this.spec.runId, decisionId: id, strategyId, strategyVersion: '1', timeframe: '1h', decisionTime: t,
      kind: intent ? 'intent' : 'noop', ...(intent ? { intent: { target: 'long', entry: 'market', reason: 'test', ...intent } as OrderIntent } : {}), inputs: {}, causeIds: [],
    };
  }

  /** Decision records of bar i: the given intents, no-ops for every other (strategy, symbol). */
  decide(i: number, intents: Record<string, Partial<OrderIntent>> = {}): void {
    for (const s of [...this.spec.strategies].map((x) => x.id).sort()) {
      for (const sym of [...this.spec.symbols].sort()) this.send(RISK_INPUT.decision, this.decision(s, sym, i, intents[`${s}|${sym}`]));
    }
  }

  command(kind: RiskCommandEvent['kind'], t: number, extra: Partial<RiskCommandEvent> = {}): void {
    const id = `cmd-${kind}-${t}-${extra.limit ?? ''}`;
    this.send(RISK_INPUT.command, { eventId: id, tsEvent: t, tsInit: 0, source: 'test', commandId: id, kind, reason: 'test', actor: 'gateway:ops', ...extra });
  }

  release(): void {
    this.deliverExecution = true;
    const h = this.held;
    this.held = [];
    this.route(h);
  }

  outcomes(): Outcome[] {
    const out: Outcome[] = [];
    for (const o of this.out) {
      if (o.kind === 'approved') out.push({ kind: 'approved', strategyId: o.event.strategyId, symbol: o.event.symbol, decisionTime: o.event.decisionTime, quantity: o.event.quantity, approved: o.event });
      else if (o.kind === 'rejected') out.push({ kind: 'rejected', strategyId: o.event.strategyId, symbol: o.event.symbol, decisionTime: o.event.decisionTime, code: o.event.code, reason: o.event.reason });
    }
    return out;
  }

  alerts(): string[] {
    return this.out.flatMap((o) => (o.kind === 'alert' ? [o.event.code] : []));
  }

  position(strategyId: string, symbol: string): string {
    return decToString(this.risk.portfolio.quantity({ exchange: 'binance', symbol }, strategyId));
  }

  equity(): number {
    return toDecimal(this.risk.portfolio.equity()).toNumber();
  }

  /** Delivers one input to risk (and its approvals and commands on to the venue). */
  send(kind: string, input: unknown): void {
    const o = this.risk.apply(kind, input);
    this.out.push(...o);
    for (const x of o) {
      if (x.kind === 'approved') this.fromVenue(venueOutputs(this.venue.submitNow(submitOrderFromApproval(x.event as OrderApprovedEvent))));
      else if (x.kind === 'command') this.fromVenue(venueOutputs(command(this.venue, x.event)));
    }
  }

  private fromVenue(o: VenueOutput[]): void {
    for (const x of o) if (x.kind === 'fill') this.fills.push(x.fill);
    if (!this.deliverExecution) {
      this.held.push(...o);
      return;
    }
    this.route(o);
  }

  private route(o: readonly VenueOutput[]): void {
    // order events (markers included) first, then the fills: the marker overtakes its fills
    for (const x of o) if (x.kind === 'order') this.send(RISK_INPUT.orderEvent, x.event);
    for (const x of o) if (x.kind === 'fill') this.send(RISK_INPUT.fill, x.fill);
  }
}

function venueOutputs(r: GatewayResult): VenueOutput[] {
  return [...r.events.map((e) => ({ kind: 'order' as const, event: e })), ...r.fills.map((f) => ({ kind: 'fill' as const, fill: f }))];
}

function command(v: PaperExchange, c: OrderCommandEvent): GatewayResult {
  return c.kind === 'cancel' ? v.cancelNow(c.clientOrderId!, c.reason) : v.cancelAllNow({ symbol: c.symbol, strategyId: c.strategyId }, c.reason);
}
