import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Dec, decToString, roundToPlaces } from '@atp/core';

/**
 * Binance spot's signed (USER_DATA / TRADE) REST endpoints, as ccxt's `binance` class calls them:
 * `POST|GET|DELETE /api/v3/order`, `GET|DELETE /api/v3/openOrders`, `GET /api/v3/myTrades`,
 * `GET /api/v3/account`. Used by {@link FakeExchangeServer}; tests drive it through
 * `server.privateApi`.
 *
 * Venue semantics reproduced (Binance spot API docs, error codes of 2024):
 * - `X-MBX-APIKEY` is required (-2014 "API-key format invalid."), so are `timestamp` and `signature`
 *   (-1102 "Mandatory parameter ... was not sent"); with `secret` set the HMAC-SHA256 signature of
 *   the query/body before `&signature=` is verified (-1022 "Signature for this request is not valid.").
 * - Orders are checked against the exchangeInfo filters (PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL /
 *   NOTIONAL): -1013 "Filter failure: ...", too many decimals -1111.
 * - MARKET fills at once at the symbol's last price, up to the liquidity available there
 *   (`setMarket`), the rest expires. LIMIT GTC that crosses takes what it can at the last price and
 *   rests; resting LIMIT orders fill at their limit price (maker) when `setLastPrice` trades
 *   through them. LIMIT_MAKER that would cross: -2010 "Order would immediately match and take.".
 *   IOC takes what it can, the rest EXPIRED; FOK fills completely or EXPIRED. STOP_LOSS (market)
 *   triggers when the last price reaches the stop and then fills as MARKET.
 * - A newClientOrderId of an open order: -2010 "Duplicate order sent."; cancel of an unknown order
 *   -2011 "Unknown order sent."; query of an unknown order -2013 "Order does not exist.".
 * - Balances: free/locked; orders lock what they may spend (-2010 "Account has insufficient balance
 *   for requested action."); fills debit and credit, commission in the received asset
 *   (buy: base, sell: quote) at the maker/taker rate, rounded half-up to 8 places.
 * - Scripted order-submission faults (`scriptOrder`): the order is accepted and stored but the
 *   response is delayed past the client's timeout or the socket is dropped; or the request is lost
 *   before the venue sees it.
 */

export type OrderFault =
  /** Accept and store the order, answer only after `delayMs` (beyond the client's timeout). */
  | { kind: 'accept-then-delay'; delayMs: number }
  /** Accept and store the order, then drop the connection without an answer. */
  | { kind: 'accept-then-drop' }
  /** Drop the connection before the venue sees the order (not stored). */
  | { kind: 'lose' };

export interface FakeOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  type: string;
  timeInForce: string;
  price: Dec;
  stopPrice: Dec;
  origQty: Dec;
  executedQty: Dec;
  cummulativeQuoteQty: Dec;
  status: 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
  time: number;
  updateTime: number;
  /** Quote (buy) or base (sell) still locked for the open remainder. */
  locked: Dec;
}

export interface FakeTrade {
  symbol: string;
  id: number;
  orderId: number;
  price: Dec;
  qty: Dec;
  quoteQty: Dec;
  commission: Dec;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

interface SymbolInfo {
  base: string;
  quote: string;
  tick?: Dec;
  minPrice?: Dec;
  step?: Dec;
  minQty?: Dec;
  minNotional?: Dec;
  notionalToMarket: boolean;
}

interface MarketState {
  last?: Dec;
  /** Base quantity a taker order can take at `last` (undefined = unlimited). */
  available?: Dec;
}

type Send = (status: number, body: unknown, headers?: Record<string, string>) => void;

const ZERO = new Dec(0);
const PRIVATE_PATHS = new Set(['/api/v3/order', '/api/v3/openOrders', '/api/v3/myTrades', '/api/v3/account']);

class VenueError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    msg: string,
  ) {
    super(msg);
  }
}

const s8 = (d: Dec) => d.toFixed(8);

export class FakePrivateApi {
  /** When set, signatures are verified with HMAC-SHA256 (as Binance does for HMAC keys). */
  secret: string | undefined;
  /** Commission rates (fractions). Binance spot default: 0.1%. */
  makerCommission = new Dec('0.001');
  takerCommission = new Dec('0.001');
  readonly orders: FakeOrder[] = [];
  readonly trades: FakeTrade[] = [];
  private readonly balances = new Map<string, { free: Dec; locked: Dec }>();
  private readonly markets = new Map<string, MarketState>();
  private readonly faults: OrderFault[] = [];
  private queryDrops = 0;
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private symbolCache: Map<string, SymbolInfo> | null = null;

