import {
  barCloseTime,
  Dec,
  decAdd,
  decCmp,
  decDiv,
  decMul,
  decProduct,
  decSub,
  decToString,
  eventIdAt,
  eventIdFrom,
  fillId,
  IdTable,
  isValidClientOrderId,
  lteZero,
  roundToPlaces,
  toDecimal,
  type Clock,
  type DecimalString,
  type Side,
  type Timeframe,
} from '@atp/core';
import type { BarMatched, FillEvent, OrderUpdate } from '@atp/contracts';
import { fillModel, limitFill, stopFill, type FillModel } from './fill-model';
import type { BalanceEntry, ExchangeGateway, GatewayResult, OrderRole, OrderSnapshot, OrderType, SubmitOrder, TimeInForce } from './gateway';
import type { MarketSpec } from './market';
import { isWorking, transition, type OrderStatus } from './order-state';

export interface PaperExchangeOptions {
  /** ccxt exchange id the simulated venue stands for, e.g. `binance`. */
  readonly exchange: string;
  readonly runId: string;
  /** Gives `tsInit` only; matching runs on bar event time. */
  readonly clock: Clock;
  readonly markets: readonly MarketSpec[];
  readonly fillModel?: Partial<FillModel>;
  /** Starting balances per asset, decimal strings. */
  readonly balances?: Readonly<Record<string, DecimalString>>;
  readonly source?: string;
}

/** A closed bar of one instrument. Prices float64 (market data), `openTime` Unix ms. */
export interface PaperBar {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The prices of one bar and its event time (bar close), for {@link PaperExchange.matchBarOf}. */
export interface BarPrices {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface BarMatchResult {
  readonly fills: FillEvent[];
  readonly events: OrderUpdate[];
  /** The `bar-matched` marker for bar T, emitted after T's fills. */
  readonly marker: BarMatched;
}

interface Ord {
  readonly seq: number;
  readonly req: SubmitOrder;
  readonly coid: string;
  readonly book: Book;
  readonly side: Side;
  readonly type: OrderType;
  readonly role: OrderRole;
  readonly tif: TimeInForce;
  readonly reduceOnly: boolean;
  qty: Dec;
  filled: Dec;
  notional: Dec;
  /** Decimal strings of qty / filled, cached for the Dec they were made from (order events repeat them). */
  qtyOf: Dec | undefined;
  qtyStr: string;
  filledOf: Dec | undefined;
  filledStr: string;
  /** The `<strategyId>|<symbol>` key of the venue-side position. */
  readonly posKey: string;
  /** Price of the only fill while there is one (avoids a division for the average). */
  onlyPrice: Dec | undefined;
  readonly limit?: Dec;
  readonly limitNum: number;
  /** Fixed stop level (stop orders, stop losses); NaN for a pure trailing stop. */
  readonly stop?: Dec;
  readonly stopNum: number;
  /** Trailing distance in percent of price; 0 = none. Level moves at the close of T, applies from T+1. */
  readonly trailPct: number;
  trailNum: number;
  /** Bar time at which the trailing level was last moved (it applies only to later bars). */
  trailFrom: number;
  status: OrderStatus;
  /** Matching starts with the first bar whose event time is strictly greater. */
  readonly eligibleAfter: number;
  /** A triggered stop fills like a market order (at the open) on later bars. */
  triggered: boolean;
  fillSeq: number;
  evSeq: number;
  /** Bracket children armed by this entry. */
  children: Ord[] | undefined;
  readonly parent: Ord | undefined;
  /** Entry bar of a bracket child: on it only the stop loss is checked. */
  readonly armedAt: number;
}

const HISTORY = 32;
const PRICE_RE = /^[0-9]+(\.[0-9]+)?$/;

/** Why a price string is not a positive plain decimal, or undefined when it is (or is absent). */
function badPrice(p: string | undefined): string | undefined {
  return p !== undefined && !(PRICE_RE.test(p) && Number(p) > 0) ? `bad price ${JSON.stringify(p)}` : undefined;
}
const ZERO = new Dec(0);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function qtyString(o: Ord): string {
  if (o.qtyOf !== o.qty) {
    o.qtyOf = o.qty;
    o.qtyStr = decToString(o.qty);
  }
  return o.qtyStr;
}

function filledString(o: Ord): string {
  if (o.filledOf !== o.filled) {
    o.filledOf = o.filled;
    o.filledStr = decToString(o.filled);
  }
  return o.filledStr;
}

// `/o<n>` for an order's first events: `${coid}/o${n}` is then one concatenation of two strings
// (V8 keeps every concatenation of 13 characters or more as a pair of pieces: one pair, not two).
const ORDER_EVENT_SUFFIXES: readonly string[] = Array.from({ length: 16 }, (_, n) => `/o${n}`);

function orderEventSuffix(n: number): string {
  return n < 16 ? ORDER_EVENT_SUFFIXES[n]! : `/o${n}`;
}

/** Average fill price (undefined before the first fill): the only fill's price, or notional / filled to 12 places. */
function avgFillString(o: Ord): string | undefined {
  return o.filled.isZero() ? undefined : decToString(o.onlyPrice ?? decDiv(o.notional, o.filled).toDecimalPlaces(12));
}

/**
 * The final orders as the exchange keeps them (for duplicate submits and `order` queries): per
 * order its last event, which carries a snapshot's fields with the same strings (made from the
 * same order state), and the two snapshot fields an event has not (decision time, parent), by
 * column: an IdTable from client order id to the order's index, the events, the decision times in
 * a number array (doubles stored unboxed) and the few parents in a map. Not a snapshot object per
 * order, nor an object of the three: a long backtest keeps tens of thousands of final orders, whose
 * every object (and boxed time) the young-generation collector copies twice; the events are kept
 * by their consumer anyway.
 */
class FinalOrders {
  private readonly index = new IdTable<number>();
  private readonly last: OrderUpdate[] = [];
  private readonly decisionTimes: number[] = [];
  private readonly parents = new Map<number, string>();

