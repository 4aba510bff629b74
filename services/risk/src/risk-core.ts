import { libRiskStep, limitsNeedAtr, marketInfoOf, specMarkets, specRiskLimits, specShortable, specSlots, specSymbols, strategyInstances, type PipelineSpec } from '@atp/backtest';
import { barCloseTime, clientOrderId, decToString, eventIdFrom, ManualClock, toDecimal, type Clock, type Dec, type InstrumentId, type Timeframe } from '@atp/core';
import type { CandleEvent, DecisionEvent, FillEvent, OrderApprovedEvent, OrderCommandEvent, OrderEvent, OrderRejectedEvent, OrderUpdate, RiskAlertEvent, RiskCommandEvent } from '@atp/contracts';
import { MatchedBarTracker, type MarketSpec, type OrderSnapshot } from '@atp/execution';
import { Atr } from '@atp/indicators';
import type { JournalCore } from '@atp/nest-kit';
import { Portfolio } from '@atp/portfolio';
import { applyRiskCommand, initialRiskState, observeEquity, toAlertEvent, withLimit, type MarketInfo, type RiskAlert, type RiskLimits, type RiskState } from '@atp/risk';

/** What the risk core produces. */
export type RiskOutput =
  | { readonly kind: 'approved'; readonly event: OrderApprovedEvent }
  | { readonly kind: 'rejected'; readonly event: OrderRejectedEvent }
  | { readonly kind: 'alert'; readonly event: RiskAlertEvent }
  | { readonly kind: 'command'; readonly event: OrderCommandEvent };

/** Journal input kinds of the risk core. */
export const RISK_INPUT = { candle: 'candle', decision: 'decision', orderEvent: 'order-event', fill: 'fill', command: 'command' } as const;

export interface RiskCoreOptions {
  /**
   * Clock of the "decision arrives late" part of the stale-data guard: `event` (default; replay and
   * backtest parity: a decision is never late) or `wall` (paper and live: the system clock).
   */
  readonly clock?: 'event' | 'wall';
  /**
   * When equity is checked against the daily-loss and drawdown limits: at each decision (default,
   * as the backtester does) or at every bar close too (trips the kill switch without an intent).
   */
  readonly killSwitchCheck?: 'decisions' | 'every-bar';
  /**
   * False for venues without native stop orders: approvals go out without their bracket and risk's
   * stop monitor sends the stop-loss exit itself when a closed bar reaches the stop (it needs
   * only candles and fills, so stops fire with the strategy service down). Default true.
   */
  readonly nativeStops?: boolean;
  /** Service-local limit overrides (RISK_* keys), applied on top of the spec's limits. */
  readonly limitOverrides?: readonly { readonly limit: string; readonly value: string }[];
  readonly source?: string;
}

interface SymbolState {
  readonly inst: InstrumentId;
  readonly market: MarketSpec;
  /**
   * The market as risk's decision reads it (`marketInfoOf`), built once: @atp/risk caches its parsed
   * numbers per MarketInfo object, so a fresh one per decision (libRiskStep's default) parsed them
   * again every time and grew that cache with dead keys.
   */
  readonly marketInfo: MarketInfo;
  /** Candles not yet processed, by event time T. */
  readonly candles: Map<number, CandleEvent>;
  /** Latest candle event time received (evidence that earlier bars without a candle are gaps). */
  latestCandle: number;
  /** As of the last processed bar: the backtester's `lastClose`, `lastTime`. */
  lastClose: number;
  lastTime: number;
  readonly atr: Atr | undefined;
  atrValue: number;
  /** The decision records' keys in `decisions` (`<strategy id>|<symbol>`) of the strategy instances deciding on this symbol, in id order: made once, the barrier checks them on every input. */
  readonly decisionKeys: readonly string[];
  /** Stop monitor: the last bar it checked. */
  stopChecked: number;
}

