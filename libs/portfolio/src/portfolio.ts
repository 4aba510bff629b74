import { Dec, IdTable, decAdd, decCmp, decMul, decNumber, decScaledInto, decSub, decToString, instrumentKey, ltZero, lteZero, scaledToString, splitSymbol, timeframeMs, toDecimal, type DecimalString, type InstrumentId, type Timeframe } from '@atp/core';
import { PositionBook, type PositionState } from './position';
import {
  PortfolioError,
  type ApplyFillResult,
  type EquityCurve,
  type FillLedgerEntry,
  type PnlSnapshot,
  type PortfolioConfig,
  type PortfolioFill,
  type PositionSnapshot,
  type RoundTrip,
} from './types';

/** Version of {@link PortfolioState}; bumped on any incompatible change. */
export const PORTFOLIO_STATE_VERSION = 1;

/** JSON-safe state of a {@link Portfolio}: what a restarted pnl service loads to resume. */
export interface PortfolioState {
  version: typeof PORTFOLIO_STATE_VERSION;
  config: { account: string; quoteCurrency: string; initialCash: DecimalString; timeframe: Timeframe; shortable: string[] };
  cash: DecimalString;
  positions: PositionState[];
  marks: { instrument: string; price: DecimalString; time: number }[];
  /** Every fill id applied, in order (the idempotency set). */
  fillIds: string[];
  duplicateFills: number;
  roundTrips: RoundTrip[];
  ledger: FillLedgerEntry[];
  curve: { times: number[]; equity: number[]; exposed: number[]; lastOpen: boolean };
}

const ZERO = new Dec(0);
const ALL = '*';

/** An open position as {@link Portfolio.positionMarks} lists it: signed quantity and mark, printed. */
export interface PositionMark {
  readonly strategyId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly quantity: DecimalString;
  readonly mark: DecimalString;
}

interface Mark {
  price: Dec;
  time: number;
}

/** The ledger's decimal columns, in this order: quantity, price, feeQuote, realizedDelta, cash, realized, unrealized, fees, equity. */
const LEDGER_VALUES = 9;
/** `q` of a value kept as its Dec (see RawLedger). */
const AS_DEC = 0x7fffffff;

/**
 * The ledger entries not yet turned into strings, their exact values stored columnwise: each as
 * a float64 integer coefficient and a power of ten (core decScaledInto) in typed arrays, printed
 * on read (core scaledToString: decToString's string), or as the Dec itself when it does not fit.
 * An entry's other fields (id, time, strategy, instrument, side, and the quantity, price and fee
 * strings when they are what decToString prints) are read from its fill, kept by reference (fills
 * are read-only events, already kept by their producer) with one flag: whether the quote fee is
 * the fill's own fee. A long backtest then keeps no object per fill for its ledger: typed arrays
 * are not copied by the young-generation collector, objects (Decs, entry heads) are, twice.
 */
class RawLedger {
  private fills: PortfolioFill[] = [];
  private m = new Float64Array(0);
  private q = new Int32Array(0);
  /** 1 when the entry's quote fee is its fill's own fee (the fill's fee string may then stand for it). */
  private feeIsFill = new Uint8Array(0);
  private decs = new Map<number, Dec>();

  get length(): number {
    return this.fills.length;
  }

  push(fill: PortfolioFill, feeIsFill: boolean, values: readonly Dec[]): void {
    const i = this.fills.length;
    const base = i * LEDGER_VALUES;
    if (base + LEDGER_VALUES > this.m.length) {
      const cap = Math.max(64 * LEDGER_VALUES, this.m.length * 2);
      const m = new Float64Array(cap);
      const q = new Int32Array(cap);
      const f = new Uint8Array(cap / LEDGER_VALUES);
      m.set(this.m);
      q.set(this.q);
      f.set(this.feeIsFill);
      this.m = m;
      this.q = q;
      this.feeIsFill = f;
    }
    for (let c = 0; c < LEDGER_VALUES; c++) {
      const k = base + c;
      if (!decScaledInto(values[c]!, this.m, this.q, k)) {
        this.q[k] = AS_DEC;
        this.decs.set(k, values[c]!);
      }
    }
    this.feeIsFill[i] = feeIsFill ? 1 : 0;
    this.fills.push(fill);
  }

  /** The quote fee of the last entry pushed, printed (the fill's own string when canonical). */
  lastFeeText(): string {
    return this.feeText(this.fills.length - 1);
  }

