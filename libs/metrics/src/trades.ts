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
  const sums = exactSums(trades) ?? decSums(trades);
  const { wins, losses, profit, loss } = sums;
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

interface Sums {
  wins: number;
  losses: number;
  /** Sum of the positive net P&Ls (a Dec 0 without wins), of the negative ones (a Dec 0 without losses). */
  profit: Dec;
  loss: Dec;
}

/** The sums in decimal.js, one trade at a time (60 significant digits, rounding half up on overflow). */
function decSums(trades: readonly TradeResult[]): Sums {
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
  return { wins, losses, profit, loss };
}

const PLAIN_RE = /^(-?)(\d+)(?:\.(\d+))?$/;
const BIG_POW10: bigint[] = [1n];

function pow10(k: number): bigint {
  while (BIG_POW10.length <= k) BIG_POW10.push(BIG_POW10[BIG_POW10.length - 1]! * 10n);
  return BIG_POW10[k]!;
}

/**
 * `decSums` for decimal-string P&Ls, as BigInt sums of the values scaled to their longest fraction
 * (one BigInt per trade instead of a parsed Dec and a Dec sum): the same Decs whenever decimal.js
 * rounds nothing, i.e. when each of the two sums, which only grow in magnitude, ends with at most
 * 60 digits (each partial sum then has at most 60 significant digits too). Undefined otherwise
 * (a number P&L, a non-plain string, more digits): the caller sums in decimal.js.
 */
function exactSums(trades: readonly TradeResult[]): Sums | undefined {
  let wins = 0;
  let losses = 0;
  let profit = 0n;
  let loss = 0n; // sum of the negative P&Ls' magnitudes
  let scale = 0; // fraction digits of the sums
  for (let i = 0; i < trades.length; i++) {
    const v = trades[i]!.netPnl;
    if (typeof v !== 'string') return undefined;
    const m = PLAIN_RE.exec(v);
    if (m === null) return undefined;
    const frac = m[3] ?? '';
    const digits = m[2]! + frac;
    let nonZero = false;
    for (let k = 0; k < digits.length; k++) {
      if (digits.charCodeAt(k) !== 48) {
        nonZero = true;
        break;
      }
    }
    if (!nonZero) continue; // 0 and -0 are neither wins nor losses
    if (frac.length > scale) {
      const up = pow10(frac.length - scale);
      profit *= up;
      loss *= up;
      scale = frac.length;
    }
    const x = BigInt(digits) * pow10(scale - frac.length);
    if (m[1] === '-') {
      losses += 1;
      loss += x;
    } else {
      wins += 1;
      profit += x;
    }
  }
  const p = scaledDec(profit, scale, false);
  const l = scaledDec(loss, scale, true);
  if (p === undefined || l === undefined) return undefined;
  return { wins, losses, profit: p, loss: l };
}

/** The Dec of (negative ? -1 : 1) x a / 10^scale (0 as +0, as the Dec sums start); undefined beyond 60 digits. */
function scaledDec(a: bigint, scale: number, negative: boolean): Dec | undefined {
  if (a === 0n) return new Dec(0);
  let str = a.toString();
  if (str.length > 60) return undefined;
  if (scale > 0) {
    if (str.length <= scale) str = '0'.repeat(scale - str.length + 1) + str;
    str = `${str.slice(0, str.length - scale)}.${str.slice(str.length - scale)}`;
  }
  return new Dec(negative ? `-${str}` : str);
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