  has(coid: string): boolean {
    return this.index.has(coid);
  }

  /** Records `coid` as final (once: an order becomes final once). */
  add(coid: string, last: OrderUpdate, decisionTime: number, parent: string | undefined): void {
    const i = this.last.length;
    this.index.set(coid, i);
    this.last.push(last);
    this.decisionTimes.push(decisionTime);
    if (parent !== undefined) this.parents.set(i, parent);
  }

  /** The final order's last event, decision time and parent, or undefined for an id not final. */
  get(coid: string): { readonly last: OrderUpdate; readonly decisionTime: number; readonly parent: string | undefined } | undefined {
    const i = this.index.get(coid);
    return i === undefined ? undefined : { last: this.last[i]!, decisionTime: this.decisionTimes[i]!, parent: this.parents.get(i) };
  }
}

/** Per-instrument order book of the paper venue and its recent bars (for late orders). */
class Book {
  working: Ord[] = [];
  readonly t = new Float64Array(HISTORY);
  readonly o = new Float64Array(HISTORY);
  readonly h = new Float64Array(HISTORY);
  readonly l = new Float64Array(HISTORY);
  readonly c = new Float64Array(HISTORY);
  readonly v = new Float64Array(HISTORY);
  /** Base quantity already filled on the bar in each slot (participation cap). */
  readonly used: (Dec | undefined)[] = new Array<Dec | undefined>(HISTORY);
  count = 0;
  lastTime = -Infinity;
  readonly makerFee: Dec;
  readonly takerFee: Dec;
  constructor(
    readonly market: MarketSpec,
    readonly exchange: string,
  ) {
    this.makerFee = toDecimal(market.makerFee ?? '0.001');
    this.takerFee = toDecimal(market.takerFee ?? '0.001');
  }
  slotOf(k: number): number {
    return k % HISTORY;
  }
}

/**
 * The paper exchange: an in-memory venue implementing ARCHITECTURE.md's fill model exactly.
 *
 * - Matching is by event time: `onBar(bar T)` matches every working order whose decision time is
 *   before T against bar T, in submission order, and returns fills, order events and the
 *   `bar-matched` marker. An order submitted after later bars were already matched (a late message)
 *   is matched at once against those stored bars, so it fills on the first bar after its decision
 *   time whatever order messages arrive in.
 * - Market: open of the first bar after T (or close of T with `cheat-on-close`). Limit: strictly
 *   through (touch optional), at the limit or the better open. Stop: reached (inclusive), at the
 *   stop or the open on a gap. Slippage (bps) against the trader on market and stop fills.
 * - Brackets armed when the entry fills; on the entry bar only the stop loss is checked; the stop
 *   loss wins when a bar reaches both (its trigger cancels the take profit); trailing levels move
 *   at the close and apply from the next bar. Children never exceed the position they protect.
 * - Volume participation caps the base quantity filled per bar; the rest carries.
 * - Fees in quote at maker/taker rate, rounded to the quote precision half away from zero.
 * - Ids: fill id = client order id + fill sequence; event ids derive from their cause without
 *   hashing (the client order id already hashes the run): `<clientOrderId>/o<n>` for the n-th
 *   event of an order, `<fillId>/f` for a fill; the bar-matched marker hashes (run, instrument, T).
 * Throws only on programming errors (bars out of time order, unknown symbol in `onBar`).
 */
export class PaperExchange implements ExchangeGateway {
  readonly gatewayVersion = 1 as const;
  readonly exchange: string;
  readonly model: FillModel;
  private readonly runId: string;
  private readonly clock: Clock;
  private readonly source: string;
  private readonly books = new Map<string, Book>();
  /** Orders not yet final (working, or in the middle of their last step). */
  private readonly orders = new Map<string, Ord>();
  /**
   * Final orders (filled, cancelled, expired, rejected) as their snapshot, made when they became
   * final (nothing of a final order changes): a few fields instead of the order's matching state
   * and request, which a long backtest would otherwise keep for every order it ever placed.
   */
  private readonly finished = new FinalOrders();
  /** Balances per asset, up to the fill `booked` (see foldBalances). */
  private readonly balances = new Map<string, Dec>();
  private booked = 0;
  /** Net base position per `strategyId|symbol` from this venue's fills (reduce-only clamp). */
  private readonly positions = new Map<string, Dec>();
  private readonly trades: FillEvent[] = [];
  private outFills: FillEvent[] = [];
  private outEvents: OrderUpdate[] = [];
  private seq = 0;
  private readonly slip: Dec;
  /** Event time of the bar being matched (NaN outside matching): the tsEvent of what it causes. */
  private barTime = NaN;
  /** The last position key made (see posKeyOf) and its parts. */
  private lastKeyStrategy = '';
  private lastKeySymbol = '';
  private lastKey = '|';
  /** The symbol of the last bar matched and its book (see bookAfter); books are never removed. */
  private lastBarSymbol: string | undefined = undefined;
  private lastBarBook: Book | undefined = undefined;
  /** The quantity `validate` just parsed, taken by the `newOrd` that follows (parsed once). */
  private validatedQty: Dec | undefined = undefined;