  /** The quote fee of entry i, printed: the fill's own string when it is the fill's fee and canonical. */
  private feeText(i: number): string {
    return (this.feeIsFill[i] === 1 ? canonicalText(this.fills[i]!.fee) : undefined) ?? this.text(i, 2);
  }

  /** decToString of column c of entry i. */
  text(i: number, c: number): string {
    const k = i * LEDGER_VALUES + c;
    const q = this.q[k]!;
    return q === AS_DEC ? decToString(this.decs.get(k)!) : scaledToString(this.m[k]!, q);
  }

  /** The entries as ledger entries, in order; then empties itself. */
  drainInto(out: FillLedgerEntry[]): void {
    const fills = this.fills;
    for (let i = 0; i < fills.length; i++) {
      const f = fills[i]!;
      out.push({
        fillId: f.fillId,
        time: f.tsEvent,
        strategyId: f.strategyId,
        exchange: f.exchange,
        symbol: f.symbol,
        side: f.side,
        // (the venue's strings, printed from these very values, are not printed again for the ledger)
        quantity: canonicalText(f.quantity) ?? this.text(i, 0),
        price: canonicalText(f.price) ?? this.text(i, 1),
        feeQuote: this.feeText(i),
        realizedDelta: this.text(i, 3),
        cash: this.text(i, 4),
        realized: this.text(i, 5),
        unrealized: this.text(i, 6),
        fees: this.text(i, 7),
        equity: this.text(i, 8),
      });
    }
    this.fills = [];
    this.m = new Float64Array(0);
    this.q = new Int32Array(0);
    this.feeIsFill = new Uint8Array(0);
    this.decs = new Map();
  }
}

/** A canonical decimal string (decToString's form) of a number >= 0: no leading zero but the units', no trailing zero after a point, no sign. */
const CANONICAL_UNSIGNED = /^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;

/**
 * `s` when it is exactly what decToString prints for the Dec parsed from it (a canonical string
 * of a value >= 0: parsing keeps every digit, printing gives them back), else undefined.
 */
function canonicalText(s: string): string | undefined {
  return CANONICAL_UNSIGNED.test(s) ? s : undefined;
}

function bad(code: ConstructorParameters<typeof PortfolioError>[0], msg: string): never {
  throw new PortfolioError(code, msg);
}

function parseDec(field: string, s: string, code: 'BAD_FILL' | 'BAD_MARK' | 'BAD_STATE'): Dec {
  try {
    return toDecimal(s);
  } catch {
    return bad(code, `${field} is not a decimal string: ${JSON.stringify(s)}`);
  }
}

function checkTime(t: number, code: 'BAD_FILL' | 'BAD_MARK'): void {
  if (!Number.isSafeInteger(t) || t < 0) bad(code, `time must be a non-negative integer of Unix ms, got ${t}`);
}

/**
 * The positions and P&L of one account, in exact decimals (ARCHITECTURE.md, "P&L").
 *
 * - FIFO lots per (strategy, instrument); cash per account in the quote currency.
 * - `applyFill` is idempotent by fill id: a repeated id changes nothing and returns `duplicate`.
 * - Realized P&L is gross of fees; fees are tracked apart, in the quote currency (a fee paid in
 *   the base asset is converted at the fill price, one paid in a third asset at the last mark of
 *   `ASSET/QUOTE` on the same exchange; the base quantity is never reduced by a fee).
 * - Unrealized P&L uses the last mark per instrument (`mark`), or the fill price when a fill is
 *   at least as recent as the last mark.
 * - At every fill and at any time: equity = initialCash + realized + unrealized - fees
 *   = cash + market value, exactly.
 * - Spot long-only unless the instrument is configured shortable (FIFO applies to short lots too).
 * - A per-bar float64 equity curve for charts and metrics; the exact account state after each
 *   fill is kept in the ledger.
 *
 * Pure and deterministic: no clock, all times come from the events.
 */