  constructor(
    private readonly exchangeInfo: () => unknown,
    private readonly now: () => number,
  ) {}

  static handles(path: string): boolean {
    return PRIVATE_PATHS.has(path);
  }

  /** Request weights of the signed endpoints (Binance 2024). */
  static weight(method: string, path: string, q: Record<string, string>): number {
    if (path === '/api/v3/account') return 20;
    if (path === '/api/v3/myTrades') return 20;
    if (path === '/api/v3/openOrders') return method === 'GET' && !q.symbol ? 80 : method === 'GET' ? 6 : 1;
    if (path === '/api/v3/order') return method === 'GET' ? 4 : 1;
    return 1;
  }

  // ---------------------------------------------------------------- test controls

  /** Sets an asset's free balance (locked untouched). */
  setBalance(asset: string, free: string): void {
    const b = this.bal(asset);
    b.free = new Dec(free);
  }

  balance(asset: string): { free: string; locked: string } {
    const b = this.bal(asset);
    return { free: decToString(b.free), locked: decToString(b.locked) };
  }

  /** Sets the last price of a venue symbol (`BTCUSDT`) and the base quantity takers can get at it (default unlimited). */
  setMarket(symbol: string, m: { price: string; available?: string }): void {
    this.markets.set(symbol, { last: new Dec(m.price), available: m.available === undefined ? undefined : new Dec(m.available) });
    this.matchResting(symbol);
  }

  /** Moves the last price: resting LIMIT orders it trades through fill at their limit price (maker); stops trigger. */
  setLastPrice(symbol: string, price: string): void {
    const m = this.markets.get(symbol) ?? {};
    m.last = new Dec(price);
    this.markets.set(symbol, m);
    this.matchResting(symbol);
  }

  /** The next order submissions (POST /api/v3/order) meet these faults, in order. */
  scriptOrder(...f: OrderFault[]): void {
    this.faults.push(...f);
  }

  /** The next `n` order queries (GET /api/v3/order) have their connection dropped unanswered. */
  dropNextQueries(n: number): void {
    this.queryDrops += n;
  }

  /** Places an order directly at the venue (as another client of the account would). */
  placeDirect(p: Record<string, string>): FakeOrder {
    return this.newOrder(p);
  }

  orderByClientId(clientOrderId: string): FakeOrder | undefined {
    return this.orders.find((o) => o.clientOrderId === clientOrderId);
  }

  // ---------------------------------------------------------------- HTTP

  /** Handles a signed request; `raw` is the query string (GET/DELETE) or the form body (POST). */
  handle(req: IncomingMessage, res: ServerResponse, method: string, path: string, raw: string, params: Record<string, string>, send: Send): void {
    try {
      this.authenticate(req, raw, params);
      if (path === '/api/v3/order' && method === 'POST') return this.submit(req, res, params, send);
      if (path === '/api/v3/order' && method === 'GET' && this.queryDrops > 0) {
        this.queryDrops--;
        req.socket.destroy();
        return;
      }
      send(200, this.route(method, path, params));
    } catch (e) {
      if (e instanceof VenueError) return send(e.status, { code: e.code, msg: e.message });
      throw e;
    }
  }

  private authenticate(req: IncomingMessage, raw: string, p: Record<string, string>): void {
    const key = req.headers['x-mbx-apikey'];
    if (typeof key !== 'string' || key.length === 0) throw new VenueError(401, -2014, 'API-key format invalid.');
    for (const m of ['timestamp', 'signature']) {
      if (!p[m]) throw new VenueError(400, -1102, `Mandatory parameter '${m}' was not sent, was empty/null, or malformed.`);
    }
    if (this.secret !== undefined) {
      const at = raw.lastIndexOf('&signature=');
      const payload = at < 0 ? '' : raw.slice(0, at);
      const want = createHmac('sha256', this.secret).update(payload).digest('hex');
      if (want !== p.signature) throw new VenueError(400, -1022, 'Signature for this request is not valid.');
    }
  }

