import { toDecimal, type DecimalString } from '@atp/core';

/** A number in configuration: a decimal string ("0.5") or a JSON number (converted via `toDecimal`). */
export type ConfigNumber = DecimalString | number;

/**
 * How an entry is sized. Percentages are percent, not fractions ("1" = 1% of equity).
 * - `fixed-fractional`: risk `riskPct` of equity to the stop: qty = equity x riskPct/100 / |entry - stop|
 *   (the intent must carry a stop loss).
 * - `atr`: volatility-targeted: qty = equity x riskPct/100 / (atrMultiple x ATR) (needs an ATR).
 * - `kelly`: f = W - (1 - W) / R (W win probability, R payoff ratio avg win / avg loss), times
 *   `fraction` (e.g. 0.5 for half Kelly), capped at `cap`; qty = f x equity / entry price. No edge
 *   (f <= 0) is a rejection.
 * - `fixed-notional`: qty = notional / entry price.
 * Every result is then capped by cash and the position / exposure limits and rounded down.
 */
export type SizingRule =
  | { readonly method: 'fixed-fractional'; readonly riskPct: ConfigNumber }
  | { readonly method: 'atr'; readonly riskPct: ConfigNumber; readonly atrMultiple: ConfigNumber }
  | { readonly method: 'kelly'; readonly winRate: ConfigNumber; readonly payoffRatio: ConfigNumber; readonly cap: ConfigNumber; readonly fraction?: ConfigNumber }
  | { readonly method: 'fixed-notional'; readonly notional: ConfigNumber };

/**
 * Risk limits of one account. Every limit is optional (absent = not checked), except the sizing
 * rule. Quantities are base units, notionals quote units, percentages percent.
 */
export interface RiskLimits {
  readonly sizing: SizingRule;
  /** Per-strategy sizing rules, overriding `sizing`. */
  readonly sizingByStrategy?: Readonly<Record<string, SizingRule>>;
  /** Max |position| per symbol across strategies, base units (incl. open entry orders). */
  readonly maxPositionQty?: ConfigNumber;
  /** Max |position| x price per symbol across strategies, quote units (incl. open entry orders). */
  readonly maxPositionNotional?: ConfigNumber;
  /** Max sum of |position| x mark over all symbols and strategies, plus open entry orders, quote units. */
  readonly maxGrossExposure?: ConfigNumber;
  /** Max gross exposure as a multiple of equity ("1" = no leverage). */
  readonly maxGrossLeverage?: ConfigNumber;
  /** At most `count` approved orders per rolling window of `windowMs` of event time (blocks entries). */
  readonly maxOrderRate?: { readonly count: number; readonly windowMs: number };
  /** A limit price must lie within this percentage of the last close. */
  readonly priceCollarPct?: ConfigNumber;
  /** Entries are refused when the last closed bar is older than this many bars at decision time. */
  readonly staleAfterBars?: number;
  /** Trip the kill switch when equity falls this percentage below the UTC day's starting equity. */
  readonly dailyLossLimitPct?: ConfigNumber;
  /** Trip the kill switch when equity falls this percentage below its peak. */
  readonly maxDrawdownPct?: ConfigNumber;
  /** Refuse entries without a stop loss. */
  readonly requireStopLoss?: boolean;
  /** Limit entries expire after this many bars (sets `expireAt`). */
  readonly limitOrderTtlBars?: number;
}

/** Limits that `set-limit` commands may change, and how each value is parsed. */
const SETTABLE: Record<string, 'decimal' | 'integer' | 'boolean'> = {
  maxPositionQty: 'decimal',
  maxPositionNotional: 'decimal',
  maxGrossExposure: 'decimal',
  maxGrossLeverage: 'decimal',
  priceCollarPct: 'decimal',
  dailyLossLimitPct: 'decimal',
  maxDrawdownPct: 'decimal',
  staleAfterBars: 'integer',
  limitOrderTtlBars: 'integer',
  requireStopLoss: 'boolean',
  'maxOrderRate.count': 'integer',
  'maxOrderRate.windowMs': 'integer',
};

/**
 * A copy of `limits` with one limit changed (the `set-limit` command of risk.commands.v1). The
 * value "none" removes an optional limit. Throws RangeError naming the key on an unknown limit
 * or a bad value.
 */
export function withLimit(limits: RiskLimits, name: string, value: string): RiskLimits {
  const kind = SETTABLE[name];
  if (!kind) throw new RangeError(`unknown or unsettable limit ${JSON.stringify(name)}; settable: ${Object.keys(SETTABLE).join(', ')}`);
  const out: Record<string, unknown> = { ...limits };
  if (name.startsWith('maxOrderRate.')) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name}: expected a positive integer, got ${JSON.stringify(value)}`);
    const cur = limits.maxOrderRate ?? { count: Number.MAX_SAFE_INTEGER, windowMs: 1 };
    out.maxOrderRate = name.endsWith('.count') ? { ...cur, count: n } : { ...cur, windowMs: n };
    return out as unknown as RiskLimits;
  }
  if (value === 'none') {
    delete out[name];
    return out as unknown as RiskLimits;
  }
  if (kind === 'decimal') {
    let d;
    try {
      d = toDecimal(value);
    } catch {
      throw new RangeError(`${name}: expected a decimal string, got ${JSON.stringify(value)}`);
    }
    if (d.lt(0)) throw new RangeError(`${name}: must be >= 0, got ${value}`);
    out[name] = value;
  } else if (kind === 'integer') {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name}: expected a positive integer, got ${JSON.stringify(value)}`);
    out[name] = n;
  } else {
    if (value !== 'true' && value !== 'false') throw new RangeError(`${name}: expected true or false, got ${JSON.stringify(value)}`);
    out[name] = value === 'true';
  }
  return out as unknown as RiskLimits;
}
