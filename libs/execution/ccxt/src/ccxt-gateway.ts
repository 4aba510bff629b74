import { DuplicateOrderId, ExchangeError, NetworkError, OrderNotFound, type Exchange, type MarketInterface, type Order, type Trade } from 'ccxt';
import { Dec, decToString, fillId, systemClock, type Clock, type DecimalString } from '@atp/core';
import type { FillEvent, OrderUpdate } from '@atp/contracts';
import {
  canTransition,
  isTerminal,
  isWorking,
  type BalanceEntry,
  type ExchangeGateway,
  type GatewayResult,
  type OrderRole,
  type OrderSnapshot,
  type OrderStatus,
  type SubmitOrder,
} from '@atp/execution';
import { balancesOf, venueOrderOf, venueReason, venueTradeOf } from './mapping';
import { reconcileStates, type Drift, type VenueOrder, type VenueTrade } from './reconcile';

export interface CcxtGatewayOptions {
  /** A ccxt exchange with credentials (e.g. `new ccxt.binance({ apiKey, secret })`). */
  readonly exchange: Exchange;
  /** Exchange id on the events (default: the ccxt id). */
  readonly exchangeId?: string;
  readonly runId: string;
  /** tsInit of events, and tsEvent where the venue gives no time (default: system clock). */
  readonly clock?: Clock;
  readonly source?: string;
  /** Sends of one order at most (the first and re-sends after the venue said it does not know the id). Default 2. */
  readonly maxSends?: number;
  /** Look-ups by client order id after an uncertain send, when they fail with network errors. Default 3. */
  readonly lookupAttempts?: number;
  /** Pause between look-ups, ms. Default 250. */
  readonly lookupDelayMs?: number;
}

/** A gateway result; `uncertain`: the venue could not be asked whether it has the order (poll() resolves it). */
export interface CcxtGatewayResult extends GatewayResult {
  readonly uncertain?: boolean;
  readonly reason?: string;
}

export interface PollResult {
  readonly events: readonly OrderUpdate[];
  readonly fills: readonly FillEvent[];
}

interface Ord {
  readonly req: SubmitOrder;
  readonly role: OrderRole;
  readonly quantity: DecimalString;
  readonly limitPrice?: DecimalString;
  readonly stopPrice?: DecimalString;
  status: OrderStatus;
  venueOrderId?: string;
  filled: Dec;
  notional: Dec;
  fillSeq: number;
  evSeq: number;
  /** venue trade id -> fill id of the fills already emitted. */
  readonly seen: Map<string, string>;
  /** Venue time of the latest change (ms). */
  lastTime: number;
  /** Sent, but whether the venue has it is not known yet. */
  uncertain: boolean;
}

type Lookup = { kind: 'found'; order: Order } | { kind: 'unknown' } | { kind: 'unreachable'; reason: string };

const ZERO = new Dec(0);

/**
 * ExchangeGateway v1 over a ccxt exchange (spot; proven with ccxt's `binance` class).
 *
 * - Orders: market, limit GTC/IOC/FOK (`timeInForce`), post-only (`postOnly`, Binance LIMIT_MAKER),
 *   stop (stop-market through ccxt `triggerPrice`, Binance STOP_LOSS); `reduceOnly` is sent for
 *   contract markets only (spot venues have no such flag). The client order id is the venue's
 *   (`newClientOrderId`), so the venue enforces idempotency too.
 * - Quantities are rounded down to the market's amount precision and limit/stop prices to its price
 *   precision (ccxt `amountToPrecision`/`priceToPrecision` on the loaded markets); a rounding is named
 *   in the acknowledged event's reason. Below the market's minimum amount or cost the order is
 *   rejected locally, without a request.
 * - Errors: InsufficientFunds / InvalidOrder (and other non-network exchange errors) -> `rejected`
 *   with the venue's reason. NetworkError / RequestTimeout after sending -> the order is looked up by
 *   client order id; found -> its venue state is adopted (one order, whatever the transport said);
 *   unknown -> re-sent (at most `maxSends` sends in all); unreachable -> `uncertain` (status `new`,
 *   resolved by `poll()`). Never two orders for one client order id.
 * - `poll()` brings working orders up to date: one open-orders and one my-trades request per symbol,
 *   a look-up for each order that left the open list; fills are emitted once per venue trade. Orders
 *   past their `expireAt` (clock time) are cancelled at the venue and reported `expired`.
 * - `reconcile()` compares local orders and balances with the venue (see `reconcileStates`).
 *
 * Submit, resume, cancel, poll and reconcile run one at a time (in call order).
 *
 * Ids: order events `<clientOrderId>/o<n>`, fills `fillId(clientOrderId, n)` with event id
 * `<fillId>/f` (as the paper exchange), `venueTradeId` set.
 */