  constructor(opts: PaperExchangeOptions) {
    this.exchange = opts.exchange;
    this.runId = opts.runId;
    this.clock = opts.clock;
    this.source = opts.source ?? 'paper-exchange';
    this.model = fillModel(opts.fillModel);
    this.slip = toDecimal(this.model.slippageBps).div(10_000);
    for (const m of opts.markets) this.books.set(m.symbol, new Book(m, opts.exchange));
    for (const [asset, amt] of Object.entries(opts.balances ?? {})) this.balances.set(asset, toDecimal(amt));
  }

  // ---------------------------------------------------------------- ExchangeGateway (async port)

  submit(order: SubmitOrder): Promise<GatewayResult> {
    return Promise.resolve(this.submitNow(order));
  }
  cancel(clientOrderId: string, reason?: string): Promise<GatewayResult> {
    return Promise.resolve(this.cancelNow(clientOrderId, reason));
  }
  fetchOpenOrders(symbol?: string): Promise<readonly OrderSnapshot[]> {
    return Promise.resolve(this.openOrders(symbol));
  }
  fetchTrades(symbol?: string, sinceMs?: number): Promise<readonly FillEvent[]> {
    return Promise.resolve(this.trades.filter((f) => (symbol === undefined || f.symbol === symbol) && (sinceMs === undefined || f.tsEvent >= sinceMs)));
  }
  fetchBalance(): Promise<Readonly<Record<string, BalanceEntry>>> {
    return Promise.resolve(this.balanceNow());
  }

  // ---------------------------------------------------------------- synchronous API (backtester)

  /** Submits an order (idempotent by client order id). Immediate fills (cheat-on-close, late orders) are in the result. */
  submitNow(req: SubmitOrder): GatewayResult {
    const known = this.orders.get(req.clientOrderId);
    if (known) return { order: this.snapshot(known), duplicate: true, events: [], fills: [] };
    const done = this.finishedSnapshot(req.clientOrderId);
    if (done) return { order: done, duplicate: true, events: [], fills: [] };
    return this.result(this.accept(req));
  }

  /**
   * `submitNow` for the backtester and execution's core, which read only the events and fills: the
   * same effects and the same events and fills (none for a duplicate; a new order has at least its
   * acknowledged or rejected event), without the order snapshot.
   */
  submitAndTake(req: SubmitOrder): { readonly events: OrderUpdate[]; readonly fills: FillEvent[] } {
    if (this.orders.has(req.clientOrderId) || this.finished.has(req.clientOrderId)) return { events: [], fills: [] };
    this.accept(req);
    return { events: this.takeEvents(), fills: this.takeFills() };
  }

  /** Validates, books and (cheat-on-close, late orders) matches a new order; its events and fills wait in the outbox. */
  private accept(req: SubmitOrder): Ord {
    const book = this.books.get(req.symbol);
    this.validatedQty = undefined;
    const problem = this.validate(req, book);
    const ord = this.newOrd(req, book ?? new Book({ symbol: req.symbol, base: '?', quote: '?', amountPlaces: 8, quotePlaces: 8 }, this.exchange), undefined, -1);
    this.orders.set(ord.coid, ord);
    if (problem !== undefined) {
      this.setStatus(ord, 'rejected', problem);
      return ord;
    }
    this.setStatus(ord, 'acknowledged');
    const b = ord.book;
    b.working.push(ord);
    if (ord.type === 'market' && this.model.marketFill === 'cheat-on-close' && b.count > 0 && b.lastTime === req.decisionTime) {
      // Cheat-on-close: the order decided at T fills at the close of T, capped by T's remaining volume.
      const k = b.count - 1;
      this.matchOrders(b, [ord], k, true);
      this.endOfBar(b, k, [ord]);
    }
    this.catchUp(b, ord);
    b.working = b.working.filter((o) => isWorking(o.status));
    return ord;
  }

  /** Cancels a working order: `cancel-requested` then `cancelled` (the paper venue confirms at once). */
  cancelNow(clientOrderId: string, reason = 'cancel requested'): GatewayResult {
    const ord = this.orders.get(clientOrderId);
    if (!ord || !isWorking(ord.status)) return { order: ord ? this.snapshot(ord) : this.finishedSnapshot(clientOrderId), duplicate: false, events: [], fills: [] };
    if (ord.status !== 'cancel-requested') this.setStatus(ord, 'cancel-requested', reason);
    this.setStatus(ord, 'cancelled', reason);
    ord.book.working = ord.book.working.filter((o) => isWorking(o.status));
    return this.result(ord);
  }

