import type { DecimalString, InstrumentId, Side, Timeframe } from '@atp/core';

/**
 * Configuration of one account's portfolio. All money is in `quoteCurrency` (the reporting
 * currency, USDT by default): every instrument traded must be quoted in it.
 */
export interface PortfolioConfig {
  /** Account name, e.g. 'paper' or 'binance-main'. */
  readonly account: string;
  /** Reporting / cash currency. Default 'USDT'. */
  readonly quoteCurrency?: string;
  /** Cash at the start, decimal string in the quote currency, e.g. "10000". */
  readonly initialCash: DecimalString;
  /**
   * Bar length: the per-bar equity curve has one point per bar (keyed by the bar's close, its event
   * time), and a round trip's `barsHeld` is its duration in bars.
   */
  readonly timeframe: Timeframe;
  /**
   * Instruments that may be sold short, as `exchange:symbol` keys. Everything else is spot
   * long-only: a sell larger than the position is refused (see {@link PortfolioError}).
   */
  readonly shortable?: readonly string[];
  /**
   * False for a projection that reads only positions, cash and P&L totals (risk's account): no fill
   * ledger, round trips or equity curve are kept (no per-fill entry, no round trip's sums and
   * strings, no curve point), and `ledger`, `roundTrips`, `equityCurve` and `toState` throw
   * PortfolioError('NO_HISTORY'); `applyFill` reports no closed round trips. Default true.
   */
  readonly history?: boolean;
}

/**
 * The fields of a fill the portfolio needs: structurally a subset of the `FillEvent` of
 * `fills.v1`, so a decoded event can be passed as it is. Money and quantities are decimal strings.
 */
export interface PortfolioFill extends InstrumentId {
  /** Idempotency key: a repeated fill id is ignored and reported. */
  readonly fillId: string;
  readonly strategyId: string;
  readonly side: Side;
  /** Fill price in the quote currency (incl. slippage), > 0. */
  readonly price: DecimalString;
  /** Base quantity, > 0. */
  readonly quantity: DecimalString;
  /** Fee in `feeCurrency`; may be negative (a maker rebate). */
  readonly fee: DecimalString;
  readonly feeCurrency: string;
  /** Fill (event) time, Unix ms. */
  readonly tsEvent: number;
}

/** What `applyFill` did. Invalid fills are not results: they throw {@link PortfolioError}. */
export type ApplyFillResult =
  | {
      readonly status: 'applied';
      readonly fillId: string;
      /** Realized P&L of this fill (gross of fees), quote currency. */
      readonly realized: DecimalString;
      /** The fee converted to the quote currency. */
      readonly feeQuote: DecimalString;
      /** Round trips this fill completed (0, or 1; a flip long->short completes one and opens one). */
      readonly closedRoundTrips: readonly RoundTrip[];
    }
  | { readonly status: 'duplicate'; readonly fillId: string };

/** Why a fill was refused. The portfolio is unchanged when this is thrown. */
export type PortfolioErrorCode = 'BAD_FILL' | 'SHORT_NOT_ALLOWED' | 'QUOTE_MISMATCH' | 'FEE_CURRENCY' | 'BAD_MARK' | 'BAD_STATE' | 'NO_HISTORY';

export class PortfolioError extends Error {
  constructor(
    readonly code: PortfolioErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'PortfolioError';
  }
}

/** One open position of one strategy in one instrument, exact values as decimal strings. */
export interface PositionSnapshot extends InstrumentId {
  readonly strategyId: string;
  /** Signed base quantity: > 0 long, < 0 short. */
  readonly quantity: DecimalString;
  /** Average entry price of the open FIFO lots (quantity-weighted). */
  readonly avgPrice: DecimalString;
  /** Last mark (or the last fill price when that is newer). */
  readonly mark: DecimalString;
  /** (mark - lot price) x lot quantity over the open lots, sign-adjusted for shorts. */
  readonly unrealized: DecimalString;
  /** Realized P&L of this (strategy, instrument) so far, gross of fees. */
  readonly realized: DecimalString;
  /** Fees of this (strategy, instrument) so far, quote currency. */
  readonly fees: DecimalString;
}

/**
 * P&L of the account (`strategyId` '*') or of one strategy. The identity
 * `equity = initialCash + realized + unrealized - fees` holds exactly, and equals `cash + market
 * value of the positions`. A strategy has no capital of its own: its `initialCash` is 0 and its
 * `cash` is the net cash flow of its fills (sales - purchases - fees).
 */
export interface PnlSnapshot {
  readonly strategyId: string;
  readonly initialCash: DecimalString;
  readonly cash: DecimalString;
  readonly realized: DecimalString;
  readonly unrealized: DecimalString;
  readonly fees: DecimalString;
  readonly equity: DecimalString;
  readonly positions: readonly PositionSnapshot[];
}

/**
 * A flat-to-flat trade of one strategy in one instrument. With scaling in or out, `quantity` is the
 * total quantity entered, `avgEntry`/`avgExit` are the quantity-weighted prices of the entering
 * and exiting fills, and `grossPnl` (the FIFO realized P&L of the trade) equals
 * (avgExit - avgEntry) x quantity for a long (the reverse for a short).
 */
export interface RoundTrip extends InstrumentId {
  readonly strategyId: string;
  readonly side: 'long' | 'short';
  readonly entryTime: number;
  readonly exitTime: number;
  readonly quantity: DecimalString;
  readonly avgEntry: DecimalString;
  readonly avgExit: DecimalString;
  readonly grossPnl: DecimalString;
  /** Fees of the entering and exiting fills; a flipping fill's fee is split pro rata by quantity. */
  readonly fees: DecimalString;
  /** grossPnl - fees. */
  readonly netPnl: DecimalString;
  /** (exitTime - entryTime) / bar length, rounded to the nearest whole bar. */
  readonly barsHeld: number;
  readonly fills: number;
}

/** The account's state right after one fill, exact: the audit trail of the P&L identity. */
export interface FillLedgerEntry {
  readonly fillId: string;
  readonly time: number;
  readonly strategyId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: DecimalString;
  readonly price: DecimalString;
  readonly feeQuote: DecimalString;
  readonly realizedDelta: DecimalString;
  readonly cash: DecimalString;
  readonly realized: DecimalString;
  readonly unrealized: DecimalString;
  readonly fees: DecimalString;
  readonly equity: DecimalString;
}

/**
 * The per-bar equity curve of the account, float64 for charts and metrics. Point i is the state
 * after every fill and mark with event time in the bar closing at `times[i]`.
 */
export interface EquityCurve {
  /** Bar close times (event times), Unix ms, ascending. */
  readonly times: Float64Array;
  /** Account equity at the end of the bar, quote currency (float64: never for accounting). */
  readonly equity: Float64Array;
  /** 1 when the account held a position at any moment of the bar, else 0. */
  readonly exposed: Uint8Array;
}
