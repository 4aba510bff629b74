import { Dec, decAdd, decCmp, decDiv, decProduct, decSub, decToString, gtZero, toDecimal, type DecimalString, type Side } from '@atp/core';
import type { RoundTrip } from './types';

/** One FIFO lot: a quantity still open at the price it was entered at. `qty` is always > 0. */
export interface Lot {
  qty: Dec;
  price: Dec;
  time: number;
  /**
   * qty x price as the book computed it when the lot opened (the fill's notional), while the lot
   * is whole; null once part of it is closed. Closing the whole lot subtracts this Dec (the same
   * product of the same operands) instead of multiplying again.
   */
  cost: Dec | null;
}

/** The round trip being built while a position is open. */
interface OpenTrade {
  side: 'long' | 'short';
  entryTime: number;
  entryQty: Dec;
  entryNotional: Dec;
  exitQty: Dec;
  exitNotional: Dec;
  gross: Dec;
  fees: Dec;
  fills: number;
  /**
   * The price of the entry (exit) when it is one fill part whose notional is exact: the average is
   * then that price, exactly (notional / quantity divides back without rounding), and the division
   * is skipped. Null otherwise (the average is divided out).
   */
  entryPx: Dec | null;
  exitPx: Dec | null;
}

/** What one fill did to a position. */
export interface PositionFillOutcome {
  realized: Dec;
  closed: RoundTrip[];
}

/** Serialised form of a {@link PositionBook}. */
export interface PositionState {
  strategyId: string;
  exchange: string;
  symbol: string;
  direction: 'long' | 'short' | 'flat';
  lots: { qty: DecimalString; price: DecimalString; time: number }[];
  realized: DecimalString;
  fees: DecimalString;
  cashFlow: DecimalString;
  tradedNotional: DecimalString;
  openTrade: null | {
    side: 'long' | 'short';
    entryTime: number;
    entryQty: DecimalString;
    entryNotional: DecimalString;
    exitQty: DecimalString;
    exitNotional: DecimalString;
    gross: DecimalString;
    fees: DecimalString;
    fills: number;
  };
}

const ZERO = new Dec(0);
/** Fills queued at most before their terms are folded into the running sums (see PositionBook.realizedSum). */
const PEND_MAX = 32;
const NEG_ZERO = new Dec(-0);

/** True when q x p has no more significant digits than the precision: the product is exact. */
function exactProduct(q: Dec, p: Dec): boolean {
  // a base-1e7 limb holds at most 7 significant digits: few limbs bound the digits without counting them
  const qd = (q as unknown as { d: number[] | null }).d;
  const pd = (p as unknown as { d: number[] | null }).d;
  if (qd !== null && pd !== null && 7 * (qd.length + pd.length) <= Dec.precision) return true;
  return q.sd() + p.sd() <= Dec.precision;
}

/**
 * The FIFO lots of one (strategy, instrument), long or short, with its realized P&L, fees, cash
 * flow and the round trip in progress. Exact decimals throughout. Internal to the lib: the
 * {@link Portfolio} validates fills before calling {@link PositionBook.apply}, which never throws.
 */
export class PositionBook {
  /** 'long' / 'short' while lots are open; every lot has the same direction. */
  direction: 'long' | 'short' | 'flat' = 'flat';
  lots: Lot[] = [];
  // realized, fees and cashFlow are running sums that a backtest reads at most at the end (the
  // portfolio keeps its own account totals): each fill's terms are queued (side, notional, fee, a
  // close's realized P&L or null) and folded, in fill order with the same operations, when one of
  // them is read or when PEND_MAX fills are queued (the sums are then the same Decs as when folded
  // all at once: the same operations in the same order). Bounded, so that the queued Decs die
  // young: a queue of a whole backtest's fills (Decs and their limb arrays, some 20 MB over 1M
  // synthetic bars) was kept to the end of the run, copied by every scavenge and traced by every mark.
  private realizedSum: Dec = ZERO;
  private feesSum: Dec = ZERO;
  private cashFlowSum: Dec = ZERO;
  private readonly pendBuy: boolean[] = [];
  private readonly pendNotional: Dec[] = [];
  private readonly pendFee: Dec[] = [];
  private readonly pendRealized: (Dec | null)[] = [];
  /** Sum of |price x quantity| over its fills. */
  tradedNotional: Dec = ZERO;
  /** Sum of the open lots' quantities (unsigned) and of quantity x price: kept with the lots. */
  openQty: Dec = ZERO;
  openCost: Dec = ZERO;
  /** Unrealized P&L at the last mark the portfolio applied (a cache the portfolio maintains). */
  cachedUnrealized: Dec = ZERO;
  private trade: OpenTrade | null = null;