  /** Cancels every working order, optionally of one symbol and/or strategy (the cancel-all command). */
  cancelAllNow(filter: { symbol?: string; strategyId?: string } = {}, reason = 'cancel-all'): GatewayResult {
    // Each cancelNow takes its own events from the outbox: collect them.
    const events: OrderUpdate[] = [];
    for (const o of [...this.orders.values()]) {
      if (!isWorking(o.status)) continue;
      if (filter.symbol !== undefined && o.req.symbol !== filter.symbol) continue;
      if (filter.strategyId !== undefined && o.req.strategyId !== filter.strategyId) continue;
      for (const e of this.cancelNow(o.coid, reason).events) events.push(e);
    }
    return { order: undefined, duplicate: false, events: [...events, ...this.takeEvents()], fills: this.takeFills() };
  }

  /**
   * Matches the working orders of `bar.symbol` against bar T (event time = bar close) and returns
   * the fills and order events it caused and T's `bar-matched` marker. Throws on an unknown symbol
   * or a bar that is not after the previous one.
   */
  onBar(bar: PaperBar): BarMatchResult {
    const t = barCloseTime(bar.openTime, bar.timeframe);
    const n = this.matchBar(bar.symbol, t, bar.open, bar.high, bar.low, bar.close, bar.volume);
    return { fills: this.takeFills(), events: this.takeEvents(), marker: this.barMatched(bar.symbol, bar.timeframe, t, n) };
  }

  /**
   * The allocation-free core of `onBar` for the backtester: matches bar T (event time `t`) and
   * returns the number of fills; fills and events wait in the outbox (`takeFills`, `takeEvents`).
   */
  matchBar(symbol: string, t: number, open: number, high: number, low: number, close: number, volume: number): number {
    const b = this.bookAfter(symbol, t);
    const k = b.count;
    const s = k % HISTORY;
    b.t[s] = t;
    b.o[s] = open;
    b.h[s] = high;
    b.l[s] = low;
    b.c[s] = close;
    b.v[s] = volume;
    return this.matchStored(b, k);
  }

  /**
   * `matchBar` with the bar's fields read from an object (event time `time`): the same effects,
   * without a boxed number per float argument on every bar (the backtester reuses one object).
   */
  matchBarOf(symbol: string, bar: BarPrices): number {
    const t = bar.time;
    const b = this.bookAfter(symbol, t);
    const k = b.count;
    const s = k % HISTORY;
    b.t[s] = t;
    b.o[s] = bar.open;
    b.h[s] = bar.high;
    b.l[s] = bar.low;
    b.c[s] = bar.close;
    b.v[s] = bar.volume;
    return this.matchStored(b, k);
  }

  /** The book of `symbol`, checked to take a bar at event time `t`. */
  private bookAfter(symbol: string, t: number): Book {
    // (one symbol's bars one after another, a backtest's usual case: the book of the last bar, without a Map lookup per bar)
    const b = symbol === this.lastBarSymbol ? this.lastBarBook : this.books.get(symbol);
    if (!b) throw new Error(`paper exchange: unknown symbol ${symbol}`);
    this.lastBarSymbol = symbol;
    this.lastBarBook = b;
    if (!(t > b.lastTime)) throw new RangeError(`paper exchange: bar ${t} of ${symbol} is not after ${b.lastTime}`);
    return b;
  }

  /** Matches the working orders against the bar just stored in slot `k` (its prices already written). */
  private matchStored(b: Book, k: number): number {
    const s = k % HISTORY;
    b.used[s] = undefined;
    b.count = k + 1;
    b.lastTime = b.t[s];
    if (b.working.length === 0) return 0;
    const before = this.outFills.length;
    const list = b.working.slice();
    this.matchOrders(b, list, k, false);
    this.endOfBar(b, k, list);
    b.working = b.working.filter((o) => isWorking(o.status));
    return this.outFills.length - before;
  }

  /** True when `symbol` has working orders (the backtester skips decimal work otherwise). */
  hasWorkingOrders(symbol: string): boolean {
    const b = this.books.get(symbol);
    return b !== undefined && b.working.length > 0;
  }

  /**
   * The `bar-matched` marker of bar T of `symbol` (fills = the number of fills emitted for T). Its
   * id is eventIdFrom(runId, 'bar-matched', exchange, symbol, timeframe, T), made by eventIdAt: the
   * same id, with the parts' encoding remembered across a few symbols in turn.
   */
  barMatched(symbol: string, timeframe: Timeframe, barTime: number, fills: number): BarMatched {
    return {
      eventId: eventIdAt([this.runId, 'bar-matched', this.exchange, symbol, timeframe], barTime),
      tsEvent: barTime,
      tsInit: this.clock.now(),
      source: this.source,
      exchange: this.exchange,
      symbol,
      kind: 'bar-matched',
      runId: this.runId,
      timeframe,
      barTime,
      fills,
    };
  }

  takeFills(): FillEvent[] {
    const f = this.outFills;
    if (f.length === 0) return f;
    this.outFills = [];
    return f;
  }
  takeEvents(): OrderUpdate[] {
    const e = this.outEvents;
    if (e.length === 0) return e;
    this.outEvents = [];
    return e;
  }

  /** Working orders (optionally of one symbol), in submission order within each symbol. */
  openOrders(symbol?: string): OrderSnapshot[] {
    const out: OrderSnapshot[] = [];
    for (const b of this.books.values()) {
      if (symbol !== undefined && b.market.symbol !== symbol) continue;
      for (const o of b.working) if (isWorking(o.status)) out.push(this.snapshot(o));
    }
    return out;
  }

  order(clientOrderId: string): OrderSnapshot | undefined {
    const o = this.orders.get(clientOrderId);
    return o ? this.snapshot(o) : this.finishedSnapshot(clientOrderId);
  }