interface Waiting {
  readonly clientOrderId: string;
  readonly exchange: string;
  readonly symbol: string;
  answered: boolean;
}

const BRACKET_ROLES = new Set(['stop-loss', 'take-profit', 'trailing-stop']);
const WORKING = new Set(['acknowledged', 'partially-filled', 'cancel-requested']);

/**
 * The risk service's deterministic core: its own projection of the account (a `Portfolio` from
 * fills.v1, marked from md.candles.v1, working orders from orders.events.v1) and the per-event-time
 * barrier of ARCHITECTURE.md step 4. Event times are processed in order; T is processed once, for
 * every symbol of the run, either its candle of T is in, execution's `bar-matched` marker of T has
 * arrived and the fills it announced are applied, and every expected decision record of
 * (strategy, symbol, T) is in (expected = the spec's instances trading the symbol) — or a later
 * candle shows the symbol has no bar at T. Then the intents of T are sized and checked in
 * (strategy id, symbol) order by `libRiskStep`, the backtester's own risk step, against the state
 * after steps 1-2; after an approval the next intent of T waits until execution answered it (and
 * its immediate fills are applied), exactly as the backtester submits before the next check.
 *
 * Also: risk.commands.v1 (kill switch, limit changes); a tripped or engaged kill switch cancels
 * the working entry orders through orders.commands.v1 (protective exits stay); the fallback stop
 * monitor for venues without native stops.
 */
export class RiskCore implements JournalCore<RiskOutput> {
  readonly portfolio: Portfolio;
  state: RiskState = initialRiskState();
  private readonly tracker = new MatchedBarTracker();
  private readonly syms = new Map<string, SymbolState>();
  private readonly symbolOrder: string[];
  private readonly decisions = new Map<number, Map<string, DecisionEvent>>();
  /** Event times seen and not yet processed. */
  private readonly times = new Set<number>();
  private lastProcessed = -Infinity;
  private readonly orders = new Map<string, OrderSnapshot>();
  private readonly eventClock = new ManualClock(0);
  private readonly baseLimits: RiskLimits | undefined;
  private overrides: { limit: string; value: string }[];
  private readonly shortable: ReadonlySet<string>;
  private readonly slots: number;
  private readonly timeframe: Timeframe;
  private readonly source: string;
  private readonly nativeStops: boolean;
  private readonly everyBar: boolean;
  private readonly wallClock: boolean;
  /** Intents of the event time being processed, in (strategy id, symbol) order, and the one answered last. */
  private current: { t: number; intents: DecisionEvent[]; next: number; markedAt: boolean; waiting: Waiting | undefined } | undefined;
  /** Stop monitor: stop levels of the open positions of venues without native stops, by `strategy|symbol`. */
  private readonly stops = new Map<string, { stop: Dec; side: 'buy' | 'sell' }>();
  private readonly pendingStops = new Map<string, Dec>();

  constructor(
    readonly spec: PipelineSpec,
    private readonly clock: Clock,
    opts: RiskCoreOptions = {},
  ) {
    this.timeframe = spec.timeframe as Timeframe;
    this.source = opts.source ?? 'risk';
    this.nativeStops = opts.nativeStops ?? true;
    this.everyBar = opts.killSwitchCheck === 'every-bar';
    this.wallClock = opts.clock === 'wall';
    this.baseLimits = specRiskLimits(spec);
    this.overrides = [...(opts.limitOverrides ?? [])];
    this.shortable = new Set(specShortable(spec));
    this.slots = specSlots(spec);
    // (risk reads positions, cash and equity only: no ledger, round trips or equity curve kept)
    this.portfolio = new Portfolio({ account: spec.runId, quoteCurrency: spec.quoteCurrency ?? 'USDT', initialCash: spec.initialCash, timeframe: this.timeframe, shortable: specShortable(spec), history: false });
    const needsAtr = limitsNeedAtr(this.baseLimits);
    const markets = new Map(specMarkets(spec).map((m) => [m.symbol, m]));
    const instances = strategyInstances(spec);
    this.symbolOrder = specSymbols(spec);
    for (const symbol of this.symbolOrder) {
      const market = markets.get(symbol)!;
      this.syms.set(symbol, {
        inst: { exchange: spec.exchange, symbol },
        market,
        marketInfo: marketInfoOf(spec.exchange, market, this.shortable.has(`${spec.exchange}:${symbol}`)),
        candles: new Map(),
        latestCandle: -Infinity,
        lastClose: NaN,
        lastTime: NaN,
        atr: needsAtr ? new Atr(spec.risk?.atrPeriod ?? 14) : undefined,
        atrValue: NaN,
        decisionKeys: instances.filter((i) => i.symbols.includes(symbol)).map((i) => decisionKey(i.id, symbol)),
        stopChecked: -Infinity,
      });
    }
  }