  /**
   * `trips` false: no round trip is tracked (none in progress, none returned by `apply`): the
   * running totals, lots and positions are the same, without a round trip's six sums per fill and
   * its strings at the close (a projection that never reads them: risk's).
   */
  constructor(
    readonly strategyId: string,
    readonly exchange: string,
    readonly symbol: string,
    private readonly barMs: number,
    private readonly trips = true,
  ) {}

  /** Realized P&L of this position, gross of fees (quote currency). */
  get realized(): Dec {
    if (this.pendFee.length > 0) this.fold();
    return this.realizedSum;
  }

  /** Fees paid on this position (quote currency). */
  get fees(): Dec {
    if (this.pendFee.length > 0) this.fold();
    return this.feesSum;
  }

  /** Sales - purchases - fees of this position: its cash contribution to the account. */
  get cashFlow(): Dec {
    if (this.pendFee.length > 0) this.fold();
    return this.cashFlowSum;
  }

  /** Books the queued fills into cashFlow, fees and realized: the operations `apply` made eagerly before. */
  private fold(): void {
    const buy = this.pendBuy;
    const notional = this.pendNotional;
    const fee = this.pendFee;
    const realized = this.pendRealized;
    let cf = this.cashFlowSum;
    let fs = this.feesSum;
    let rs = this.realizedSum;
    for (let i = 0; i < fee.length; i++) {
      cf = buy[i] ? decSub(cf, notional[i]!) : decAdd(cf, notional[i]!);
      cf = decSub(cf, fee[i]!);
      fs = decAdd(fs, fee[i]!);
      const r = realized[i];
      if (r !== null && r !== undefined) rs = decAdd(rs, r);
    }
    this.cashFlowSum = cf;
    this.feesSum = fs;
    this.realizedSum = rs;
    buy.length = 0;
    notional.length = 0;
    fee.length = 0;
    realized.length = 0;
  }

  /** Signed open quantity: > 0 long, < 0 short, 0 flat. */
  signedQty(): Dec {
    return this.direction === 'short' ? this.openQty.neg() : this.openQty;
  }

  /** Quantity-weighted average price of the open lots (0 when flat). */
  avgPrice(): Dec {
    return this.openQty.isZero() ? ZERO : decDiv(this.openCost, this.openQty);
  }

  /**
   * Unrealized P&L of the open lots at `mark`: sum of (mark - price) x qty = mark x qty - cost,
   * negated for shorts.
   */
  unrealized(mark: Dec): Dec {
    const lots = this.lots;
    if (lots.length === 1) {
      const lot = lots[0]!;
      // One whole lot marked at its own price (a mark taken from the fill that opened it): mark x
      // qty is the product that gave the cost, so the difference is decimal.js's +0 (x - x,
      // rounding half up), negated for shorts, as below.
      if (mark === lot.price && this.openQty === lot.qty && lot.cost !== null && this.openCost === lot.cost) return this.direction === 'short' ? NEG_ZERO : ZERO;
    }
    const u = decSub(decProduct(mark, this.openQty), this.openCost);
    return this.direction === 'short' ? u.neg() : u;
  }