export class CcxtGateway implements ExchangeGateway {
  readonly gatewayVersion = 1 as const;
  readonly exchange: string;
  readonly ex: Exchange;
  private readonly runId: string;
  private readonly clock: Clock;
  private readonly source: string;
  private readonly maxSends: number;
  private readonly lookupAttempts: number;
  private readonly lookupDelayMs: number;
  private readonly orders = new Map<string, Ord>();
  /**
   * Per symbol, where the next poll's my-trades read starts: Binance the next trade id (`fromId`: a
   * time window there spans at most 24 h, an id cursor never stalls), other venues a venue time.
   */
  private readonly tradeCursor = new Map<string, { fromId?: number; since?: number }>();
  private outEvents: OrderUpdate[] = [];
  private outFills: FillEvent[] = [];
  private marketsLoaded: Promise<unknown> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: CcxtGatewayOptions) {
    this.ex = opts.exchange;
    this.exchange = opts.exchangeId ?? opts.exchange.id;
    this.runId = opts.runId;
    this.clock = opts.clock ?? systemClock;
    this.source = opts.source ?? 'execution-ccxt';
    this.maxSends = opts.maxSends ?? 2;
    this.lookupAttempts = opts.lookupAttempts ?? 3;
    this.lookupDelayMs = opts.lookupDelayMs ?? 250;
    // Reconciliation lists open orders of all symbols on purpose (Binance weight 80, not per symbol).
    this.ex.options = { ...this.ex.options, warnOnFetchOpenOrdersWithoutSymbol: false };
  }

  /** Loads the venue's markets once (precision and limits). */
  async init(): Promise<void> {
    this.marketsLoaded ??= this.ex.loadMarkets();
    try {
      await this.marketsLoaded;
    } catch (e) {
      this.marketsLoaded = undefined;
      throw e;
    }
  }

  /** The local view of an order, if the gateway knows it. */
  order(clientOrderId: string): OrderSnapshot | undefined {
    const o = this.orders.get(clientOrderId);
    return o ? this.snapshot(o) : undefined;
  }

  /** Every order this gateway knows, in submission order. */
  knownOrders(): OrderSnapshot[] {
    return [...this.orders.values()].map((o) => this.snapshot(o));
  }

  // ---------------------------------------------------------------- submit

  submit(req: SubmitOrder): Promise<CcxtGatewayResult> {
    return this.exclusive(() => this.place(req, false));
  }

  /**
   * Submit after a restart (or a redelivered command whose earlier submission this instance does not
   * remember): the venue is asked for the client order id first; a known order is adopted (its state
   * and fills as events, `duplicate: true`), an unknown one is submitted. Never a second order.
   */
  resume(req: SubmitOrder): Promise<CcxtGatewayResult> {
    return this.exclusive(() => this.place(req, true));
  }

  private async place(req: SubmitOrder, lookupFirst: boolean): Promise<CcxtGatewayResult> {
    const known = this.orders.get(req.clientOrderId);
    if (known) return { order: this.snapshot(known), duplicate: true, events: [], fills: [] };
    await this.init();
    const market = (this.ex.markets as Record<string, MarketInterface | undefined> | undefined)?.[req.symbol];
    const prep = market ? this.prepare(req, market) : { problem: `unknown symbol ${req.symbol} at ${this.ex.id}` };
    const ord: Ord = {
      req,
      role: req.role ?? (req.reduceOnly ? 'exit' : 'entry'),
      quantity: prep.quantity ?? req.quantity,
      ...(prep.limitPrice !== undefined ? { limitPrice: prep.limitPrice } : req.limitPrice !== undefined ? { limitPrice: req.limitPrice } : {}),
      ...(prep.stopPrice !== undefined ? { stopPrice: prep.stopPrice } : req.stopPrice !== undefined ? { stopPrice: req.stopPrice } : {}),
      status: 'new',
      filled: ZERO,
      notional: ZERO,
      fillSeq: 0,
      evSeq: 0,
      seen: new Map(),
      lastTime: req.decisionTime,
      uncertain: false,
    };
    this.orders.set(req.clientOrderId, ord);
    if (prep.problem !== undefined) {
      this.moveTo(ord, 'rejected', prep.problem, this.clock.now());
      return this.result(ord);
    }
    const { type, params } = this.orderArgs(req, market!);
    if (lookupFirst) {
      const found = await this.lookup(ord);
      if (found.kind === 'found') {
        await this.adopt(ord, found.order, prep.note);
        return { ...this.result(ord), duplicate: true };
      }
      if (found.kind === 'unreachable') {
        ord.uncertain = true;
        return { ...this.result(ord), uncertain: true, reason: `look-up: ${found.reason}` };
      }
    }
    let lastReason = '';
    for (let send = 1; send <= this.maxSends; send++) {
      try {
        // Already on the market's grid (at most 8 decimals): the numbers format back to the same strings in ccxt.
        const o = await this.ex.createOrder(req.symbol, type, req.side, Number(ord.quantity), type === 'market' ? undefined : Number(ord.limitPrice), params);
        await this.adopt(ord, o, prep.note);
        return this.result(ord);
      } catch (e) {
        if (e instanceof DuplicateOrderId || (e instanceof ExchangeError && /Duplicate order sent/i.test(e.message))) {
          // The venue already has this client order id (sent before this gateway knew it): adopt it.
          const found = await this.lookup(ord);
          if (found.kind === 'found') {
            await this.adopt(ord, found.order, prep.note);
            return { ...this.result(ord), duplicate: true };
          }
          this.moveTo(ord, 'rejected', venueReason(e), this.clock.now());
          return this.result(ord);
        }
        if (e instanceof NetworkError) {
          // Sent, outcome unknown: ask the venue by client order id before anything else.
          lastReason = `${e.constructor.name}: ${venueReason(e)}`;
          ord.uncertain = true;
          const found = await this.lookup(ord);
          if (found.kind === 'found') {
            await this.adopt(ord, found.order, prep.note);
            return this.result(ord);
          }
          if (found.kind === 'unknown') continue; // the venue never got it: send again
          lastReason += `; look-up: ${found.reason}`;
          break;
        }
        // InsufficientFunds, InvalidOrder, BadSymbol, AuthenticationError, ...: the venue refused it.
        ord.uncertain = false;
        this.moveTo(ord, 'rejected', venueReason(e), this.clock.now());
        return this.result(ord);
      }
    }
    // Unresolved: stays `new` and uncertain; poll() looks it up again.
    return { ...this.result(ord), uncertain: true, reason: lastReason };
  }

  /** Rounds to the market's precision and checks its limits (no request). */
  private prepare(req: SubmitOrder, market: MarketInterface): { quantity?: string; limitPrice?: string; stopPrice?: string; problem?: string; note?: string } {
    const notes: string[] = [];
    let quantity: string;
    let limitPrice: string | undefined;
    let stopPrice: string | undefined;
    try {
      quantity = decToString(new Dec(this.ex.amountToPrecision(req.symbol, req.quantity as unknown as number) ?? '0'));
    } catch (e) {
      return { problem: `quantity ${req.quantity} below the amount precision of ${req.symbol} (${venueReason(e)})` };
    }
    if (!new Dec(quantity).eq(req.quantity)) notes.push(`quantity rounded down from ${req.quantity} to ${quantity} (precision ${market.precision.amount})`);
    const round = (p: string, name: string): string => {
      const r = decToString(new Dec(this.ex.priceToPrecision(req.symbol, p as unknown as number) ?? p));
      if (!new Dec(r).eq(p)) notes.push(`${name} rounded from ${p} to ${r} (tick ${market.precision.price})`);
      return r;
    };
    if (req.type !== 'market') {
      if (req.type === 'limit' && req.limitPrice === undefined) return { problem: 'limit order without limitPrice' };
      if (req.type === 'stop' && req.stopPrice === undefined) return { problem: 'stop order without stopPrice' };
    }
    if (req.type === 'limit') limitPrice = round(req.limitPrice!, 'limit price');
    if (req.type === 'stop') stopPrice = round(req.stopPrice!, 'stop price');
    if (req.postOnly && req.type !== 'limit') return { quantity, problem: 'post-only needs a limit order' };
    const q = new Dec(quantity);
    const minAmt = market.limits.amount?.min;
    if (q.isZero() || (minAmt !== undefined && q.lt(new Dec(String(minAmt))))) {
      return { quantity, problem: `quantity ${quantity} below the market minimum ${minAmt ?? 'step'} of ${req.symbol}` };
    }
    const minCost = market.limits.cost?.min;
    const ref = limitPrice ?? stopPrice;
    if (minCost !== undefined && ref !== undefined && q.mul(ref).lt(new Dec(String(minCost)))) {
      return { quantity, limitPrice, stopPrice, problem: `notional ${decToString(q.mul(ref))} below the market minimum cost ${minCost} of ${req.symbol}` };
    }
    return { quantity, ...(limitPrice !== undefined ? { limitPrice } : {}), ...(stopPrice !== undefined ? { stopPrice } : {}), ...(notes.length ? { note: notes.join('; ') } : {}) };
  }

  private orderArgs(req: SubmitOrder, market: MarketInterface): { type: string; params: Record<string, unknown> } {
    const params: Record<string, unknown> = { clientOrderId: req.clientOrderId };
    if (req.type === 'limit') {
      if (req.postOnly) params.postOnly = true;
      else params.timeInForce = req.timeInForce ?? 'GTC';
    }
    if (req.type === 'stop') params.triggerPrice = this.orders.get(req.clientOrderId)?.stopPrice ?? req.stopPrice;
    if (req.reduceOnly && market.contract) params.reduceOnly = true;
    return { type: req.type === 'limit' ? 'limit' : 'market', params };
  }

  // ---------------------------------------------------------------- cancel

  cancel(clientOrderId: string, reason?: string): Promise<CcxtGatewayResult> {
    return this.exclusive(() => this.cancelNow(clientOrderId, reason));
  }

  private async cancelNow(clientOrderId: string, reason?: string): Promise<CcxtGatewayResult> {
    const ord = this.orders.get(clientOrderId);
    if (!ord) return { order: undefined, duplicate: false, events: [], fills: [] };
    if (isTerminal(ord.status)) return { order: this.snapshot(ord), duplicate: false, events: [], fills: [] };
    const why = reason ?? 'cancelled';
    if (isWorking(ord.status) && ord.status !== 'cancel-requested') this.moveTo(ord, 'cancel-requested', why, this.clock.now());
    try {
      const o = await this.ex.cancelOrder('', ord.req.symbol, this.idParams(ord));
      await this.catchUp(ord, o, why);
    } catch (e) {
      if (e instanceof OrderNotFound || e instanceof NetworkError) {
        // Raced with a fill or expiry (unknown to cancel), or the answer was lost: ask the venue.
        const found = await this.lookup(ord);
        if (found.kind === 'found') await this.catchUp(ord, found.order, why);
        else if (found.kind === 'unknown' && ord.status === 'new') {
          ord.uncertain = false;
          this.moveTo(ord, 'cancelled', `${why} (never reached the venue)`, this.clock.now());
        }
      } else throw e;
    }
    return this.result(ord);
  }

  // ---------------------------------------------------------------- poll

  /**
   * Brings every non-terminal order up to date with the venue and returns what changed: fills of
   * resting orders, expiries, cancels by the venue, and uncertain submissions resolved.
   */
  poll(): Promise<PollResult> {
    return this.exclusive(() => this.pollNow());
  }

  private async pollNow(): Promise<PollResult> {
    const bySymbol = new Map<string, Ord[]>();
    for (const o of this.orders.values()) {
      if (isTerminal(o.status)) continue;
      const list = bySymbol.get(o.req.symbol) ?? [];
      list.push(o);
      bySymbol.set(o.req.symbol, list);
    }
    for (const [symbol, list] of bySymbol) {
      // Uncertain submissions first: the venue has them or not.
      for (const o of list.filter((x) => x.status === 'new' && x.uncertain)) {
        const found = await this.lookup(o);
        if (found.kind === 'found') await this.adopt(o, found.order);
        else if (found.kind === 'unknown') {
          o.uncertain = false;
          this.moveTo(o, 'rejected', 'unknown at the venue after an uncertain send', this.clock.now());
        }
      }
      const working = list.filter((x) => x.venueOrderId !== undefined && !isTerminal(x.status));
      if (!working.length) continue;
      const open = await this.ex.fetchOpenOrders(symbol);
      const openById = new Map(open.map((o) => [String(o.id), o]));
      const cur = this.tradeCursor.get(symbol);
      const byId = this.ex.id.startsWith('binance');
      // First read: the most recent trades (Binance: up to 500) cover orders placed by this process.
      const trades = byId
        ? await this.ex.fetchMyTrades(symbol, undefined, undefined, cur?.fromId !== undefined ? { fromId: cur.fromId } : {})
        : await this.ex.fetchMyTrades(symbol, cur?.since ?? Math.min(...working.map((w) => w.lastTime)));
      this.applyTrades(working, trades);
      const next = { ...(cur ?? {}) };
      for (const t of trades) {
        const id = Number(t.id);
        if (byId && Number.isSafeInteger(id) && id + 1 > (next.fromId ?? 0)) next.fromId = id + 1;
        if (t.timestamp !== undefined && t.timestamp > (next.since ?? -Infinity)) next.since = t.timestamp;
      }
      this.tradeCursor.set(symbol, next);
      for (const w of working) {
        const venue = openById.get(w.venueOrderId!) ?? (await this.lookupOrNull(w));
        if (venue) await this.catchUp(w, venue);
      }
      // expireAt (no GTD on Binance spot): cancelled at the venue by the gateway, reported `expired`.
      const now = this.clock.now();
      for (const w of working) {
        if (w.req.expireAt === undefined || w.req.expireAt > now || isTerminal(w.status)) continue;
        const why = `expireAt ${w.req.expireAt} reached`;
        try {
          await this.catchUp(w, await this.ex.cancelOrder('', symbol, this.idParams(w)), why, 'expired');
        } catch (e) {
          if (!(e instanceof OrderNotFound || e instanceof NetworkError)) throw e;
          const found = await this.lookup(w);
          if (found.kind === 'found') await this.catchUp(w, found.order, why, 'expired');
        }
      }
    }
    return { events: this.takeEvents(), fills: this.takeFills() };
  }

  // ---------------------------------------------------------------- queries

  async fetchOpenOrders(symbol?: string): Promise<readonly OrderSnapshot[]> {
    const open = await this.ex.fetchOpenOrders(symbol);
    return open.map((o) => {
      const v = venueOrderOf(o);
      const local = v.clientOrderId !== undefined ? this.orders.get(v.clientOrderId) : undefined;
      return {
        clientOrderId: v.clientOrderId ?? `venue-${v.venueOrderId}`,
        exchange: this.exchange,
        symbol: v.symbol,
        strategyId: local?.req.strategyId ?? 'unknown',
        side: v.side,
        type: local?.req.type ?? (o.type === 'market' ? 'market' : 'limit'),
        role: local?.role ?? 'entry',
        status: v.status,
        quantity: v.quantity,
        filledQuantity: v.filledQuantity,
        ...(v.avgFillPrice !== undefined ? { avgFillPrice: v.avgFillPrice } : {}),
        ...(v.limitPrice !== undefined ? { limitPrice: v.limitPrice } : {}),
        decisionTime: local?.req.decisionTime ?? v.updatedAt ?? 0,
      };
    });
  }

  /** Venue trades as fills (Binance needs a symbol: without one, the symbols of known orders). */
  async fetchTrades(symbol?: string, sinceMs?: number): Promise<readonly FillEvent[]> {
    const symbols = symbol !== undefined ? [symbol] : [...new Set([...this.orders.values()].map((o) => o.req.symbol))].sort();
    const byVenueId = new Map<string, Ord>();
    for (const o of this.orders.values()) if (o.venueOrderId !== undefined) byVenueId.set(o.venueOrderId, o);
    const out: FillEvent[] = [];
    for (const s of symbols) {
      for (const t of await this.ex.fetchMyTrades(s, sinceMs)) {
        const v = venueTradeOf(t);
        const ord = byVenueId.get(v.venueOrderId);
        const coid = ord?.req.clientOrderId ?? `venue-${v.venueOrderId}`;
        const fid = ord?.seen.get(v.venueTradeId) ?? `${coid}:t${v.venueTradeId}`;
        out.push(this.fillEvent(fid, coid, ord?.req.strategyId ?? 'unknown', ord?.role ?? 'entry', v));
      }
    }
    return out.sort((a, b) => a.tsEvent - b.tsEvent);
  }

  async fetchBalance(): Promise<Readonly<Record<string, BalanceEntry>>> {
    return balancesOf(await this.ex.fetchBalance());
  }

  // ---------------------------------------------------------------- reconciliation

  /**
   * Fetches the venue side (all open orders, look-ups of local orders that are not open there,
   * my-trades since `sinceMs` for the symbols involved, balances when `localBalances` is given) and
   * compares it with `local` (see {@link reconcileStates}).
   */
  reconcile(
    local: readonly OrderSnapshot[],
    localBalances?: Readonly<Record<string, DecimalString | BalanceEntry>>,
    opts: { sinceMs?: number; symbols?: readonly string[] } = {},
  ): Promise<Drift[]> {
    return this.exclusive(() => this.reconcileNow(local, localBalances, opts));
  }

  private async reconcileNow(
    local: readonly OrderSnapshot[],
    localBalances: Readonly<Record<string, DecimalString | BalanceEntry>> | undefined,
    opts: { sinceMs?: number; symbols?: readonly string[] },
  ): Promise<Drift[]> {
    await this.init();
    const open = (await this.ex.fetchOpenOrders()).map(venueOrderOf);
    const openIds = new Set(open.map((o) => o.clientOrderId));
    const lookedUp: Record<string, VenueOrder | null> = {};
    for (const o of local) {
      if (openIds.has(o.clientOrderId) || (isTerminal(o.status) && o.status !== 'filled' && o.filledQuantity === '0')) continue;
      const found = await this.lookup({ req: { symbol: o.symbol, clientOrderId: o.clientOrderId } as SubmitOrder });
      if (found.kind === 'found') lookedUp[o.clientOrderId] = venueOrderOf(found.order);
      else if (found.kind === 'unknown') lookedUp[o.clientOrderId] = null;
    }
    const symbols = [...new Set([...local.map((o) => o.symbol), ...open.map((o) => o.symbol), ...(opts.symbols ?? [])])].sort();
    const trades: VenueTrade[] = [];
    let since = opts.sinceMs ?? (local.length ? Math.min(...local.map((o) => o.decisionTime)) : undefined);
    // Binance serves a my-trades time window of at most 24 h from startTime: look back 23 h at most.
    if (since !== undefined && this.ex.id.startsWith('binance')) since = Math.max(since, this.clock.now() - 23 * 3_600_000);
    // Trades of orders this gateway placed are explained by it (also when the caller lists only working orders).
    const mine = new Set([...this.orders.values()].flatMap((o) => (o.venueOrderId !== undefined ? [o.venueOrderId] : [])));
    for (const s of symbols) for (const t of await this.ex.fetchMyTrades(s, since)) if (!mine.has(String(t.order))) trades.push(venueTradeOf(t));
    const balances = localBalances ? await this.fetchBalance() : undefined;
    return reconcileStates({ orders: local, ...(localBalances ? { balances: localBalances } : {}) }, { openOrders: open, lookedUp, trades, ...(balances ? { balances } : {}) });
  }

  // ---------------------------------------------------------------- venue state -> local state

  /** Takes the venue's order (submit response or look-up) as the truth: status, fills. */
  private async adopt(ord: Ord, o: Order, note?: string): Promise<void> {
    ord.uncertain = false;
    ord.venueOrderId = String(o.id);
    const t = o.timestamp ?? this.clock.now();
    if (ord.status === 'new') {
      const v = venueOrderOf(o);
      if (v.status === 'rejected') {
        this.moveTo(ord, 'rejected', note, t);
        return;
      }
      this.moveTo(ord, 'acknowledged', note, t);
    }
    // Fills inside the response (Binance FULL): the order's immediate, taking executions.
    const fills = (o.trades ?? []).map((tr: Trade) => venueTradeOf(tr, { venueOrderId: ord.venueOrderId, side: ord.req.side, timestamp: t, liquidity: 'taker' }));
    this.applyVenueTrades(ord, fills);
    // A look-up (after a lost answer) carries no fills: fetch them by venue order id.
    await this.catchUp(ord, o);
  }

  /** Venue order -> fills still missing (fetched by order id), then the venue's status. */
  private async catchUp(ord: Ord, o: Order, reason?: string, cancelledAs: 'cancelled' | 'expired' = 'cancelled'): Promise<void> {
    if (ord.venueOrderId === undefined) ord.venueOrderId = String(o.id);
    const v = venueOrderOf(o);
    if (new Dec(v.filledQuantity).gt(ord.filled)) {
      const trades = await this.ex.fetchMyTrades(ord.req.symbol, undefined, undefined, { orderId: ord.venueOrderId });
      this.applyTrades([ord], trades);
    }
    this.syncStatus(ord, v, reason, cancelledAs);
  }

  private syncStatus(ord: Ord, v: VenueOrder, reason: string | undefined, cancelledAs: 'cancelled' | 'expired' = 'cancelled'): void {
    const t = v.updatedAt ?? this.clock.now();
    if (ord.status === 'new' && v.status !== 'rejected') this.moveTo(ord, 'acknowledged', undefined, t);
    if (v.status === 'cancelled' || v.status === 'expired' || v.status === 'rejected') {
      // Fills the venue reports but we have not seen stay a reconciliation drift; the end state is the venue's.
      this.moveTo(ord, v.status === 'cancelled' ? cancelledAs : v.status, reason ?? (v.status === 'expired' ? 'expired at the venue' : undefined), t);
    }
  }

  private applyTrades(orders: readonly Ord[], trades: readonly Trade[]): void {
    const byId = new Map(orders.map((o) => [o.venueOrderId, o]));
    const per = new Map<Ord, VenueTrade[]>();
    for (const tr of trades) {
      const v = venueTradeOf(tr);
      const o = byId.get(v.venueOrderId);
      if (!o) continue;
      const l = per.get(o) ?? [];
      l.push(v);
      per.set(o, l);
    }
    for (const [o, l] of per) this.applyVenueTrades(o, l);
  }

  private applyVenueTrades(ord: Ord, trades: readonly VenueTrade[]): void {
    const sorted = [...trades].sort((a, b) => a.timestamp - b.timestamp || Number(a.venueTradeId) - Number(b.venueTradeId));
    for (const v of sorted) {
      if (ord.seen.has(v.venueTradeId)) continue;
      const fid = fillId(ord.req.clientOrderId, ord.fillSeq++);
      ord.seen.set(v.venueTradeId, fid);
      const qty = new Dec(v.quantity);
      ord.filled = ord.filled.plus(qty);
      ord.notional = ord.notional.plus(qty.mul(v.price));
      if (v.timestamp > ord.lastTime) ord.lastTime = v.timestamp;
      this.outFills.push(this.fillEvent(fid, ord.req.clientOrderId, ord.req.strategyId, ord.role, v));
      if (ord.status === 'new') this.moveTo(ord, 'acknowledged', undefined, v.timestamp);
      this.moveTo(ord, ord.filled.gte(ord.quantity) ? 'filled' : 'partially-filled', undefined, v.timestamp);
    }
  }

  private fillEvent(fid: string, coid: string, strategyId: string, role: OrderRole, v: VenueTrade): FillEvent {
    return {
      eventId: `${fid}/f`,
      tsEvent: v.timestamp,
      tsInit: this.clock.now(),
      source: this.source,
      exchange: this.exchange,
      symbol: v.symbol || (this.orders.get(coid)?.req.symbol ?? ''),
      runId: this.runId,
      fillId: fid,
      clientOrderId: coid,
      strategyId,
      side: v.side,
      price: v.price,
      quantity: v.quantity,
      fee: v.fee,
      feeCurrency: v.feeCurrency || '?',
      liquidity: v.liquidity,
      role,
      venueTradeId: v.venueTradeId,
    };
  }

  /** Emits the transition(s) to `to` (through `acknowledged` from `new`); illegal or no-op moves are skipped. */
  private moveTo(ord: Ord, to: OrderStatus, reason: string | undefined, t: number): void {
    if (ord.status === to && to !== 'partially-filled') return;
    if (!canTransition(ord.status, to)) {
      if (ord.status === 'new' && canTransition('acknowledged', to)) this.moveTo(ord, 'acknowledged', undefined, t);
      else return;
    }
    ord.status = to;
    if (t > ord.lastTime) ord.lastTime = t;
    const s = this.snapshot(ord);
    this.outEvents.push({
      eventId: `${ord.req.clientOrderId}/o${ord.evSeq++}`,
      tsEvent: t,
      tsInit: this.clock.now(),
      source: this.source,
      exchange: this.exchange,
      symbol: ord.req.symbol,
      kind: 'order',
      runId: this.runId,
      clientOrderId: ord.req.clientOrderId,
      strategyId: ord.req.strategyId,
      role: ord.role,
      status: to,
      side: ord.req.side,
      type: ord.req.type,
      quantity: s.quantity,
      filledQuantity: s.filledQuantity,
      ...(s.avgFillPrice !== undefined ? { avgFillPrice: s.avgFillPrice } : {}),
      ...(s.limitPrice !== undefined ? { limitPrice: s.limitPrice } : {}),
      ...(s.stopPrice !== undefined ? { stopPrice: s.stopPrice } : {}),
      ...(ord.venueOrderId !== undefined ? { venueOrderId: ord.venueOrderId } : {}),
      ...(reason !== undefined ? { reason } : {}),
    });
  }

  /** Submits, cancels, polls and reconciliations run one at a time: each sees the others' complete effect. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  // ---------------------------------------------------------------- look-up

  private idParams(ord: Pick<Ord, 'req'>): Record<string, string> {
    return this.ex.id.startsWith('binance') ? { origClientOrderId: ord.req.clientOrderId } : { clientOrderId: ord.req.clientOrderId };
  }

  /** Asks the venue for the order by client order id, retrying network failures. */
  private async lookup(ord: Pick<Ord, 'req'>): Promise<Lookup> {
    let reason = '';
    for (let i = 0; i < this.lookupAttempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, this.lookupDelayMs));
      try {
        return { kind: 'found', order: await this.ex.fetchOrder('', ord.req.symbol, this.idParams(ord)) };
      } catch (e) {
        if (e instanceof OrderNotFound) return { kind: 'unknown' };
        reason = `${(e as Error).constructor.name}: ${venueReason(e)}`;
        if (!(e instanceof NetworkError)) break;
      }
    }
    return { kind: 'unreachable', reason };
  }

  private async lookupOrNull(ord: Ord): Promise<Order | null> {
    const r = await this.lookup(ord);
    return r.kind === 'found' ? r.order : null;
  }

  // ---------------------------------------------------------------- results

  private snapshot(o: Ord): OrderSnapshot {
    const avg = o.filled.isZero() ? undefined : decToString(o.notional.div(o.filled).toDecimalPlaces(12));
    return {
      clientOrderId: o.req.clientOrderId,
      exchange: this.exchange,
      symbol: o.req.symbol,
      strategyId: o.req.strategyId,
      side: o.req.side,
      type: o.req.type,
      role: o.role,
      status: o.status,
      quantity: o.quantity,
      filledQuantity: decToString(o.filled),
      ...(avg !== undefined ? { avgFillPrice: avg } : {}),
      ...(o.limitPrice !== undefined ? { limitPrice: o.limitPrice } : {}),
      ...(o.stopPrice !== undefined ? { stopPrice: o.stopPrice } : {}),
      decisionTime: o.req.decisionTime,
    };
  }

  private result(ord: Ord): CcxtGatewayResult {
    const mine = (e: { clientOrderId: string }) => e.clientOrderId === ord.req.clientOrderId;
    const events = this.outEvents.filter(mine);
    const fills = this.outFills.filter(mine);
    this.outEvents = this.outEvents.filter((e) => !mine(e));
    this.outFills = this.outFills.filter((f) => !mine(f));
    return { order: this.snapshot(ord), duplicate: false, events, fills };
  }

  private takeEvents(): OrderUpdate[] {
    const e = this.outEvents;
    this.outEvents = [];
    return e;
  }

  private takeFills(): FillEvent[] {
    const f = this.outFills;
    this.outFills = [];
    return f;
  }
}