  /** True for a message about an instrument of the run. */
  wants(m: { exchange: string; symbol: string; timeframe?: string }): boolean {
    return m.exchange === this.spec.exchange && this.syms.has(m.symbol) && (m.timeframe === undefined || m.timeframe === this.timeframe);
  }

  /** The risk limits in force (spec limits with overrides and commands applied); undefined = the default sizing. */
  limits(): RiskLimits | undefined {
    return this.overrides.length ? this.effectiveLimits(toDecimal(this.portfolio.equity())) : this.baseLimits;
  }

  /** Working orders as risk sees them (own approvals not yet answered included). */
  openOrders(): OrderSnapshot[] {
    return [...this.orders.values()];
  }

  /** Event time of the last bar whose intents were all decided. */
  get processedUpTo(): number {
    return this.lastProcessed;
  }

  /**
   * JournalCore.waits (a batching hint): with no event time being decided and no fallback stop
   * watched, a closed candle of bar T before execution's marker of T, and the marker of T before
   * the decision records of T its symbol expects, decide nothing yet: the journal writes them with
   * those decisions (one journal write per bar instead of three).
   */
  waits(kind: string, input: unknown): boolean {
    if (this.current || this.stops.size > 0) return false;
    if (kind === RISK_INPUT.candle) {
      const c = input as CandleEvent;
      return c.closed && this.wants(c) && !this.tracker.isMatched(this.spec.exchange, c.symbol, barCloseTime(c.openTime, this.timeframe));
    }
    if (kind !== RISK_INPUT.orderEvent) return false;
    const e = input as OrderEvent;
    if (e.kind !== 'bar-matched' || e.exchange !== this.spec.exchange) return false;
    const s = this.syms.get(e.symbol);
    if (!s || s.decisionKeys.length === 0) return false;
    const byKey = this.decisions.get(e.barTime);
    return s.decisionKeys.some((k) => !byKey?.has(k));
  }