export class Portfolio {
  readonly account: string;
  readonly quoteCurrency: string;
  readonly initialCash: Dec;
  readonly timeframe: Timeframe;
  private readonly barMs: number;
  private readonly shortable: ReadonlySet<string>;
  /** PortfolioConfig.history: the ledger, round trips and equity curve are kept. */
  private readonly history: boolean;
  /** Without history: the quote fee of the last fill booked (applyFill's result prints it). */
  private lastFeeQuote: Dec = ZERO;
  private cashBalance: Dec;
  private readonly books = new Map<string, PositionBook>();
  private readonly marks = new Map<string, Mark>();
  /**
   * Every fill id applied, in order (the idempotency set). An IdTable, not a Set: each new fill is
   * a miss, and a miss in a long run's Set, pushed out of the caches between two fills, reads a
   * bucket, its entries and their key strings (see IdTable).
   */
  private readonly fillIds = new IdTable<true>();
  private duplicates = 0;
  private readonly trips: RoundTrip[] = [];
  private readonly fillLedger: FillLedgerEntry[] = [];
  /** Ledger entries not yet turned into strings (appended to `fillLedger`, in order, on read). */
  private readonly rawLedger = new RawLedger();
  private readonly curveTimes: number[] = [];
  private readonly curveEquity: number[] = [];
  private readonly curveExposed: number[] = [];
  /**
   * The equity of the curve's last point, not yet converted to its float (the point's slot in
   * `curveEquity` is stale while this is set): every fill and mark of a bar moves that point, and
   * only the last value of the bar is kept, so the conversion (decNumber: a string round trip for a
   * long equity) is made once per bar, when the next bar's point starts or the curve is read.
   */
  private curvePending: Dec | undefined = undefined;
  private lastOpen = false;
  // Running account totals, kept exact on every fill and mark (the hot path of a backtest):
  // equity = base + unrealized, base = initialCash + realized - fees.
  private realizedTotal: Dec = ZERO;
  private feesTotal: Dec = ZERO;
  private unrealizedTotal: Dec = ZERO;
  private openBooks = 0;
  /** initialCash + realizedTotal, and the realized total it was computed for. */
  private base: Dec = ZERO;
  private baseOf: Dec | undefined = undefined;
  /** The account totals last computed (read only: callers never modify them). */
  private accountTotals: { readonly realized: Dec; readonly unrealized: Dec; readonly fees: Dec; readonly equity: Dec } | undefined = undefined;
  private readonly booksByInstrument = new Map<string, PositionBook[]>();
  /**
   * positionMarks()'s answer for the account, until the next fill or mark (only they move
   * positions and marks): risk reads it at every decision, several per event time. Read only.
   */
  private allMarks: readonly PositionMark[] | undefined = undefined;
  /** {@link sortedBooks}' list, undefined when a book was added since. */
  private booksSorted: readonly PositionBook[] | undefined = undefined;
  /** The books again, by strategy id then instrument key (no key string to build per lookup). */
  private readonly bookIndex = new Map<string, Map<string, PositionBook>>();
  private readonly instKeys = new Map<string, Map<string, string>>();
  private readonly symbolParts = new Map<string, { base: string; quote: string }>();

  /** Throws `PortfolioError('BAD_STATE')` on a malformed config. */
  constructor(config: PortfolioConfig) {
    this.account = config.account;
    this.quoteCurrency = config.quoteCurrency ?? 'USDT';
    this.initialCash = parseDec('initialCash', config.initialCash, 'BAD_STATE');
    this.timeframe = config.timeframe;
    try {
      this.barMs = timeframeMs(config.timeframe);
    } catch (e) {
      bad('BAD_STATE', (e as Error).message);
    }
    this.shortable = new Set(config.shortable ?? []);
    this.history = config.history ?? true;
    this.cashBalance = this.initialCash;
  }

  // ---------------------------------------------------------------- events

  /**
   * Books one fill. Returns `duplicate` (and changes nothing) for a fill id seen before.
   * Throws {@link PortfolioError} — leaving the portfolio unchanged — for a malformed fill
   * (BAD_FILL), a symbol not quoted in the account currency (QUOTE_MISMATCH), a fee in an asset it
   * cannot convert (FEE_CURRENCY), or a sell below zero on an instrument not shortable
   * (SHORT_NOT_ALLOWED).
   */
  applyFill(fill: PortfolioFill): ApplyFillResult {
    const outcome = this.bookFill(fill);
    if (outcome === undefined) return { status: 'duplicate', fillId: fill.fillId };
    return {
      status: 'applied',
      fillId: fill.fillId,
      realized: decToString(outcome.realized),
      // (the fill's ledger entry, just pushed: no ledger read in between; without history, the fee itself)
      feeQuote: this.history ? this.rawLedger.lastFeeText() : decToString(this.lastFeeQuote),
      closedRoundTrips: outcome.closed,
    };
  }