  /** A final order's snapshot (each call its own object, as `snapshot` makes), or undefined. */
  private finishedSnapshot(clientOrderId: string): OrderSnapshot | undefined {
    const f = this.finished.get(clientOrderId);
    if (f === undefined) return undefined;
    const ev = f.last;
    // `snapshot`'s fields in its order, from the final event (made from the same order state just before)
    const snap: Mutable<OrderSnapshot> = {
      clientOrderId: ev.clientOrderId,
      exchange: ev.exchange,
      symbol: ev.symbol,
      strategyId: ev.strategyId,
      side: ev.side,
      type: ev.type,
      role: ev.role,
      status: ev.status,
      quantity: ev.quantity,
      filledQuantity: ev.filledQuantity,
    } as OrderSnapshot;
    if (ev.avgFillPrice !== undefined) snap.avgFillPrice = ev.avgFillPrice;
    if (ev.limitPrice !== undefined) snap.limitPrice = ev.limitPrice;
    if (ev.stopPrice !== undefined) snap.stopPrice = ev.stopPrice;
    snap.decisionTime = f.decisionTime;
    if (f.parent !== undefined) snap.parentClientOrderId = f.parent;
    return snap;
  }

  balanceNow(): Record<string, BalanceEntry> {
    this.foldBalances();
    const out: Record<string, BalanceEntry> = {};
    for (const [asset, amt] of [...this.balances.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const s = decToString(amt);
      out[asset] = { free: s, used: '0', total: s };
    }
    return out;
  }

  /**
   * Books the fills not yet in the balances (base +/- quantity, quote -/+ price x quantity, then
   * - fee), oldest first: the balances are only read here, so a backtest never pays for them.
   * The strings of a fill parse back to exactly the values it was made from.
   */
  private foldBalances(): void {
    for (; this.booked < this.trades.length; this.booked++) {
      const f = this.trades[this.booked]!;
      const { base, quote } = this.books.get(f.symbol)!.market;
      const qty = toDecimal(f.quantity);
      const notional = toDecimal(f.price).mul(qty);
      const buy = f.side === 'buy';
      this.balances.set(base, (this.balances.get(base) ?? ZERO).plus(buy ? qty : qty.neg()));
      this.balances.set(quote, (this.balances.get(quote) ?? ZERO).minus(buy ? notional : notional.neg()).minus(toDecimal(f.fee)));
    }
  }

  /** Net base position of a strategy on a symbol, as this venue saw it fill. */
  positionOf(strategyId: string, symbol: string): Dec {
    return this.positions.get(`${strategyId}|${symbol}`) ?? ZERO;
  }

  // ---------------------------------------------------------------- matching

  private matchOrders(b: Book, list: Ord[], k: number, atClose: boolean): void {
    const s = k % HISTORY;
    const t = b.t[s];
    this.barTime = t;
    for (let i = 0; i < list.length; i++) {
      const ord = list[i];
      if (!isWorking(ord.status) || !(t > ord.eligibleAfter || atClose)) continue;
      if (atClose && ord.parent) continue; // a bracket armed at the close of T starts with T+1
      const entryBar = ord.armedAt === t;
      let price: Dec | undefined;
      let liquidity: 'maker' | 'taker' = 'taker';
      let slip = false;
      let reason: string | undefined;
      if (atClose) {
        price = toDecimal(b.c[s]);
        slip = true;
      } else if (ord.type === 'market' || ord.triggered) {
        price = toDecimal(b.o[s]);
        slip = true;
      } else if (ord.type === 'limit') {
        if (entryBar) continue; // take profit: not on the entry bar
        const at = limitFill(ord.side, ord.limitNum, b.o[s], b.h[s], b.l[s], this.model.touchFills);
        if (at === null) continue;
        price = at === 'limit' ? ord.limit! : toDecimal(b.o[s]);
        liquidity = 'maker';
      } else {
        // stop: the fixed level always; the trailing level only from the bar after it moved.
        const useTrail = ord.trailPct > 0 && !Number.isNaN(ord.trailNum) && t > ord.trailFrom;
        let level = ord.stopNum;
        let trailBinds = false;
        if (useTrail && (Number.isNaN(level) || (ord.side === 'sell' ? ord.trailNum > level : ord.trailNum < level))) {
          level = ord.trailNum;
          trailBinds = true;
        }
        if (Number.isNaN(level)) continue;
        const at = stopFill(ord.side, level, b.o[s], b.h[s], b.l[s]);
        if (at === null) continue;
        ord.triggered = true;
        reason = trailBinds ? `trailing stop ${level} reached` : `stop ${decToString(ord.stop!)} reached`;
        price = at === 'open' ? toDecimal(b.o[s]) : trailBinds ? this.roundPrice(b, toDecimal(level), ord.side) : ord.stop!;
        slip = true;
        // The stop loss is assumed first: its trigger cancels the take profit of the same bracket.
        if (ord.parent?.children) {
          for (const sib of ord.parent.children) if (sib !== ord && isWorking(sib.status)) this.finish(sib, 'cancelled', 'oco: stop triggered first');
        }
      }
      if (slip && !this.slip.isZero()) {
        const f = ord.side === 'buy' ? price.mul(this.slip.plus(1)) : price.mul(new Dec(1).minus(this.slip));
        price = this.roundPrice(b, f, ord.side);
      }
      let qty = decSub(ord.qty, ord.filled);
      if (ord.reduceOnly) {
        const pos = this.positions.get(ord.posKey) ?? ZERO;
        const avail = ord.side === 'sell' ? pos : pos.neg();
        if (lteZero(avail)) {
          this.finish(ord, 'cancelled', 'reduce-only: no position to reduce');
          continue;
        }
        if (decCmp(qty, avail) > 0) {
          // Reduce-only: the order shrinks to the position it may reduce.
          ord.qty = ord.filled.plus(avail);
          qty = avail;
        }
      }
      if (this.model.participationPct !== undefined) {
        const cap = roundToPlaces(toDecimal(b.v[s]).mul(this.model.participationPct).div(100), b.market.amountPlaces, 'down');
        const left = cap.minus(b.used[s] ?? ZERO);
        if (left.lt(qty)) qty = left;
      }
      if (lteZero(qty)) {
        if (ord.tif !== 'GTC') this.finish(ord, 'expired', `${ord.tif}: nothing filled on the first bar`);
        continue;
      }
      if (ord.tif === 'FOK' && qty.lt(ord.qty.minus(ord.filled))) {
        this.finish(ord, 'expired', 'FOK: not fillable in full');
        continue;
      }
      b.used[s] = decAdd(b.used[s] ?? ZERO, qty);
      this.fill(ord, t, price, qty, liquidity, reason, list);
      if (ord.tif !== 'GTC' && isWorking(ord.status)) this.finish(ord, 'expired', `${ord.tif}: remainder not filled on the first bar`);
    }
    this.barTime = NaN;
  }

  /** After bar T: trailing levels move at the close (apply from T+1); expired orders end. */
  private endOfBar(b: Book, k: number, list: readonly Ord[]): void {
    const s = k % HISTORY;
    const t = b.t[s];
    const close = b.c[s];
    this.barTime = t;
    for (const ord of list) {
      if (!isWorking(ord.status)) continue;
      if (ord.trailPct > 0 && !ord.triggered && t >= ord.armedAt) {
        const lvl = ord.side === 'sell' ? close * (1 - ord.trailPct / 100) : close * (1 + ord.trailPct / 100);
        if (Number.isNaN(ord.trailNum) || (ord.side === 'sell' ? lvl > ord.trailNum : lvl < ord.trailNum)) ord.trailNum = lvl;
        ord.trailFrom = t;
      }
      if (ord.req.expireAt !== undefined && t >= ord.req.expireAt && t > ord.eligibleAfter) this.finish(ord, 'expired', `not filled by ${ord.req.expireAt}`);
    }
    this.barTime = NaN;
  }

  /** Matches a late order against stored bars after its decision time, oldest first. */
  private catchUp(b: Book, ord: Ord): void {
    const first = Math.max(0, b.count - HISTORY);
    for (let k = first; k < b.count && isWorking(ord.status); k++) {
      if (!(b.t[k % HISTORY] > ord.eligibleAfter)) continue;
      const list = [ord];
      this.matchOrders(b, list, k, false);
      this.endOfBar(b, k, list);
    }
  }

  private fill(ord: Ord, t: number, price: Dec, qty: Dec, liquidity: 'maker' | 'taker', reason: string | undefined, list: Ord[]): void {
    const b = ord.book;
    const notional = decMul(price, qty); // (the portfolio multiplies the same two Decs again: remembered)
    const rate = liquidity === 'maker' ? b.makerFee : b.takerFee;
    const fee = roundToPlaces(decProduct(notional, rate), b.market.quotePlaces, 'half-away-from-zero');
    ord.onlyPrice = ord.fillSeq === 0 ? price : undefined;
    ord.filled = decAdd(ord.filled, qty);
    ord.notional = decAdd(ord.notional, notional);
    const fid = fillId(ord.coid, ord.fillSeq++);
    const ev: FillEvent = {
      eventId: `${fid}/f`,
      tsEvent: t,
      tsInit: this.clock.now(),
      source: this.source,
      exchange: this.exchange,
      symbol: ord.req.symbol,
      runId: this.runId,
      fillId: fid,
      clientOrderId: ord.coid,
      strategyId: ord.req.strategyId,
      side: ord.side,
      price: decToString(price),
      quantity: decToString(qty),
      fee: decToString(fee),
      feeCurrency: b.market.quote,
      liquidity,
      role: ord.role,
    };
    this.outFills.push(ev);
    this.trades.push(ev); // (the balances fold it in when read)
    // The venue-side position.
    const pk = ord.posKey;
    const held = this.positions.get(pk) ?? ZERO;
    // selling exactly what is held: decimal.js's x - x is +0 (rounding half up), a compare is cheaper
    const pos = ord.side === 'buy' ? decAdd(held, qty) : held !== qty && decCmp(held, qty) === 0 ? ZERO : decSub(held, qty);
    this.positions.set(pk, pos);
    // (the whole quantity in one fill: filled is the order's own quantity Dec, 0 + qty being qty)
    this.setStatus(ord, ord.filled === ord.qty || decCmp(ord.filled, ord.qty) >= 0 ? 'filled' : 'partially-filled', reason);
    if (ord.req.bracket && !ord.reduceOnly) this.arm(ord, t, qty, price, list);
    this.clampChildren(ord.req.strategyId, ord.book, pos);
  }

  /** Arms (or grows) the bracket of an entry that just filled `qty` on bar `t`. */
  private arm(entry: Ord, t: number, qty: Dec, price: Dec, list: Ord[]): void {
    const br = entry.req.bracket!;
    if (entry.children) {
      for (const c of entry.children) if (isWorking(c.status)) c.qty = c.qty.plus(qty);
      return;
    }
    const exitSide: Side = entry.side === 'buy' ? 'sell' : 'buy';
    const children: Ord[] = [];
    const mk = (role: OrderRole, type: OrderType, extra: Partial<SubmitOrder>): Ord => {
      const req: SubmitOrder = {
        runId: entry.req.runId,
        exchange: entry.req.exchange,
        symbol: entry.req.symbol,
        clientOrderId: (role === 'take-profit' ? 't' : 's') + eventIdFrom(entry.coid, role),
        strategyId: entry.req.strategyId,
        decisionTime: entry.req.decisionTime,
        side: exitSide,
        type,
        quantity: decToString(qty),
        reduceOnly: true,
        role,
        ...extra,
      };
      const c = this.newOrd(req, entry.book, entry, t);
      this.orders.set(c.coid, c);
      this.setStatus(c, 'acknowledged', `bracket of ${entry.coid} armed`);
      return c;
    };
    if (br.stopLoss !== undefined || br.trailingStopPct !== undefined) {
      const c = mk(br.stopLoss !== undefined ? 'stop-loss' : 'trailing-stop', 'stop', { stopPrice: br.stopLoss });
      if (br.trailingStopPct !== undefined) {
        const p = price.toNumber();
        c.trailNum = exitSide === 'sell' ? p * (1 - br.trailingStopPct / 100) : p * (1 + br.trailingStopPct / 100);
        c.trailFrom = t; // the level set at the fill applies from the next bar, like a close move
      }
      children.push(c);
    }
    if (br.takeProfit !== undefined) children.push(mk('take-profit', 'limit', { limitPrice: br.takeProfit }));
    entry.children = children;
    for (const c of children) {
      entry.book.working.push(c);
      list.push(c); // matched on this same (entry) bar: only the stop loss can fill
    }
  }

  /** Bracket children never protect more than the position: shrink them, cancel at zero. */
  private clampChildren(strategyId: string, b: Book, pos: Dec): void {
    for (const c of b.working) {
      if (c.parent === undefined || !isWorking(c.status) || c.req.strategyId !== strategyId) continue;
      const avail = c.side === 'sell' ? pos : pos.neg();
      const rem = c.qty.minus(c.filled);
      if (lteZero(avail)) this.finish(c, 'cancelled', 'position closed');
      else if (rem.gt(avail)) c.qty = c.filled.plus(avail);
    }
  }

  // ---------------------------------------------------------------- helpers

  private validate(req: SubmitOrder, book: Book | undefined): string | undefined {
    if (!isValidClientOrderId(req.clientOrderId)) return `bad client order id ${JSON.stringify(req.clientOrderId)}`;
    if (!book) return `unknown symbol ${req.symbol}`;
    if (req.exchange !== this.exchange) return `wrong exchange ${req.exchange}`;
    let q: Dec;
    try {
      q = toDecimal(req.quantity);
    } catch {
      return `bad quantity ${JSON.stringify(req.quantity)}`;
    }
    this.validatedQty = q;
    if (lteZero(q)) return `quantity must be positive, got ${req.quantity}`;
    if (q.decimalPlaces() > book.market.amountPlaces) return `quantity ${req.quantity} exceeds ${book.market.amountPlaces} decimal places`;
    if (req.type === 'limit' && req.limitPrice === undefined) return 'limit order without limitPrice';
    if (req.type === 'stop' && req.stopPrice === undefined) return 'stop order without stopPrice';
    const br = req.bracket;
    return badPrice(req.limitPrice) ?? badPrice(req.stopPrice) ?? (br === undefined ? undefined : (badPrice(br.stopLoss) ?? badPrice(br.takeProfit)));
  }

  private newOrd(req: SubmitOrder, book: Book, parent: Ord | undefined, armedAt: number): Ord {
    const limit = req.limitPrice !== undefined && PRICE_RE.test(req.limitPrice) ? toDecimal(req.limitPrice) : undefined;
    const stop = req.stopPrice !== undefined && PRICE_RE.test(req.stopPrice) ? toDecimal(req.stopPrice) : undefined;
    let qty: Dec;
    const validated = this.validatedQty;
    this.validatedQty = undefined;
    if (validated !== undefined) qty = validated;
    else {
      try {
        qty = toDecimal(req.quantity);
      } catch {
        qty = ZERO;
      }
    }
    const trailPct = parent ? (parent.req.bracket?.trailingStopPct ?? 0) : 0;
    return {
      seq: this.seq++,
      req,
      coid: req.clientOrderId,
      book,
      side: req.side,
      type: req.type,
      role: req.role ?? (req.reduceOnly ? 'exit' : 'entry'),
      tif: req.timeInForce ?? 'GTC',
      reduceOnly: req.reduceOnly ?? false,
      qty,
      filled: ZERO,
      notional: ZERO,
      qtyOf: undefined,
      qtyStr: '',
      filledOf: undefined,
      filledStr: '',
      posKey: this.posKeyOf(req.strategyId, req.symbol),
      onlyPrice: undefined,
      limit,
      limitNum: limit ? limit.toNumber() : NaN,
      stop,
      stopNum: stop ? stop.toNumber() : NaN,
      trailPct: req.type === 'stop' ? trailPct : 0,
      trailNum: NaN,
      trailFrom: Infinity,
      status: 'new',
      eligibleAfter: parent ? armedAt - 1 : req.decisionTime,
      triggered: false,
      fillSeq: 0,
      evSeq: 0,
      children: undefined,
      parent,
      armedAt,
    };
  }

  /** `<strategyId>|<symbol>`, the same string for the same pair as the last order's (one key string per slot, not per order). */
  private posKeyOf(strategyId: string, symbol: string): string {
    if (strategyId !== this.lastKeyStrategy || symbol !== this.lastKeySymbol) {
      this.lastKeyStrategy = strategyId;
      this.lastKeySymbol = symbol;
      this.lastKey = `${strategyId}|${symbol}`;
    }
    return this.lastKey;
  }

  private roundPrice(b: Book, p: Dec, side: Side): Dec {
    const places = b.market.pricePlaces;
    if (places === undefined) return p;
    // Rounded against the trader: a buy pays up, a sell receives down.
    return roundToPlaces(p, places, side === 'buy' ? 'up' : 'down');
  }

  private finish(ord: Ord, status: 'cancelled' | 'expired', reason: string): void {
    if (status === 'cancelled' && ord.status !== 'cancel-requested') this.setStatus(ord, 'cancel-requested', reason);
    this.setStatus(ord, status, reason);
  }

  private setStatus(ord: Ord, to: OrderStatus, reason?: string): void {
    ord.status = transition(ord.coid, ord.status, to);
    // The snapshot's fields, without the snapshot (the same values, in the same order). A market
    // order's fill (an average price, nothing else optional) gets its own literal: a field stored
    // after a literal goes into a separate property array, one more object for every filled
    // event a backtest keeps (and the collector copies and traces) to the end.
    const eventId = ord.coid + orderEventSuffix(ord.evSeq++);
    const avg = avgFillString(ord);
    let ev: OrderUpdate;
    if (avg !== undefined && !ord.limit && !ord.stop && reason === undefined) {
      ev = {
        eventId,
        tsEvent: this.eventTime(ord),
        tsInit: this.clock.now(),
        source: this.source,
        exchange: this.exchange,
        symbol: ord.req.symbol,
        kind: 'order',
        runId: this.runId,
        clientOrderId: ord.coid,
        strategyId: ord.req.strategyId,
        role: ord.role,
        status: to,
        side: ord.side,
        type: ord.type,
        quantity: qtyString(ord),
        filledQuantity: filledString(ord),
        avgFillPrice: avg,
      };
    } else {
      const e: Mutable<OrderUpdate> = {
        eventId,
        tsEvent: this.eventTime(ord),
        tsInit: this.clock.now(),
        source: this.source,
        exchange: this.exchange,
        symbol: ord.req.symbol,
        kind: 'order',
        runId: this.runId,
        clientOrderId: ord.coid,
        strategyId: ord.req.strategyId,
        role: ord.role,
        status: to,
        side: ord.side,
        type: ord.type,
        quantity: qtyString(ord),
        filledQuantity: filledString(ord),
      };
      if (avg !== undefined) e.avgFillPrice = avg;
      if (ord.limit) e.limitPrice = decToString(ord.limit);
      if (ord.stop) e.stopPrice = decToString(ord.stop);
      if (reason !== undefined) e.reason = reason;
      ev = e;
    }
    this.outEvents.push(ev);
    if (!isWorking(to)) {
      // final: its last event (and what a snapshot has besides) stands for it from now on (see `finished`)
      this.finished.add(ord.coid, ev, ord.req.decisionTime, ord.parent?.coid);
      this.orders.delete(ord.coid);
    }
  }

  /** Event time of an order event: the last bar the venue matched (or the decision time before any). */
  private eventTime(ord: Ord): number {
    if (!Number.isNaN(this.barTime)) return this.barTime;
    const lt = ord.book.lastTime;
    return Number.isFinite(lt) && lt > ord.req.decisionTime ? lt : ord.req.decisionTime;
  }

  private snapshot(o: Ord): OrderSnapshot {
    const avg = avgFillString(o);
    // Stores in the field order rather than conditional spreads (V8's slow path after a spread).
    const snap: Mutable<OrderSnapshot> = {
      clientOrderId: o.coid,
      exchange: this.exchange,
      symbol: o.req.symbol,
      strategyId: o.req.strategyId,
      side: o.side,
      type: o.type,
      role: o.role,
      status: o.status,
      quantity: qtyString(o),
      filledQuantity: filledString(o),
    } as OrderSnapshot;
    if (avg !== undefined) snap.avgFillPrice = avg;
    if (o.limit) snap.limitPrice = decToString(o.limit);
    if (o.stop) snap.stopPrice = decToString(o.stop);
    snap.decisionTime = o.req.decisionTime;
    if (o.parent) snap.parentClientOrderId = o.parent.coid;
    return snap;
  }

  private result(ord: Ord): GatewayResult {
    return { order: this.snapshot(ord), duplicate: false, events: this.takeEvents(), fills: this.takeFills() };
  }
}
