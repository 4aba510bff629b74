import { Dec, decDiv, decToString, toDecimal } from '@atp/core';
import { decOf, decString } from './dec-memo';
import type { SizingRule } from './limits';

/** A raw (unrounded, uncapped) size with its explanation, or why there is none. */
export type SizingResult =
  | { readonly ok: true; readonly qty: Dec; readonly explain: Record<string, string | number | null> }
  | { readonly ok: false; readonly code: 'STOP_REQUIRED' | 'NO_ATR' | 'NO_EDGE' | 'INVALID_INTENT'; readonly reason: string };

/** What the sizers need: account equity, the entry price and, for some rules, the stop and ATR. */
export interface SizingContext {
  readonly equity: Dec;
  readonly entryPrice: Dec;
  readonly stopLoss?: Dec;
  readonly atr?: number | null;
}

const HUNDRED = new Dec(100);

/** Fixed fractional: risk `riskPct`% of equity to the stop. qty = equity x riskPct/100 / |entry - stop|. */
export function fixedFractionalQty(equity: Dec, riskPct: Dec, entry: Dec, stop: Dec): Dec {
  return equity.mul(riskPct).div(HUNDRED).div(entry.minus(stop).abs());
}

/** Volatility (ATR) targeted: qty = equity x riskPct/100 / (atrMultiple x ATR). */
export function atrQty(equity: Dec, riskPct: Dec, atrMultiple: Dec, atr: Dec): Dec {
  return equity.mul(riskPct).div(HUNDRED).div(atrMultiple.mul(atr));
}

/** Kelly fraction f = W - (1 - W) / R for win probability W and payoff ratio R (avg win / avg loss). */
export function kellyFraction(winRate: Dec, payoffRatio: Dec): Dec {
  return winRate.minus(new Dec(1).minus(winRate).div(payoffRatio));
}

/** Fixed notional: qty = notional / price. */
export function fixedNotionalQty(notional: Dec, price: Dec): Dec {
  return decDiv(notional, price);
}

/** Applies a sizing rule. Percentages are percent. */
export function sizePosition(rule: SizingRule, ctx: SizingContext): SizingResult {
  const { equity, entryPrice } = ctx;
  switch (rule.method) {
    case 'fixed-fractional': {
      if (!ctx.stopLoss) return { ok: false, code: 'STOP_REQUIRED', reason: 'fixed-fractional sizing needs a stop loss: the risk is measured to the stop' };
      const pct = toDecimal(rule.riskPct);
      const perUnit = entryPrice.minus(ctx.stopLoss).abs();
      if (perUnit.isZero()) return { ok: false, code: 'INVALID_INTENT', reason: `stop loss ${decToString(ctx.stopLoss)} equals the entry price` };
      const riskAmount = equity.mul(pct).div(HUNDRED);
      return {
        ok: true,
        qty: fixedFractionalQty(equity, pct, entryPrice, ctx.stopLoss),
        explain: { method: 'fixed-fractional', riskPct: decToString(pct), riskAmount: decToString(riskAmount), perUnitRisk: decToString(perUnit) },
      };
    }
    case 'atr': {
      if (ctx.atr === undefined || ctx.atr === null || !Number.isFinite(ctx.atr) || ctx.atr <= 0) {
        return { ok: false, code: 'NO_ATR', reason: `ATR sizing needs a positive ATR, got ${String(ctx.atr)}` };
      }
      const pct = toDecimal(rule.riskPct);
      const k = toDecimal(rule.atrMultiple);
      const atr = toDecimal(ctx.atr);
      return {
        ok: true,
        qty: atrQty(equity, pct, k, atr),
        explain: { method: 'atr', riskPct: decToString(pct), riskAmount: decToString(equity.mul(pct).div(HUNDRED)), atr: decToString(atr), atrMultiple: decToString(k) },
      };
    }
    case 'kelly': {
      const w = toDecimal(rule.winRate);
      const r = toDecimal(rule.payoffRatio);
      const cap = toDecimal(rule.cap);
      const scale = toDecimal(rule.fraction ?? 1);
      if (w.lt(0) || w.gt(1) || r.lte(0)) return { ok: false, code: 'INVALID_INTENT', reason: `Kelly needs 0 <= winRate <= 1 and payoffRatio > 0, got ${decToString(w)}, ${decToString(r)}` };
      const f = kellyFraction(w, r);
      if (f.lte(0)) return { ok: false, code: 'NO_EDGE', reason: `Kelly fraction ${decToString(f)} = ${decToString(w)} - (1 - ${decToString(w)}) / ${decToString(r)} is not positive: no edge` };
      const scaled = f.mul(scale);
      const used = Dec.min(scaled, cap);
      return {
        ok: true,
        qty: used.mul(equity).div(entryPrice),
        explain: { method: 'kelly', kellyFraction: decToString(f), kellyScale: decToString(scale), kellyCap: decToString(cap), fractionUsed: decToString(used) },
      };
    }
    case 'fixed-notional': {
      const n = decOf(rule.notional);
      return { ok: true, qty: fixedNotionalQty(n, entryPrice), explain: { method: 'fixed-notional', notional: decString(n) } };
    }
  }
}