  /**
   * {@link applyFill} without its result (the backtester reads the portfolio, not the result's
   * strings): the same effects and errors; undefined for a duplicate, else what the fill did to
   * its position.
   */
  bookFill(fill: PortfolioFill): { readonly realized: Dec; readonly closed: readonly RoundTrip[] } | undefined {
    if (this.fillIds.has(fill.fillId)) {
      this.duplicates += 1;
      return undefined;
    }
    if (!fill.fillId) bad('BAD_FILL', 'empty fillId');
    if (fill.side !== 'buy' && fill.side !== 'sell') bad('BAD_FILL', `side must be buy or sell, got ${String(fill.side)}`);
    checkTime(fill.tsEvent, 'BAD_FILL');
    const price = parseDec('price', fill.price, 'BAD_FILL');
    const qty = parseDec('quantity', fill.quantity, 'BAD_FILL');
    const fee = parseDec('fee', fill.fee, 'BAD_FILL');
    if (lteZero(price)) bad('BAD_FILL', `price must be > 0, got ${fill.price}`);
    if (lteZero(qty)) bad('BAD_FILL', `quantity must be > 0, got ${fill.quantity}`);
    let parts = this.symbolParts.get(fill.symbol);
    if (parts === undefined) {
      try {
        parts = splitSymbol(fill.symbol);
      } catch (e) {
        return bad('BAD_FILL', (e as Error).message);
      }
      this.symbolParts.set(fill.symbol, parts);
    }
    const { base, quote } = parts;
    if (quote !== this.quoteCurrency) bad('QUOTE_MISMATCH', `${fill.symbol} is not quoted in the account currency ${this.quoteCurrency}`);
    const feeQuote = this.feeInQuote(fee, fill.feeCurrency, base, price, fill.exchange);

    const instrument = this.instKey(fill.exchange, fill.symbol);
    const book = this.bookIndex.get(fill.strategyId)?.get(instrument);
    const before = book ? book.signedQty() : ZERO;
    const after = fill.side === 'buy' ? decAdd(before, qty) : decSub(before, qty);
    if (ltZero(after) && !this.shortable.has(instrument)) {
      bad('SHORT_NOT_ALLOWED', `${instrument} is long-only: selling ${fill.quantity} of a position of ${decToString(before)} (strategy ${fill.strategyId})`);
    }

    // Validated: from here nothing throws.
    this.allMarks = undefined;
    let pos = book;
    if (!pos) {
      pos = new PositionBook(fill.strategyId, fill.exchange, fill.symbol, this.barMs, this.history);
      this.addBook(this.bookKey(fill.strategyId, instrument), pos);
    }
    this.fillIds.set(fill.fillId, true);
    const wasOpen = pos.direction !== 'flat';
    const notional = decMul(qty, price); // the venue's product of the same Decs when the strings came from it
    const outcome = pos.apply(fill.side, qty, price, notional, feeQuote, fill.tsEvent);
    this.openBooks += (pos.direction !== 'flat' ? 1 : 0) - (wasOpen ? 1 : 0);
    this.realizedTotal = decAdd(this.realizedTotal, outcome.realized);
    this.feesTotal = decAdd(this.feesTotal, feeQuote);
    this.cashBalance = decSub(fill.side === 'buy' ? decSub(this.cashBalance, notional) : decAdd(this.cashBalance, notional), feeQuote);
    const mark = this.marks.get(instrument);
    if (!mark || fill.tsEvent >= mark.time) this.marks.set(instrument, { price, time: fill.tsEvent });
    this.revalue(instrument);
    if (!this.history) {
      this.lastFeeQuote = feeQuote;
      return outcome;
    }
    for (let i = 0; i < outcome.closed.length; i++) this.trips.push(outcome.closed[i]!);

    const totals = this.totals(ALL);
    // The ledger entry keeps its exact values; the decimal strings are made when the ledger is read.
    this.rawLedger.push(
      fill,
      feeQuote === fee,
      [qty, price, feeQuote, outcome.realized, this.cashBalance, totals.realized, totals.unrealized, totals.fees, totals.equity],
    );
    this.touchCurve(fill.tsEvent, totals.equity);
    return outcome;
  }