  /** The same number recomputed lot by lot, and the open quantity / cost from the lots: for audits. */
  recomputeFromLots(mark: Dec): { unrealized: Dec; qty: Dec; cost: Dec } {
    let u = ZERO;
    let q = ZERO;
    let c = ZERO;
    for (const l of this.lots) {
      u = u.plus(mark.minus(l.price).mul(l.qty));
      q = q.plus(l.qty);
      c = c.plus(l.qty.mul(l.price));
    }
    return { unrealized: this.direction === 'short' ? u.neg() : u, qty: q, cost: c };
  }

  /** Signed market value at `mark`: qty x mark (negative for shorts). */
  marketValue(mark: Dec): Dec {
    return this.signedQty().mul(mark);
  }

  /**
   * Applies one validated fill: closes opposite lots first-in first-out, then opens a lot with what
   * is left (a flip when it had closed everything). `feeQuote` is the fee in the quote currency,
   * `notional` is qty x price (the caller's, computed once).
   */
  apply(side: Side, qty: Dec, price: Dec, notional: Dec, feeQuote: Dec, time: number): PositionFillOutcome {
    if (this.pendFee.length >= PEND_MAX) this.fold();
    this.pendBuy.push(side === 'buy');
    this.pendNotional.push(notional);
    this.pendFee.push(feeQuote);
    this.pendRealized.push(null);
    this.tradedNotional = decAdd(this.tradedNotional, notional);

    const closes = (this.direction === 'long' && side === 'sell') || (this.direction === 'short' && side === 'buy');
    let remaining = qty;
    let realized = ZERO;
    const closed: RoundTrip[] = [];

    if (closes) {
      const trade = this.trade; // (null when trips are not tracked)
      let closedQty = ZERO;
      while (gtZero(remaining) && this.lots.length > 0) {
        const lot = this.lots[0]!;
        const take = decCmp(lot.qty, remaining) > 0 ? remaining : lot.qty; // Dec.min's choice, without its copy
        const pnl = decProduct(this.direction === 'long' ? decSub(price, lot.price) : decSub(lot.price, price), take);
        realized = decAdd(realized, pnl);
        this.openQty = decSub(this.openQty, take);
        // the whole lot: its cost as computed when it opened (the same product)
        const whole = take === lot.qty && lot.cost !== null;
        this.openCost = decSub(this.openCost, whole ? lot.cost! : decProduct(take, lot.price));
        lot.qty = decSub(lot.qty, take);
        if (lot.qty.isZero()) this.lots.shift();
        else lot.cost = null;
        // equal values: decimal.js's x - x is +0 (rounding half up), a compare is cheaper
        remaining = take !== remaining && decCmp(remaining, take) === 0 ? ZERO : decSub(remaining, take);
        closedQty = decAdd(closedQty, take);
      }
      if (trade !== null) {
        // A flipping fill's fee is split by quantity; the opening part gets the exact remainder so
        // the trades' fees always add up to the fees paid.
        const closeFee = remaining.isZero() ? feeQuote : decDiv(decProduct(feeQuote, closedQty), qty);
        trade.exitPx = trade.exitQty.isZero() && exactProduct(closedQty, price) ? price : null;
        trade.exitQty = decAdd(trade.exitQty, closedQty);
        trade.exitNotional = decAdd(trade.exitNotional, closedQty === qty ? notional : decProduct(closedQty, price));
        trade.gross = decAdd(trade.gross, realized);
        trade.fees = decAdd(trade.fees, closeFee);
        trade.fills += 1;
        feeQuote = decSub(feeQuote, closeFee); // (the opening part's, read only by its trade)
      }
      this.pendRealized[this.pendRealized.length - 1] = realized;
      if (this.lots.length === 0) {
        if (trade !== null) closed.push(this.finishTrade(trade, time));
        this.trade = null;
        this.direction = 'flat';
      }
    }

    if (gtZero(remaining)) {
      if (this.direction === 'flat') {
        this.direction = side === 'buy' ? 'long' : 'short';
        if (this.trips) {
          this.trade = {
            side: this.direction,
            entryTime: time,
            entryQty: ZERO,
            entryNotional: ZERO,
            exitQty: ZERO,
            exitNotional: ZERO,
            gross: ZERO,
            fees: ZERO,
            fills: 0,
            entryPx: null,
            exitPx: null,
          };
        }
      }
      const cost = remaining === qty ? notional : decProduct(remaining, price);
      this.lots.push({ qty: remaining, price, time, cost });
      this.openQty = decAdd(this.openQty, remaining);
      this.openCost = decAdd(this.openCost, cost);
      const trade = this.trade;
      if (trade !== null) {
        trade.entryPx = trade.entryQty.isZero() && exactProduct(remaining, price) ? price : null;
        trade.entryQty = decAdd(trade.entryQty, remaining);
        trade.entryNotional = decAdd(trade.entryNotional, cost);
        trade.fees = decAdd(trade.fees, feeQuote);
        trade.fills += 1;
      }
    }
    return { realized, closed };
  }

