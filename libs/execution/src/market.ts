import type { DecimalString } from '@atp/core';

/**
 * What the paper exchange needs to know about one market (a slice of the ccxt markets snapshot
 * every mode shares). Precisions are decimal places (ccxt DECIMAL_PLACES mode).
 */
export interface MarketSpec {
  /** ccxt unified symbol, e.g. `BTC/USDT`. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Decimal places of prices; slipped and trailing prices are rounded to it. Undefined = no rounding. */
  readonly pricePlaces?: number;
  /** Decimal places of base quantities; partial (participation-capped) fills are rounded down to it. */
  readonly amountPlaces: number;
  /** Decimal places of the quote currency: fees are rounded to it, half away from zero. */
  readonly quotePlaces: number;
  /** Maker fee rate as a fraction (`"0.001"` = 0.1%): limit orders, take profits. */
  readonly makerFee?: DecimalString;
  /** Taker fee rate as a fraction: market orders and stops. */
  readonly takerFee?: DecimalString;
}

/** Binance spot defaults for the recorded symbols' quote precision (USDT: 8 places) and 0.1% fees. */
export function defaultMarket(symbol: string, over: Partial<MarketSpec> = {}): MarketSpec {
  const [base, quote] = symbol.split('/') as [string, string];
  if (!base || !quote) throw new Error(`defaultMarket: bad symbol ${JSON.stringify(symbol)}: expected BASE/QUOTE`);
  return { symbol, base, quote, amountPlaces: 8, quotePlaces: 8, makerFee: '0.001', takerFee: '0.001', ...over };
}