  /**
   * Marks an instrument at `price` (decimal string, or a float64 close converted through
   * `toDecimal`) at event time `time`. A mark older than the instrument's last mark is ignored
   * (returns false): marks never go back in time. Throws PortfolioError('BAD_MARK') on a price <= 0.
   */
  mark(instrument: InstrumentId, price: DecimalString | number | Dec, time: number): boolean {
    checkTime(time, 'BAD_MARK');
    let p: Dec;
    try {
      p = toDecimal(price);
    } catch (e) {
      return bad('BAD_MARK', (e as Error).message);
    }
    if (lteZero(p)) bad('BAD_MARK', `price must be > 0, got ${decToString(p)}`);
    const key = this.instKey(instrument.exchange, instrument.symbol);
    const prev = this.marks.get(key);
    if (prev && time < prev.time) return false;
    this.marks.set(key, { price: p, time });
    this.allMarks = undefined;
    this.revalue(key);
    if (this.history) this.touchCurve(time, this.totals(ALL).equity);
    return true;
  }

  // ---------------------------------------------------------------- queries

  /** Account cash in the quote currency. */
  cash(): Dec {
    return this.cashBalance;
  }

  /** Equity of the account (default) or of one strategy (whose initial cash is 0). */
  equity(strategyId: string = ALL): Dec {
    return this.totals(strategyId).equity;
  }

  /**
   * Cash + market value of the positions: must equal {@link equity}; kept as a separate path so
   * tests and the pnl service can assert the identity.
   */
  cashPlusMarketValue(strategyId: string = ALL): Dec {
    let cash = strategyId === ALL ? this.cashBalance : ZERO;
    let mv = ZERO;
    for (const b of this.books.values()) {
      if (strategyId !== ALL && b.strategyId !== strategyId) continue;
      if (strategyId !== ALL) cash = cash.plus(b.cashFlow);
      if (b.direction !== 'flat') mv = mv.plus(b.marketValue(this.markOf(b)));
    }
    return cash.plus(mv);
  }

  /** Realized, unrealized, fees, equity (exact) and the open positions, for the account ('*') or one strategy. */
  pnl(strategyId: string = ALL): PnlSnapshot {
    const t = this.totals(strategyId);
    const cash = strategyId === ALL ? this.cashBalance : this.strategyCashFlow(strategyId);
    return {
      strategyId,
      initialCash: decToString(strategyId === ALL ? this.initialCash : ZERO),
      cash: decToString(cash),
      realized: decToString(t.realized),
      unrealized: decToString(t.unrealized),
      fees: decToString(t.fees),
      equity: decToString(t.equity),
      positions: this.positions(strategyId),
    };
  }

  /** Open positions (non-zero quantity), sorted by strategy, exchange, symbol. */
  positions(strategyId: string = ALL): PositionSnapshot[] {
    const out: PositionSnapshot[] = [];
    for (const b of this.sortedBooks()) {
      if (b.direction === 'flat') continue;
      if (strategyId !== ALL && b.strategyId !== strategyId) continue;
      out.push(this.snapshotOf(b));
    }
    return out;
  }

  /**
   * Open positions as (strategy, exchange, symbol, signed quantity, mark), sorted like
   * {@link positions}: the fields a risk view reads, without the rest of the snapshot.
   */
  positionMarks(strategyId: string = ALL): readonly PositionMark[] {
    if (strategyId === ALL && this.allMarks !== undefined) return this.allMarks;
    const out: PositionMark[] = [];
    if (this.openBooks > 0) {
      for (const b of this.sortedBooks()) {
        if (b.direction === 'flat') continue;
        if (strategyId !== ALL && b.strategyId !== strategyId) continue;
        out.push({ strategyId: b.strategyId, exchange: b.exchange, symbol: b.symbol, quantity: decToString(b.signedQty()), mark: decToString(this.markOf(b)) });
      }
    }
    if (strategyId === ALL) this.allMarks = out;
    return out;
  }

  /** The position of one strategy in one instrument, or undefined when it never traded it. */
  position(strategyId: string, instrument: InstrumentId): PositionSnapshot | undefined {
    const b = this.bookIndex.get(strategyId)?.get(this.instKey(instrument.exchange, instrument.symbol));
    return b ? this.snapshotOf(b) : undefined;
  }

  /** Signed quantity of one instrument: of one strategy, or summed over all strategies. */
  quantity(instrument: InstrumentId, strategyId: string = ALL): Dec {
    const list = this.booksByInstrument.get(this.instKey(instrument.exchange, instrument.symbol));
    if (list === undefined) return ZERO;
    // The first term as is (0 + x is x: quantities are exact well within the precision).
    let q: Dec | undefined;
    for (const b of list) {
      if (strategyId !== ALL && b.strategyId !== strategyId) continue;
      q = q === undefined ? b.signedQty() : q.plus(b.signedQty());
    }
    return q ?? ZERO;
  }

