import type { Side } from '@atp/core';

/**
 * The paper exchange's fill model (ARCHITECTURE.md, "Fills", "Brackets", "Slippage", "Fees").
 * Every mode that simulates fills (backtest, replay, paper) uses this one configuration.
 */
export interface FillModel {
  /** `next-open` (default): a market order decided at T fills at the open of T+1. `cheat-on-close`: at the close of T. */
  readonly marketFill: 'next-open' | 'cheat-on-close';
  /** When true a limit also fills when the bar only touches it (low == limit for a buy). Default false: strictly through. */
  readonly touchFills: boolean;
  /** Basis points against the trader on market and stop fills (not on limits). Default 0. */
  readonly slippageBps: number;
  /**
   * Volume participation cap, percent of a bar's base volume that may fill on that bar, shared by
   * all orders of the instrument in matching order; the rest carries to later bars. Undefined = no cap.
   */
  readonly participationPct?: number;
}

export const DEFAULT_FILL_MODEL: FillModel = Object.freeze({ marketFill: 'next-open', touchFills: false, slippageBps: 0 });

/** Validates and freezes a fill model; throws naming the bad key. */
export function fillModel(over: Partial<FillModel> = {}): FillModel {
  const m = { ...DEFAULT_FILL_MODEL, ...over };
  if (m.marketFill !== 'next-open' && m.marketFill !== 'cheat-on-close') throw new RangeError(`fillModel.marketFill: ${String(m.marketFill)}`);
  if (!Number.isFinite(m.slippageBps) || m.slippageBps < 0 || m.slippageBps >= 10_000) throw new RangeError(`fillModel.slippageBps must be in [0, 10000), got ${m.slippageBps}`);
  if (m.participationPct !== undefined && !(m.participationPct > 0 && m.participationPct <= 100)) {
    throw new RangeError(`fillModel.participationPct must be in (0, 100], got ${m.participationPct}`);
  }
  return Object.freeze(m);
}

/**
 * Limit order rule on one bar: a buy fills when the low goes strictly below the limit (or touches
 * it with `touch`), at the limit, or at the open when the bar opens below it; sells mirror.
 * Returns the fill price as 'limit' | 'open', or null when the bar does not fill it. Float compares:
 * the limit's float is the nearest double of its decimal string, bar prices are doubles already.
 */
export function limitFill(side: Side, limit: number, open: number, high: number, low: number, touch: boolean): 'limit' | 'open' | null {
  if (side === 'buy') {
    if (!(touch ? low <= limit : low < limit)) return null;
    return open < limit ? 'open' : 'limit';
  }
  if (!(touch ? high >= limit : high > limit)) return null;
  return open > limit ? 'open' : 'limit';
}

/**
 * Stop order rule on one bar: a buy stop triggers when the high reaches the stop, a sell stop when
 * the low reaches it (inclusive); it fills at the stop, or at the open when the bar gaps through.
 */
export function stopFill(side: Side, stop: number, open: number, high: number, low: number): 'stop' | 'open' | null {
  if (side === 'buy') {
    if (!(high >= stop)) return null;
    return open >= stop ? 'open' : 'stop';
  }
  if (!(low <= stop)) return null;
  return open <= stop ? 'open' : 'stop';
}
