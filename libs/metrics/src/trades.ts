import { Dec, toDecimal, type DecimalString } from '@atp/core';

/** A closed flat-to-flat trade, as far as trade statistics need it (a portfolio `RoundTrip` fits). */
export interface TradeResult {
  /** P&L net of fees, quote currency (decimal string, or a float converted through `toDecimal`). */
  readonly netPnl: DecimalString | number;
}

/** Statistics of closed trades, all on P&L net of fees. */
export interface TradeStats {
  readonly trades: number;
  /** Trades with net P&L > 0. */
  readonly wins: number;
  /** Trades with net P&L < 0. Break-even trades (exactly 0) are neither wins nor losses. */
  readonly losses: number;
  /** wins / trades (break-evens count in the denominator); NaN without trades. */
  readonly winRate: number;
  /** Sum of the winning trades' net P&L (>= 0). */
  readonly grossProfit: number;
  /** Sum of the losing trades' net P&L (<= 0). */
  readonly grossLoss: number;
  /** grossProfit / |grossLoss|; +Infinity with wins and no loss; NaN with neither. */
  readonly profitFactor: number;
  /** grossProfit / wins; NaN without wins. */
  readonly avgWin: number;
  /** grossLoss / losses (a negative number); NaN without losses. */
  readonly avgLoss: number;
  /** Sum of net P&L / trades; NaN without trades. */
  readonly avgTrade: number;
}

/**
 * Win rate, profit factor and average win / loss of closed trades. Sums are exact (decimal) and
 * converted to float64 at the end.
 */
export function tradeStats(trades: readonly TradeResult[]): TradeStats {
  let wins = 0;
  let losses = 0;
  let profit = new Dec(0);
  let loss = new Dec(0);
  for (const t of trades) {
    const pnl = toDecimal(t.netPnl);
    if (pnl.gt(0)) {
      wins += 1;
      profit = profit.plus(pnl);
    } else if (pnl.lt(0)) {
      losses += 1;
      loss = loss.plus(pnl);
    }
  }
  const n = trades.length;
  const gp = profit.toNumber();
  const gl = loss.toNumber();
  return {
    trades: n,
    wins,
    losses,
    winRate: n > 0 ? wins / n : NaN,
    grossProfit: gp,
    grossLoss: gl,
    profitFactor: losses > 0 ? profit.div(loss.abs()).toNumber() : wins > 0 ? Infinity : NaN,
    avgWin: wins > 0 ? profit.div(wins).toNumber() : NaN,
    avgLoss: losses > 0 ? loss.div(losses).toNumber() : NaN,
    avgTrade: n > 0 ? profit.plus(loss).div(n).toNumber() : NaN,
  };
}

/** Fraction of bars with a position (flags: 1 / true = exposed). NaN for no bars. */
export function exposure(exposed: ArrayLike<number | boolean>): number {
  if (exposed.length === 0) return NaN;
  let k = 0;
  for (let i = 0; i < exposed.length; i++) if (exposed[i]) k += 1;
  return k / exposed.length;
}

/**
 * Turnover: traded notional (sum of |price x quantity| of every fill) over the mean equity of the
 * curve — how many times the average capital was traded over the whole period (not annualised).
 * NaN for an empty curve.
 */
export function turnover(tradedNotional: DecimalString | number, equity: ArrayLike<number>): number {
  if (equity.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < equity.length; i++) s += equity[i]!;
  return toDecimal(tradedNotional).toNumber() / (s / equity.length);
}