  /** Sum of |quantity x mark| over all open positions of all strategies (gross exposure). */
  grossExposure(): Dec {
    let g = ZERO;
    for (const b of this.books.values()) if (b.direction !== 'flat') g = g.plus(b.marketValue(this.markOf(b)).abs());
    return g;
  }

  /** Last mark of an instrument, if any. */
  lastMark(instrument: InstrumentId): { price: Dec; time: number } | undefined {
    return this.marks.get(this.instKey(instrument.exchange, instrument.symbol));
  }

  /** Completed flat-to-flat trades, in completion order. */
  roundTrips(): readonly RoundTrip[] {
    this.needHistory('roundTrips');
    return this.trips;
  }

  /** The exact account state after each fill, in order. */
  ledger(): readonly FillLedgerEntry[] {
    this.needHistory('ledger');
    if (this.rawLedger.length > 0) this.rawLedger.drainInto(this.fillLedger);
    return this.fillLedger;
  }

  /** Per-bar float64 curve (copies). */
  equityCurve(): EquityCurve {
    this.needHistory('equityCurve');
    this.settleCurve();
    return {
      times: Float64Array.from(this.curveTimes),
      equity: Float64Array.from(this.curveEquity),
      exposed: Uint8Array.from(this.curveExposed),
    };
  }

  /** Sum of |price x quantity| of every fill, of the account or one strategy. */
  tradedNotional(strategyId: string = ALL): Dec {
    let n = ZERO;
    for (const b of this.books.values()) if (strategyId === ALL || b.strategyId === strategyId) n = n.plus(b.tradedNotional);
    return n;
  }

  /** How many repeated fill ids were ignored. */
  duplicateFills(): number {
    return this.duplicates;
  }

  /** True when `fillId` has been applied. */
  hasFill(fillId: string): boolean {
    return this.fillIds.has(fillId);
  }

  /**
   * Recomputes every cached total from the lots, fills and marks and lists the differences (empty
   * when consistent): for tests and for a pnl service reconciling after a restart.
   */
  audit(): string[] {
    const problems: string[] = [];
    let realized = ZERO;
    let fees = ZERO;
    let unrealized = ZERO;
    let mv = ZERO;
    for (const b of this.books.values()) {
      realized = realized.plus(b.realized);
      fees = fees.plus(b.fees);
      if (b.direction === 'flat') {
        if (b.lots.length > 0 || !b.openQty.isZero()) problems.push(`${b.strategyId} ${b.symbol}: flat with lots`);
        continue;
      }
      const mark = this.markOf(b);
      const r = b.recomputeFromLots(mark);
      if (!r.qty.eq(b.openQty) || !r.cost.eq(b.openCost)) problems.push(`${b.strategyId} ${b.symbol}: open qty/cost ${decToString(b.openQty)}/${decToString(b.openCost)} != lots ${decToString(r.qty)}/${decToString(r.cost)}`);
      if (!r.unrealized.eq(b.cachedUnrealized)) problems.push(`${b.strategyId} ${b.symbol}: unrealized ${decToString(b.cachedUnrealized)} != ${decToString(r.unrealized)}`);
      unrealized = unrealized.plus(r.unrealized);
      mv = mv.plus(b.signedQty().mul(mark));
    }
    const t = this.totals(ALL);
    if (!realized.eq(t.realized)) problems.push(`realized ${decToString(t.realized)} != ${decToString(realized)}`);
    if (!fees.eq(t.fees)) problems.push(`fees ${decToString(t.fees)} != ${decToString(fees)}`);
    if (!unrealized.eq(t.unrealized)) problems.push(`unrealized ${decToString(t.unrealized)} != ${decToString(unrealized)}`);
    const equity = this.initialCash.plus(realized).plus(unrealized).minus(fees);
    if (!equity.eq(this.cashBalance.plus(mv))) problems.push(`equity ${decToString(equity)} != cash + market value ${decToString(this.cashBalance.plus(mv))}`);
    return problems;
  }

  // ---------------------------------------------------------------- state