  apply(kind: string, input: unknown): RiskOutput[] {
    const out: RiskOutput[] = [];
    switch (kind) {
      case RISK_INPUT.candle: {
        const c = input as CandleEvent;
        if (!c.closed || !this.wants(c)) return out;
        const t = barCloseTime(c.openTime, this.timeframe);
        if (t <= this.lastProcessed) return out;
        const s = this.syms.get(c.symbol)!;
        s.candles.set(t, c);
        if (t > s.latestCandle) s.latestCandle = t;
        this.times.add(t);
        break;
      }
      case RISK_INPUT.decision: {
        const d = input as DecisionEvent;
        if (!this.wants(d) || d.runId !== this.spec.runId || d.decisionTime <= this.lastProcessed) return out;
        let m = this.decisions.get(d.decisionTime);
        if (!m) this.decisions.set(d.decisionTime, (m = new Map()));
        m.set(decisionKey(d.strategyId, d.symbol), d);
        this.times.add(d.decisionTime);
        break;
      }
      case RISK_INPUT.orderEvent: {
        const e = input as OrderEvent;
        if (e.exchange !== this.spec.exchange) return out;
        this.tracker.onOrderEvent(e);
        if (e.kind === 'order') this.onOrderUpdate(e);
        break;
      }
      case RISK_INPUT.fill: {
        const f = input as FillEvent;
        if (f.exchange !== this.spec.exchange) return out;
        if (this.portfolio.hasFill(f.fillId)) return out; // a duplicate: counted once
        try {
          this.portfolio.bookFill(f); // (applyFill's effects without its result's strings, unread here)
          this.onPositionChange(f);
        } catch (e) {
          // A fill the projection refuses (e.g. a short on a long-only market) is still counted:
          // the barrier must not wait for it forever. Someone has to look: alert.
          out.push({ kind: 'alert', event: toAlertEvent({ code: 'FILL_REFUSED', severity: 'critical', message: `fill ${f.fillId} refused by risk's portfolio: ${(e as Error).message}`, time: f.tsEvent, details: { fillId: f.fillId } }, this.clock.now(), { exchange: f.exchange, symbol: f.symbol, strategyId: f.strategyId }, this.source) });
        }
        this.tracker.onFillApplied(f.exchange, f.symbol);
        break;
      }
      case RISK_INPUT.command:
        this.onCommand(input as RiskCommandEvent, out);
        break;
      default:
        throw new Error(`risk: unknown input kind ${kind}`);
    }
    if (!this.nativeStops) this.stopMonitor(out);
    this.advance(out);
    return out;
  }

  // ------------------------------------------------------------------ the barrier

  private advance(out: RiskOutput[]): void {
    for (;;) {
      if (this.current) {
        if (!this.continueCurrent(out)) return;
        continue;
      }
      let t = Infinity;
      for (const x of this.times) if (x < t) t = x;
      if (t === Infinity || !this.ready(t)) return;
      this.begin(t, out);
    }
  }

  /** True when every symbol is settled at T: bar matched with fills applied and decisions in, or no bar at T. */
  private ready(t: number): boolean {
    const byKey = this.decisions.get(t);
    for (const s of this.syms.values()) {
      if (!s.candles.has(t)) {
        if (s.latestCandle > t) continue; // a gap of this symbol at T
        return false;
      }
      if (!this.tracker.isMatched(s.inst.exchange, s.inst.symbol, t)) return false;
      for (const k of s.decisionKeys) if (!byKey?.has(k)) return false;
    }
    return true;
  }