  private submit(req: IncomingMessage, res: ServerResponse, p: Record<string, string>, send: Send): void {
    const fault = this.faults.shift();
    if (fault?.kind === 'lose') {
      req.socket.destroy();
      return;
    }
    const ord = this.newOrder(p);
    const body = this.orderResponse(ord, p.newOrderRespType ?? 'FULL');
    if (fault?.kind === 'accept-then-drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'accept-then-delay') {
      setTimeout(() => {
        if (!res.destroyed && !req.socket.destroyed) send(200, body);
      }, fault.delayMs).unref();
      return;
    }
    send(200, body);
  }

  private route(method: string, path: string, p: Record<string, string>): unknown {
    switch (`${method} ${path}`) {
      case 'GET /api/v3/order':
        return this.orderJson(this.find(p, -2013, 'Order does not exist.'));
      case 'DELETE /api/v3/order': {
        const o = this.find(p, -2011, 'Unknown order sent.');
        if (!isOpen(o)) throw new VenueError(400, -2011, 'Unknown order sent.');
        this.cancelOrder(o);
        return { ...this.orderJson(o), origClientOrderId: o.clientOrderId, clientOrderId: p.newClientOrderId ?? `cancel${o.orderId}`, transactTime: o.updateTime };
      }
      case 'GET /api/v3/openOrders':
        return this.orders.filter((o) => isOpen(o) && (!p.symbol || o.symbol === p.symbol)).map((o) => this.orderJson(o));
      case 'DELETE /api/v3/openOrders': {
        this.need(p, 'symbol');
        const open = this.orders.filter((o) => isOpen(o) && o.symbol === p.symbol);
        if (!open.length) throw new VenueError(400, -2011, 'Unknown order sent.');
        return open.map((o) => {
          this.cancelOrder(o);
          return { ...this.orderJson(o), origClientOrderId: o.clientOrderId };
        });
      }
      case 'GET /api/v3/myTrades': {
        this.need(p, 'symbol');
        const limit = Math.min(Number(p.limit ?? 500), 1000);
        const start = p.startTime === undefined ? undefined : Number(p.startTime);
        const end = p.endTime === undefined ? undefined : Number(p.endTime);
        const fromId = p.fromId === undefined ? undefined : Number(p.fromId);
        const orderId = p.orderId === undefined ? undefined : Number(p.orderId);
        if (start !== undefined && end !== undefined && end - start > 86_400_000) throw new VenueError(400, -1127, 'More than 24 hours between startTime and endTime.');
        let rows = this.trades.filter(
          (t) =>
            t.symbol === p.symbol &&
            (orderId === undefined || t.orderId === orderId) &&
            (fromId === undefined || t.id >= fromId) &&
            (start === undefined || t.time >= start) &&
            (end === undefined || t.time <= end),
        );
        rows = start === undefined && fromId === undefined ? rows.slice(-limit) : rows.slice(0, limit);
        return rows.map((t) => ({
          symbol: t.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: s8(t.price), qty: s8(t.qty), quoteQty: s8(t.quoteQty),
          commission: s8(t.commission), commissionAsset: t.commissionAsset, time: t.time, isBuyer: t.isBuyer, isMaker: t.isMaker, isBestMatch: true,
        }));
      }
      case 'GET /api/v3/account': {
        const omitZero = p.omitZeroBalances === 'true';
        const balances = [...this.balances.entries()]
          .filter(([, b]) => !omitZero || !b.free.plus(b.locked).isZero())
          .map(([asset, b]) => ({ asset, free: s8(b.free), locked: s8(b.locked) }));
        return {
          makerCommission: this.makerCommission.mul(10_000).toNumber(), takerCommission: this.takerCommission.mul(10_000).toNumber(), buyerCommission: 0, sellerCommission: 0,
          commissionRates: { maker: s8(this.makerCommission), taker: s8(this.takerCommission), buyer: '0.00000000', seller: '0.00000000' },
          canTrade: true, canWithdraw: true, canDeposit: true, brokered: false, requireSelfTradePrevention: false, preventSor: false,
          updateTime: this.now(), accountType: 'SPOT', balances, permissions: ['SPOT'], uid: 1,
        };
      }
      default:
        throw new VenueError(404, -1000, `fake exchange: no route for ${method} ${path}`);
    }
  }

  // ---------------------------------------------------------------- matching