  /** JSON-safe state; `Portfolio.fromState(JSON.parse(JSON.stringify(p.toState())))` resumes exactly. */
  toState(): PortfolioState {
    this.needHistory('toState');
    this.settleCurve();
    return {
      version: PORTFOLIO_STATE_VERSION,
      config: {
        account: this.account,
        quoteCurrency: this.quoteCurrency,
        initialCash: decToString(this.initialCash),
        timeframe: this.timeframe,
        shortable: [...this.shortable].sort(),
      },
      cash: decToString(this.cashBalance),
      positions: this.sortedBooks().map((b) => b.toState()),
      marks: [...this.marks.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([instrument, m]) => ({ instrument, price: decToString(m.price), time: m.time })),
      fillIds: [...this.fillIds.ids()],
      duplicateFills: this.duplicates,
      roundTrips: this.trips.map((t) => ({ ...t })),
      ledger: this.ledger().map((l) => ({ ...l })),
      curve: { times: [...this.curveTimes], equity: [...this.curveEquity], exposed: [...this.curveExposed], lastOpen: this.lastOpen },
    };
  }

  /** Rebuilds a portfolio from {@link toState}'s output. Throws PortfolioError('BAD_STATE') on an unknown version. */
  static fromState(state: PortfolioState): Portfolio {
    if (state?.version !== PORTFOLIO_STATE_VERSION) bad('BAD_STATE', `unsupported portfolio state version ${String(state?.version)}`);
    const p = new Portfolio(state.config);
    p.cashBalance = parseDec('cash', state.cash, 'BAD_STATE');
    for (const m of state.marks) p.marks.set(m.instrument, { price: parseDec('mark', m.price, 'BAD_STATE'), time: m.time });
    for (const s of state.positions) {
      const b = PositionBook.fromState(s, p.barMs);
      p.addBook(p.bookKey(s.strategyId, instrumentKey(s)), b);
      p.realizedTotal = p.realizedTotal.plus(b.realized);
      p.feesTotal = p.feesTotal.plus(b.fees);
      if (b.direction !== 'flat') p.openBooks += 1;
    }
    for (const instrument of p.booksByInstrument.keys()) p.revalue(instrument);
    for (const id of state.fillIds) p.fillIds.set(id, true);
    p.duplicates = state.duplicateFills;
    p.trips.push(...state.roundTrips.map((t) => ({ ...t })));
    p.fillLedger.push(...state.ledger.map((l) => ({ ...l })));
    p.curveTimes.push(...state.curve.times);
    p.curveEquity.push(...state.curve.equity);
    p.curveExposed.push(...state.curve.exposed);
    p.lastOpen = state.curve.lastOpen;
    return p;
  }

  // ---------------------------------------------------------------- internals

  private needHistory(what: string): void {
    if (!this.history) bad('NO_HISTORY', `${what}: this portfolio keeps no history (PortfolioConfig.history false)`);
  }

  /** `instrumentKey` of (exchange, symbol), made once per instrument: hot paths look books and marks up by it. */
  private instKey(exchange: string, symbol: string): string {
    let bySymbol = this.instKeys.get(exchange);
    if (bySymbol === undefined) this.instKeys.set(exchange, (bySymbol = new Map()));
    let k = bySymbol.get(symbol);
    if (k === undefined) bySymbol.set(symbol, (k = instrumentKey({ exchange, symbol })));
    return k;
  }

  private bookKey(strategyId: string, instrument: string): string {
    return `${strategyId}\u0000${instrument}`;
  }

  /**
   * The books sorted by strategy, exchange, symbol: made once per new book (addBook drops it), as
   * a book's keys never change and books are never removed; risk reads the positions in this order
   * at every decision. Read only.
   */
  private sortedBooks(): readonly PositionBook[] {
    if (this.booksSorted !== undefined) return this.booksSorted;
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return (this.booksSorted = [...this.books.values()].sort((a, b) => cmp(a.strategyId, b.strategyId) || cmp(a.exchange, b.exchange) || cmp(a.symbol, b.symbol)));
  }

  private markOf(b: PositionBook): Dec {
    // Every traded instrument has a mark: its first fill set one.
    return this.marks.get(this.instKey(b.exchange, b.symbol))!.price;
  }

  private snapshotOf(b: PositionBook): PositionSnapshot {
    const mark = this.markOf(b);
    return {
      strategyId: b.strategyId,
      exchange: b.exchange,
      symbol: b.symbol,
      quantity: decToString(b.signedQty()),
      avgPrice: decToString(b.avgPrice()),
      mark: decToString(mark),
      unrealized: decToString(b.unrealized(mark)),
      realized: decToString(b.realized),
      fees: decToString(b.fees),
    };
  }

  private strategyCashFlow(strategyId: string): Dec {
    let c = ZERO;
    for (const b of this.books.values()) if (b.strategyId === strategyId) c = c.plus(b.cashFlow);
    return c;
  }

