/** Candle timeframes, in ccxt's notation. */
export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export function isTimeframe(x: unknown): x is Timeframe {
  return typeof x === 'string' && (TIMEFRAMES as readonly string[]).includes(x);
}

/** Length of one bar in milliseconds. Throws on an unknown timeframe. */
export function timeframeMs(tf: Timeframe | string): number {
  const m = /^(\d+)([mhd])$/.exec(tf);
  if (!m) throw new RangeError(`unknown timeframe ${JSON.stringify(tf)}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** Start of the bar of `tf` that contains `ms` (bars are aligned to the Unix epoch, UTC). */
export function floorToTimeframe(ms: number, tf: Timeframe | string): number {
  const len = timeframeMs(tf);
  return Math.floor(ms / len) * len;
}

/** Event time of a closed bar: its open time + its timeframe (its close). */
export function barCloseTime(openTimeMs: number, tf: Timeframe | string): number {
  return openTimeMs + timeframeMs(tf);
}

/** Bars per year for annualisation (8760 for 1h, 105120 for 5m, 365 for 1d). */
export function barsPerYear(tf: Timeframe | string): number {
  return (365 * 86_400_000) / timeframeMs(tf);
}

/** Start of the UTC day that contains `ms`. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / 86_400_000) * 86_400_000;
}