  private newOrder(p: Record<string, string>): FakeOrder {
    for (const m of ['symbol', 'side', 'type']) this.need(p, m);
    const info = this.symbolInfo(p.symbol!);
    const side = p.side as 'BUY' | 'SELL';
    if (side !== 'BUY' && side !== 'SELL') throw new VenueError(400, -1117, 'Invalid side.');
    const type = p.type!;
    if (!['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS'].includes(type)) throw new VenueError(400, -1116, 'Invalid orderType.');
    const coid = p.newClientOrderId ?? `fake${this.nextOrderId}`;
    if (!/^[.A-Za-z0-9:/_-]{1,36}$/.test(coid)) throw new VenueError(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
    if (this.orders.some((o) => o.clientOrderId === coid && isOpen(o))) throw new VenueError(400, -2010, 'Duplicate order sent.');
    const m = this.markets.get(p.symbol!) ?? {};
    let qty: Dec;
    if (p.quantity !== undefined) qty = this.decimal(p.quantity, 'quantity');
    else if (type === 'MARKET' && p.quoteOrderQty !== undefined) {
      if (!m.last) throw new VenueError(400, -1013, 'Filter failure: MIN_NOTIONAL');
      qty = this.decimal(p.quoteOrderQty, 'quoteOrderQty').div(m.last);
      if (info.step) qty = qty.div(info.step).floor().mul(info.step);
    } else throw new VenueError(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
    const price = type === 'LIMIT' || type === 'LIMIT_MAKER' ? this.decimal(this.need(p, 'price'), 'price') : ZERO;
    const stopPrice = type === 'STOP_LOSS' ? this.decimal(this.need(p, 'stopPrice'), 'stopPrice') : ZERO;
    const tif = type === 'LIMIT' ? this.need(p, 'timeInForce') : type === 'LIMIT_MAKER' ? '' : 'GTC';
    if (type === 'LIMIT' && !['GTC', 'IOC', 'FOK'].includes(tif)) throw new VenueError(400, -1115, 'Invalid timeInForce.');
    // Filters.
    if (info.step && (!qty.mod(info.step).isZero() || (info.minQty && qty.lt(info.minQty)))) throw new VenueError(400, -1013, 'Filter failure: LOT_SIZE');
    if (qty.lte(0)) throw new VenueError(400, -1013, 'Filter failure: LOT_SIZE');
    for (const px of [price, stopPrice]) {
      if (px.isZero()) continue;
      if ((info.tick && !px.mod(info.tick).isZero()) || (info.minPrice && px.lt(info.minPrice))) throw new VenueError(400, -1013, 'Filter failure: PRICE_FILTER');
    }
    const refPrice = !price.isZero() ? price : m.last;
    if (info.minNotional && refPrice && (type !== 'MARKET' || info.notionalToMarket) && refPrice.mul(qty).lt(info.minNotional)) {
      throw new VenueError(400, -1013, 'Filter failure: MIN_NOTIONAL');
    }
    if (type === 'LIMIT_MAKER' && m.last && (side === 'BUY' ? price.gte(m.last) : price.lte(m.last))) {
      throw new VenueError(400, -2010, 'Order would immediately match and take.');
    }
    if (type === 'MARKET' && !m.last) throw new VenueError(400, -2010, 'Order book liquidity is less than LOT_SIZE filter minimum quantity.');
    // Funds: what the order may spend is locked.
    const lockAsset = side === 'BUY' ? info.quote : info.base;
    const lockAmt = side === 'BUY' ? qty.mul(type === 'MARKET' || type === 'STOP_LOSS' ? m.last ?? ZERO : price) : qty;
    const bal = this.bal(lockAsset);
    if (bal.free.lt(lockAmt)) throw new VenueError(400, -2010, 'Account has insufficient balance for requested action.');
    bal.free = bal.free.minus(lockAmt);
    bal.locked = bal.locked.plus(lockAmt);
    const t = this.now();
    const ord: FakeOrder = {
      symbol: p.symbol!, orderId: this.nextOrderId++, clientOrderId: coid, side, type, timeInForce: tif || 'GTC', price, stopPrice,
      origQty: qty, executedQty: ZERO, cummulativeQuoteQty: ZERO, status: 'NEW', time: t, updateTime: t, locked: lockAmt,
    };
    this.orders.push(ord);
    if (type === 'MARKET') this.take(ord, info, m, true);
    else if (type === 'LIMIT') {
      const crosses = m.last !== undefined && (side === 'BUY' ? price.gte(m.last) : price.lte(m.last));
      if (tif === 'FOK' && (!crosses || (m.available !== undefined && m.available.lt(qty)))) this.close(ord, 'EXPIRED');
      else if (crosses) this.take(ord, info, m, tif !== 'GTC');
      else if (tif === 'IOC') this.close(ord, 'EXPIRED');
    }
    return ord;
  }

  /** Takes liquidity at the last price (taker); `expireRest`: IOC/FOK/MARKET semantics. */
  private take(ord: FakeOrder, info: SymbolInfo, m: MarketState, expireRest: boolean): void {
    const want = ord.origQty.minus(ord.executedQty);
    const got = m.available === undefined ? want : Dec.min(want, m.available);
    if (got.gt(0)) {
      this.execute(ord, info, m.last!, got, false);
      if (m.available !== undefined) m.available = m.available.minus(got);
    }
    if (expireRest && isOpen(ord)) this.close(ord, 'EXPIRED');
  }

  private matchResting(symbol: string): void {
    const m = this.markets.get(symbol);
    if (!m?.last) return;
    const last = m.last;
    for (const o of this.orders) {
      if (o.symbol !== symbol || !isOpen(o)) continue;
      const info = this.symbolInfo(symbol);
      if (o.type === 'STOP_LOSS') {
        if (o.side === 'SELL' ? last.lte(o.stopPrice) : last.gte(o.stopPrice)) this.take(o, info, m, true);
      } else if (o.type === 'LIMIT' || o.type === 'LIMIT_MAKER') {
        // Trades through the limit price: the resting order fills completely at its price (maker).
        if (o.side === 'BUY' ? last.lt(o.price) : last.gt(o.price)) this.execute(o, info, o.price, o.origQty.minus(o.executedQty), true);
      }
    }
  }

  private execute(o: FakeOrder, info: SymbolInfo, price: Dec, qty: Dec, maker: boolean): void {
    const quoteQty = price.mul(qty);
    const rate = maker ? this.makerCommission : this.takerCommission;
    const buy = o.side === 'BUY';
    const commission = roundToPlaces((buy ? qty : quoteQty).mul(rate), 8, 'half-away-from-zero');
    const commissionAsset = buy ? info.base : info.quote;
    const base = this.bal(info.base);
    const quote = this.bal(info.quote);
    // Release the lock for the executed part, then settle.
    const spend = buy ? quoteQty : qty;
    const lockShare = Dec.min(o.locked, buy ? (o.type === 'LIMIT' || o.type === 'LIMIT_MAKER' ? o.price.mul(qty) : quoteQty) : qty);
    const payer = buy ? quote : base;
    payer.locked = payer.locked.minus(lockShare);
    payer.free = payer.free.plus(lockShare).minus(spend);
    o.locked = o.locked.minus(lockShare);
    if (buy) base.free = base.free.plus(qty).minus(commission);
    else quote.free = quote.free.plus(quoteQty).minus(commission);
    const t = this.now();
    this.trades.push({ symbol: o.symbol, id: this.nextTradeId++, orderId: o.orderId, price, qty, quoteQty, commission, commissionAsset, time: t, isBuyer: buy, isMaker: maker });
    o.executedQty = o.executedQty.plus(qty);
    o.cummulativeQuoteQty = o.cummulativeQuoteQty.plus(quoteQty);
    o.updateTime = t;
    o.status = o.executedQty.gte(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    if (o.status === 'FILLED') this.unlock(o);
  }

  private cancelOrder(o: FakeOrder): void {
    this.close(o, 'CANCELED');
  }

  private close(o: FakeOrder, status: 'CANCELED' | 'EXPIRED'): void {
    o.status = status;
    o.updateTime = this.now();
    this.unlock(o);
  }

  private unlock(o: FakeOrder): void {
    const info = this.symbolInfo(o.symbol);
    const b = this.bal(o.side === 'BUY' ? info.quote : info.base);
    b.locked = b.locked.minus(o.locked);
    b.free = b.free.plus(o.locked);
    o.locked = ZERO;
  }

  // ---------------------------------------------------------------- JSON

  private orderJson(o: FakeOrder): Record<string, unknown> {
    return {
      symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, price: s8(o.price), origQty: s8(o.origQty),
      executedQty: s8(o.executedQty), cummulativeQuoteQty: s8(o.cummulativeQuoteQty), status: o.status, timeInForce: o.timeInForce, type: o.type,
      side: o.side, stopPrice: s8(o.stopPrice), icebergQty: '0.00000000', time: o.time, updateTime: o.updateTime, isWorking: o.type !== 'STOP_LOSS' || !o.executedQty.isZero(),
      workingTime: o.time, origQuoteOrderQty: '0.00000000', selfTradePreventionMode: 'EXPIRE_MAKER',
    };
  }

  private orderResponse(o: FakeOrder, respType: string): Record<string, unknown> {
    const ack = { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time };
    if (respType === 'ACK') return ack;
    const full = {
      ...ack, price: s8(o.price), origQty: s8(o.origQty), executedQty: s8(o.executedQty), cummulativeQuoteQty: s8(o.cummulativeQuoteQty), status: o.status,
      timeInForce: o.timeInForce, type: o.type, side: o.side, workingTime: o.time, selfTradePreventionMode: 'EXPIRE_MAKER',
    };
    if (respType === 'RESULT') return full;
    const fills = this.trades
      .filter((t) => t.orderId === o.orderId)
      .map((t) => ({ price: s8(t.price), qty: s8(t.qty), commission: s8(t.commission), commissionAsset: t.commissionAsset, tradeId: t.id }));
    return { ...full, fills };
  }

  // ---------------------------------------------------------------- helpers

  private find(p: Record<string, string>, code: number, msg: string): FakeOrder {
    this.need(p, 'symbol');
    if (p.orderId === undefined && p.origClientOrderId === undefined) throw new VenueError(400, -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    // Newest first: a client order id can be reused once the earlier order is closed.
    for (let i = this.orders.length - 1; i >= 0; i--) {
      const o = this.orders[i]!;
      if (o.symbol !== p.symbol) continue;
      if (p.orderId !== undefined ? String(o.orderId) === p.orderId : o.clientOrderId === p.origClientOrderId) return o;
    }
    throw new VenueError(400, code, msg);
  }

  private need(p: Record<string, string>, name: string): string {
    const v = p[name];
    if (v === undefined || v === '') throw new VenueError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
    return v;
  }

  private decimal(s: string, name: string): Dec {
    if (!/^\d+(\.\d+)?$/.test(s)) throw new VenueError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
    const d = new Dec(s);
    if (d.decimalPlaces() > 8) throw new VenueError(400, -1111, `Parameter '${name}' has too much precision.`);
    return d;
  }

  private bal(asset: string): { free: Dec; locked: Dec } {
    let b = this.balances.get(asset);
    if (!b) {
      b = { free: ZERO, locked: ZERO };
      this.balances.set(asset, b);
    }
    return b;
  }

  private symbolInfo(symbol: string): SymbolInfo {
    if (!this.symbolCache) {
      this.symbolCache = new Map();
      const info = this.exchangeInfo() as { symbols?: { symbol: string; baseAsset: string; quoteAsset: string; filters?: Record<string, string | boolean>[] }[] };
      for (const s of info?.symbols ?? []) {
        const si: SymbolInfo = { base: s.baseAsset, quote: s.quoteAsset, notionalToMarket: true };
        for (const f of s.filters ?? []) {
          const pos = (k: string) => (f[k] !== undefined && Number(f[k]) > 0 ? new Dec(String(f[k])) : undefined);
          if (f.filterType === 'PRICE_FILTER') Object.assign(si, { tick: pos('tickSize'), minPrice: pos('minPrice') });
          if (f.filterType === 'LOT_SIZE') Object.assign(si, { step: pos('stepSize'), minQty: pos('minQty') });
          if (f.filterType === 'MIN_NOTIONAL' || f.filterType === 'NOTIONAL') {
            si.minNotional = pos('minNotional');
            si.notionalToMarket = f.applyToMarket !== false && f.applyMinToMarket !== false;
          }
        }
        this.symbolCache.set(s.symbol, si);
      }
    }
    const si = this.symbolCache.get(symbol);
    if (!si) throw new VenueError(400, -1121, 'Invalid symbol.');
    return si;
  }
}

function isOpen(o: FakeOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}