  private finishTrade(t: OpenTrade, exitTime: number): RoundTrip {
    return {
      strategyId: this.strategyId,
      exchange: this.exchange,
      symbol: this.symbol,
      side: t.side,
      entryTime: t.entryTime,
      exitTime,
      quantity: decToString(t.entryQty),
      avgEntry: decToString(t.entryPx ?? decDiv(t.entryNotional, t.entryQty)),
      avgExit: decToString(t.exitPx ?? decDiv(t.exitNotional, t.exitQty)),
      grossPnl: decToString(t.gross),
      fees: decToString(t.fees),
      netPnl: decToString(decSub(t.gross, t.fees)),
      barsHeld: Math.round((exitTime - t.entryTime) / this.barMs),
      fills: t.fills,
    };
  }

  toState(): PositionState {
    const t = this.trade;
    return {
      strategyId: this.strategyId,
      exchange: this.exchange,
      symbol: this.symbol,
      direction: this.direction,
      lots: this.lots.map((l) => ({ qty: decToString(l.qty), price: decToString(l.price), time: l.time })),
      realized: decToString(this.realized),
      fees: decToString(this.fees),
      cashFlow: decToString(this.cashFlow),
      tradedNotional: decToString(this.tradedNotional),
      openTrade: t
        ? {
            side: t.side,
            entryTime: t.entryTime,
            entryQty: decToString(t.entryQty),
            entryNotional: decToString(t.entryNotional),
            exitQty: decToString(t.exitQty),
            exitNotional: decToString(t.exitNotional),
            gross: decToString(t.gross),
            fees: decToString(t.fees),
            fills: t.fills,
          }
        : null,
    };
  }

  static fromState(s: PositionState, barMs: number): PositionBook {
    const p = new PositionBook(s.strategyId, s.exchange, s.symbol, barMs);
    p.direction = s.direction;
    p.lots = s.lots.map((l) => ({ qty: toDecimal(l.qty), price: toDecimal(l.price), time: l.time, cost: null }));
    for (const l of p.lots) {
      p.openQty = p.openQty.plus(l.qty);
      p.openCost = p.openCost.plus(l.qty.mul(l.price));
    }
    p.realizedSum = toDecimal(s.realized);
    p.feesSum = toDecimal(s.fees);
    p.cashFlowSum = toDecimal(s.cashFlow);
    p.tradedNotional = toDecimal(s.tradedNotional);
    const t = s.openTrade;
    p.trade = t
      ? {
          side: t.side,
          entryTime: t.entryTime,
          entryQty: toDecimal(t.entryQty),
          entryNotional: toDecimal(t.entryNotional),
          exitQty: toDecimal(t.exitQty),
          exitNotional: toDecimal(t.exitNotional),
          gross: toDecimal(t.gross),
          fees: toDecimal(t.fees),
          fills: t.fills,
          entryPx: null,
          exitPx: null,
        }
      : null;
    return p;
  }
}