  private totals(strategyId: string): { readonly realized: Dec; readonly unrealized: Dec; readonly fees: Dec; readonly equity: Dec } {
    if (strategyId === ALL) {
      const { realizedTotal: realized, unrealizedTotal: unrealized, feesTotal: fees } = this;
      // Decs are immutable and the running totals are replaced on change: the same three values
      // give the same equity, computed once (risk, marks and fills all read it).
      const c = this.accountTotals;
      if (c !== undefined && c.realized === realized && c.unrealized === unrealized && c.fees === fees) return c;
      // initialCash + realized, remembered for the realized total it was made from (it changes only on closing fills)
      if (this.baseOf !== realized) {
        this.baseOf = realized;
        this.base = decAdd(this.initialCash, realized);
      }
      return (this.accountTotals = { realized, unrealized, fees, equity: decSub(decAdd(this.base, unrealized), fees) });
    }
    let realized = ZERO;
    let unrealized = ZERO;
    let fees = ZERO;
    for (const b of this.books.values()) {
      if (strategyId !== ALL && b.strategyId !== strategyId) continue;
      realized = realized.plus(b.realized);
      fees = fees.plus(b.fees);
      if (b.direction !== 'flat') unrealized = unrealized.plus(b.cachedUnrealized);
    }
    return { realized, unrealized, fees, equity: realized.plus(unrealized).minus(fees) };
  }

  private feeInQuote(fee: Dec, feeCurrency: string, base: string, price: Dec, exchange: string): Dec {
    if (feeCurrency === this.quoteCurrency) return fee;
    if (feeCurrency === base) return fee.mul(price);
    if (fee.isZero()) return ZERO;
    const m = this.marks.get(`${exchange}:${feeCurrency}/${this.quoteCurrency}`);
    if (!m) bad('FEE_CURRENCY', `fee in ${feeCurrency}: no fill price or mark of ${feeCurrency}/${this.quoteCurrency} on ${exchange} to convert it`);
    return fee.mul(m.price);
  }

  private hasOpenPosition(): boolean {
    return this.openBooks > 0;
  }

  private addBook(key: string, b: PositionBook): void {
    this.books.set(key, b);
    this.booksSorted = undefined;
    const ik = this.instKey(b.exchange, b.symbol);
    let byInstrument = this.bookIndex.get(b.strategyId);
    if (byInstrument === undefined) this.bookIndex.set(b.strategyId, (byInstrument = new Map()));
    byInstrument.set(ik, b);
    const list = this.booksByInstrument.get(ik);
    if (list) list.push(b);
    else this.booksByInstrument.set(ik, [b]);
  }

  /** Re-values the open positions of one instrument at its mark, keeping the account total exact. */
  private revalue(instrument: string): void {
    const list = this.booksByInstrument.get(instrument);
    if (!list) return;
    const mark = this.marks.get(instrument)!.price;
    for (const b of list) {
      const u = b.direction === 'flat' ? ZERO : b.unrealized(mark);
      if (decCmp(u, b.cachedUnrealized) !== 0) {
        this.unrealizedTotal = decSub(decAdd(this.unrealizedTotal, u), b.cachedUnrealized);
        b.cachedUnrealized = u;
      }
    }
  }

  /**
   * Updates the curve point of the bar containing `time` (keyed by the bar's close: a time exactly
   * on a bar boundary belongs to the bar closing then). A late event (earlier bar than the last
   * point) updates the last point: the curve never goes back in time.
   */
  private touchCurve(time: number, equity: Dec): void {
    const bucket = Math.ceil(time / this.barMs) * this.barMs;
    const open = this.hasOpenPosition();
    const n = this.curveTimes.length;
    if (n === 0 || bucket > this.curveTimes[n - 1]!) {
      this.settleCurve();
      this.curveTimes.push(bucket);
      this.curveEquity.push(NaN); // (set from curvePending when settled)
      this.curveExposed.push(this.lastOpen || open ? 1 : 0);
    } else if (open) this.curveExposed[n - 1] = 1;
    this.curvePending = equity;
    this.lastOpen = open;
  }

  /** Writes the last curve point's pending equity as its float (see curvePending). */
  private settleCurve(): void {
    const e = this.curvePending;
    if (e === undefined) return;
    this.curveEquity[this.curveEquity.length - 1] = decNumber(e);
    this.curvePending = undefined;
  }
}