  /** Steps 1-2 of T are done (fills applied): take the bars of T, then queue its intents. */
  private begin(t: number, out: RiskOutput[]): void {
    this.times.delete(t);
    if (this.eventClock.now() < t) this.eventClock.set(t);
    for (const s of this.syms.values()) {
      const c = s.candles.get(t);
      if (!c) continue;
      s.candles.delete(t);
      s.lastClose = c.close;
      s.lastTime = t;
      if (s.atr) {
        const v = s.atr.update(c);
        s.atrValue = v === null ? NaN : v;
      }
    }
    const byKey = this.decisions.get(t);
    this.decisions.delete(t);
    const intents = [...(byKey?.values() ?? [])]
      .filter((d) => d.kind === 'intent')
      .sort((a, b) => (a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
    this.current = { t, intents, next: 0, markedAt: false, waiting: undefined };
    if (this.everyBar) {
      this.mark();
      this.current.markedAt = true;
      const limits = this.limits();
      if (limits) {
        const obs = observeEquity(this.state, limits, decToString(this.portfolio.equity()), t);
        this.afterRiskStep(obs.state, obs.alerts, t, out);
      }
    }
  }

  /** Decides the queued intents of the current T; false while waiting for execution's answer. */
  private continueCurrent(out: RiskOutput[]): boolean {
    const cur = this.current!;
    if (cur.waiting) {
      if (!cur.waiting.answered || !this.tracker.fillsSettled(cur.waiting.exchange, cur.waiting.symbol)) return false;
      cur.waiting = undefined;
    }
    while (cur.next < cur.intents.length) {
      const d = cur.intents[cur.next++];
      if (!cur.markedAt) {
        this.mark();
        cur.markedAt = true;
      }
      const approved = this.decide(d, cur.t, out);
      if (approved && cur.next < cur.intents.length) {
        cur.waiting = { clientOrderId: approved.clientOrderId, exchange: approved.exchange, symbol: approved.symbol, answered: false };
        return false;
      }
    }
    this.lastProcessed = cur.t;
    this.current = undefined;
    let oldest = Infinity;
    for (const s of this.syms.values()) if (s.lastTime < oldest) oldest = s.lastTime;
    if (Number.isFinite(oldest)) this.tracker.prune(oldest);
    return true;
  }

  /** Step 2 as the backtester does it, lazily: open positions marked at their last close. */
  private mark(): void {
    for (const s of this.syms.values()) {
      if (!Number.isFinite(s.lastTime)) continue;
      if (!this.portfolio.quantity(s.inst).isZero()) this.portfolio.mark(s.inst, s.lastClose, s.lastTime);
    }
  }

  private decide(d: DecisionEvent, t: number, out: RiskOutput[]): OrderApprovedEvent | undefined {
    const s = this.syms.get(d.symbol)!;
    const equity = this.portfolio.equity();
    const step = libRiskStep(
      {
        runId: this.spec.runId,
        exchange: d.exchange,
        symbol: d.symbol,
        strategyId: d.strategyId,
        decisionId: d.decisionId,
        decisionTime: t,
        clientOrderId: () => clientOrderId(this.spec.runId, d.strategyId, d.symbol, t, 0),
        intent: d.intent!,
        price: toDecimal(s.lastClose),
        position: this.portfolio.quantity(s.inst, d.strategyId),
        equity,
        cash: this.portfolio.cash(),
        market: s.market,
        slots: this.slots,
        tsInit: this.clock.now(),
        shortable: this.shortable.has(`${d.exchange}:${d.symbol}`),
        timeframe: this.timeframe,
        portfolio: this.portfolio,
        openOrders: this.openOrders(),
        lastBarTime: s.lastTime,
        atr: s.atrValue,
      },
      this.overrides.length ? this.effectiveLimits(equity) : this.baseLimits,
      this.state,
      this.decisionClock(t),
      d.exchange === this.spec.exchange ? s.marketInfo : marketInfoOf(d.exchange, s.market, this.shortable.has(`${d.exchange}:${d.symbol}`)),
    );
    if (step.outcome.kind === 'rejected') {
      out.push({ kind: 'rejected', event: step.outcome.rejection });
      this.afterRiskStep(step.state, step.alerts, t, out);
      return undefined;
    }
    let order = step.outcome.order;
    if (!this.nativeStops && order.bracket?.stopLoss !== undefined) {
      // No native stops at the venue: the stop travels no further; the monitor fires it.
      this.pendingStops.set(order.clientOrderId, toDecimal(order.bracket.stopLoss));
      const { bracket: _b, ...rest } = order;
      order = rest;
    }
    out.push({ kind: 'approved', event: order });
    this.orders.set(order.clientOrderId, {
      clientOrderId: order.clientOrderId,
      exchange: order.exchange,
      symbol: order.symbol,
      strategyId: order.strategyId,
      side: order.side,
      type: order.type,
      role: order.reduceOnly ? 'exit' : 'entry',
      status: 'acknowledged',
      quantity: order.quantity,
      filledQuantity: '0',
      ...(order.limitPrice !== undefined ? { limitPrice: order.limitPrice } : {}),
      decisionTime: order.decisionTime,
    });
    this.afterRiskStep(step.state, step.alerts, t, out);
    return order;
  }

  /** The clock of the stale-data guard's lateness check. */
  private decisionClock(t: number): ManualClock {
    if (!this.wallClock) return this.eventClock;
    const now = this.clock.now();
    return new ManualClock(Math.max(now, t));
  }

  /** New risk state: alerts out; a kill switch that just engaged cancels the working entries. */
  private afterRiskStep(next: RiskState, alerts: readonly RiskAlert[], t: number, out: RiskOutput[]): void {
    const wasOn = this.state.killSwitch.engaged;
    this.state = next;
    for (const a of alerts) out.push({ kind: 'alert', event: toAlertEvent(a, this.clock.now(), {}, this.source) });
    if (!wasOn && next.killSwitch.engaged) this.cancelEntries(t, next.killSwitch.cause ?? 'kill switch', out);
  }

  private cancelEntries(t: number, cause: string, out: RiskOutput[]): void {
    for (const o of this.orders.values()) {
      if (o.role !== 'entry' || !WORKING.has(o.status)) continue;
      const commandId = eventIdFrom('risk-cancel', this.spec.runId, o.clientOrderId, t);
      out.push({
        kind: 'command',
        event: {
          eventId: commandId,
          tsEvent: t,
          tsInit: this.clock.now(),
          source: this.source,
          commandId,
          kind: 'cancel',
          clientOrderId: o.clientOrderId,
          exchange: o.exchange,
          symbol: o.symbol,
          strategyId: o.strategyId,
          reason: `kill switch engaged (${cause}): working entries cancelled`,
          actor: 'risk',
        },
      });
    }
  }

  private effectiveLimits(equity: Dec): RiskLimits {
    let l: RiskLimits = this.baseLimits ?? { sizing: { method: 'fixed-notional', notional: decToString(equity.mul(0.95).div(Math.max(1, this.slots))) } };
    for (const o of this.overrides) l = withLimit(l, o.limit, o.value);
    return l;
  }

  // ------------------------------------------------------------------ orders, fills, commands

  private onOrderUpdate(e: OrderUpdate): void {
    const w = this.current?.waiting;
    if (w && w.clientOrderId === e.clientOrderId) w.answered = true;
    if (!WORKING.has(e.status)) {
      this.orders.delete(e.clientOrderId);
      // A filled entry arms its stop when its fill is applied (fills.v1 may come after this update).
      if (e.status !== 'filled') this.pendingStops.delete(e.clientOrderId);
      return;
    }
    this.orders.set(e.clientOrderId, {
      clientOrderId: e.clientOrderId,
      exchange: e.exchange,
      symbol: e.symbol,
      strategyId: e.strategyId,
      side: e.side,
      type: e.type,
      role: e.role as OrderSnapshot['role'],
      status: e.status as OrderSnapshot['status'],
      quantity: e.quantity,
      filledQuantity: e.filledQuantity,
      ...(e.limitPrice !== undefined ? { limitPrice: e.limitPrice } : {}),
      ...(e.stopPrice !== undefined ? { stopPrice: e.stopPrice } : {}),
      decisionTime: this.orders.get(e.clientOrderId)?.decisionTime ?? e.tsEvent,
      ...(BRACKET_ROLES.has(e.role) ? { parentClientOrderId: 'bracket' } : {}),
    });
  }

  private onPositionChange(f: FillEvent): void {
    if (this.nativeStops) return;
    const key = `${f.strategyId}|${f.symbol}`;
    const qty = this.portfolio.quantity({ exchange: f.exchange, symbol: f.symbol }, f.strategyId);
    if (qty.isZero()) {
      this.stops.delete(key);
      return;
    }
    const stop = this.pendingStops.get(f.clientOrderId);
    if (stop !== undefined && f.role === 'entry') {
      this.stops.set(key, { stop, side: qty.gt(0) ? 'sell' : 'buy' });
      this.pendingStops.delete(f.clientOrderId);
    }
  }

  private onCommand(c: RiskCommandEvent, out: RiskOutput[]): void {
    const base = this.limits() ?? this.effectiveLimits(this.portfolio.equity());
    let r;
    try {
      r = applyRiskCommand(this.state, base, c);
    } catch (e) {
      out.push({
        kind: 'alert',
        event: toAlertEvent({ code: 'RISK_COMMAND_REJECTED', severity: 'warning', message: `${c.kind} ${c.limit ?? ''}=${c.value ?? ''} by ${c.actor} refused: ${(e as Error).message}`, time: c.tsEvent, details: { commandId: c.commandId } }, this.clock.now(), {}, this.source),
      });
      return;
    }
    if (c.kind === 'set-limit') this.overrides = [...this.overrides, { limit: c.limit!, value: c.value! }];
    this.afterRiskStep(r.state, r.alerts, c.tsEvent, out);
  }

  // ------------------------------------------------------------------ fallback stop monitor

  /**
   * Venues without native stops: for each symbol, every closed bar whose fills are applied is
   * checked against the stop levels of the open positions; a bar that reaches a stop (low <= stop
   * for a long) sends a reduce-only market exit of the whole position, decided at that bar's close.
   * Needs only candles and fills: it fires with the strategy service down.
   */
  private stopMonitor(out: RiskOutput[]): void {
    if (this.stops.size === 0) return;
    for (const s of this.syms.values()) {
      const times = [...s.candles.keys()].filter((t) => t > s.stopChecked).sort((a, b) => a - b);
      for (const t of times) {
        if (!this.tracker.isMatched(s.inst.exchange, s.inst.symbol, t)) break;
        s.stopChecked = t;
        const c = s.candles.get(t)!;
        for (const [key, st] of this.stops) {
          const [strategyId, symbol] = key.split('|') as [string, string];
          if (symbol !== s.inst.symbol) continue;
          const hit = st.side === 'sell' ? c.low <= st.stop.toNumber() : c.high >= st.stop.toNumber();
          if (!hit) continue;
          const qty = this.portfolio.quantity(s.inst, strategyId).abs();
          if (qty.isZero()) continue;
          this.stops.delete(key);
          const coid = clientOrderId(this.spec.runId, strategyId, symbol, t, 1);
          const decisionId = eventIdFrom('stop-monitor', this.spec.runId, strategyId, s.inst.exchange, symbol, t);
          const order: OrderApprovedEvent = {
            eventId: eventIdFrom('approved', decisionId),
            tsEvent: t,
            tsInit: this.clock.now(),
            source: this.source,
            exchange: s.inst.exchange,
            symbol,
            runId: this.spec.runId,
            decisionId,
            clientOrderId: coid,
            strategyId,
            decisionTime: t,
            side: st.side,
            type: 'market',
            quantity: decToString(qty),
            timeInForce: 'GTC',
            postOnly: false,
            reduceOnly: true,
            sizing: { method: 'stop-monitor', stop: decToString(st.stop), low: c.low, high: c.high },
          };
          out.push({ kind: 'approved', event: order });
          out.push({
            kind: 'alert',
            event: toAlertEvent(
              { code: 'STOP_MONITOR_FIRED', severity: 'warning', message: `stop ${decToString(st.stop)} of ${strategyId} on ${symbol} reached by the bar closing at ${t} (low ${c.low}, high ${c.high}): exit sent`, time: t, details: { clientOrderId: coid } },
              this.clock.now(),
              { exchange: s.inst.exchange, symbol, strategyId },
              this.source,
            ),
          });
          this.orders.set(coid, { clientOrderId: coid, exchange: s.inst.exchange, symbol, strategyId, side: st.side, type: 'market', role: 'exit', status: 'acknowledged', quantity: decToString(qty), filledQuantity: '0', decisionTime: t });
        }
      }
    }
  }
}

/** The key of a (strategy, symbol)'s decision record of an event time in `RiskCore.decisions`. */
function decisionKey(strategyId: string, symbol: string): string {
  return `${strategyId}|${symbol}`;
}
