import { Dec, decToString, toDecimal, type DecimalString } from '@atp/core';

/**
 * One market's trading rules, from the markets snapshot every mode shares (ccxt-like). Amount and
 * price precision are steps (ccxt TICK_SIZE mode: "0.00001" = 5 places); a DECIMAL_PLACES market
 * converts with {@link stepFromPlaces}. Fees are fractions ("0.001" = 0.1%).
 */
export interface MarketInfo {
  readonly exchange: string;
  /** ccxt unified symbol, e.g. 'BTC/USDT'. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  /** Quantity step (base): approved quantities are multiples of it, rounded down. */
  readonly amountStep: DecimalString;
  /** Price tick (quote): limit and protective prices are multiples of it. */
  readonly priceTick: DecimalString;
  readonly minAmount?: DecimalString;
  readonly maxAmount?: DecimalString;
  /** Minimum notional (price x quantity), quote currency. */
  readonly minCost?: DecimalString;
  readonly makerFee: DecimalString;
  readonly takerFee: DecimalString;
  /** Short selling allowed (margin). Spot markets are long-only: default false. */
  readonly shortable?: boolean;
}

/** Step of `places` decimal places: 2 -> "0.01", 0 -> "1". Throws RangeError on a bad count. */
export function stepFromPlaces(places: number): DecimalString {
  if (!Number.isInteger(places) || places < 0 || places > 30) throw new RangeError(`stepFromPlaces: bad places ${places}`);
  return places === 0 ? '1' : `0.${'0'.repeat(places - 1)}1`;
}

/** The subset of a ccxt market object this lib reads. */
export interface CcxtMarketLike {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly precision: { readonly amount?: number | null; readonly price?: number | null };
  readonly limits?: {
    readonly amount?: { readonly min?: number | null; readonly max?: number | null };
    readonly cost?: { readonly min?: number | null };
  };
  readonly maker?: number | null;
  readonly taker?: number | null;
}

/**
 * Builds a {@link MarketInfo} from a ccxt market. `precisionMode` is the exchange's
 * (`exchange.precisionMode`): 'tick-size' (binance in ccxt 4: precision.amount = 0.00001) or
 * 'decimal-places' (precision.amount = 5). Throws RangeError when a precision is missing.
 */
export function marketInfoFromCcxt(exchange: string, m: CcxtMarketLike, precisionMode: 'tick-size' | 'decimal-places', opts: { shortable?: boolean; defaultFee?: DecimalString } = {}): MarketInfo {
  const step = (x: number | null | undefined, what: string): DecimalString => {
    if (x === null || x === undefined) throw new RangeError(`${exchange}:${m.symbol}: no ${what} precision`);
    return precisionMode === 'tick-size' ? decToString(toDecimal(x)) : stepFromPlaces(x);
  };
  const opt = (x: number | null | undefined): DecimalString | undefined => (x === null || x === undefined ? undefined : decToString(toDecimal(x)));
  const fee = opts.defaultFee ?? '0.001';
  return {
    exchange,
    symbol: m.symbol,
    base: m.base,
    quote: m.quote,
    amountStep: step(m.precision.amount, 'amount'),
    priceTick: step(m.precision.price, 'price'),
    minAmount: opt(m.limits?.amount?.min),
    maxAmount: opt(m.limits?.amount?.max),
    minCost: opt(m.limits?.cost?.min),
    makerFee: opt(m.maker) ?? fee,
    takerFee: opt(m.taker) ?? fee,
    shortable: opts.shortable ?? false,
  };
}

/** Parsed numbers of a market, for internal use. */
export interface MarketNumbers {
  readonly amountStep: Dec;
  readonly priceTick: Dec;
  readonly minAmount?: Dec;
  readonly maxAmount?: Dec;
  readonly minCost?: Dec;
  readonly makerFee: Dec;
  readonly takerFee: Dec;
  /** 1 + makerFee and 1 + takerFee: a buy's cost per unit of notional. */
  readonly makerCostFactor: Dec;
  readonly takerCostFactor: Dec;
  /** `decToString(amountStep)`: the step as approvals explain it. */
  readonly amountStepText: DecimalString;
}

const numbersCache = new WeakMap<MarketInfo, MarketNumbers>();

/**
 * The parsed numbers of `m`, cached per MarketInfo object (market infos are treated as immutable
 * once built; the Dec values are immutable too), so a hot decision loop parses them once.
 */
export function marketNumbers(m: MarketInfo): MarketNumbers {
  let n = numbersCache.get(m);
  if (n === undefined) {
    n = parseMarketNumbers(m);
    numbersCache.set(m, n);
  }
  return n;
}

function parseMarketNumbers(m: MarketInfo): MarketNumbers {
  const amountStep = toDecimal(m.amountStep);
  const makerFee = toDecimal(m.makerFee);
  const takerFee = toDecimal(m.takerFee);
  return {
    amountStep,
    priceTick: toDecimal(m.priceTick),
    minAmount: m.minAmount !== undefined ? toDecimal(m.minAmount) : undefined,
    maxAmount: m.maxAmount !== undefined ? toDecimal(m.maxAmount) : undefined,
    minCost: m.minCost !== undefined ? toDecimal(m.minCost) : undefined,
    makerFee,
    takerFee,
    makerCostFactor: ONE.plus(makerFee),
    takerCostFactor: ONE.plus(takerFee),
    amountStepText: decToString(amountStep),
  };
}

const ONE = new Dec(1);

/** A market described in decimal places (ccxt DECIMAL_PLACES mode), e.g. the paper exchange's MarketSpec. */
export interface PlacesMarketLike {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly amountPlaces: number;
  /** Undefined: prices tick at the quote currency's places. */
  readonly pricePlaces?: number;
  readonly quotePlaces: number;
  readonly makerFee?: DecimalString;
  readonly takerFee?: DecimalString;
}

/**
 * Builds a {@link MarketInfo} from a decimal-places description (structurally the execution lib's
 * `MarketSpec`), plus the limits it does not carry. Fees default to 0.1%.
 */
export function marketInfoFromPlaces(
  exchange: string,
  m: PlacesMarketLike,
  extra: { minAmount?: DecimalString; maxAmount?: DecimalString; minCost?: DecimalString; shortable?: boolean } = {},
): MarketInfo {
  return {
    exchange,
    symbol: m.symbol,
    base: m.base,
    quote: m.quote,
    amountStep: stepFromPlaces(m.amountPlaces),
    priceTick: stepFromPlaces(m.pricePlaces ?? m.quotePlaces),
    ...(extra.minAmount !== undefined ? { minAmount: extra.minAmount } : {}),
    ...(extra.maxAmount !== undefined ? { maxAmount: extra.maxAmount } : {}),
    ...(extra.minCost !== undefined ? { minCost: extra.minCost } : {}),
    makerFee: m.makerFee ?? '0.001',
    takerFee: m.takerFee ?? '0.001',
    shortable: extra.shortable ?? false,
  };
}
