import type { Balances, Order, Trade } from 'ccxt';
import { Dec, decToString, toDecimal, type DecimalString, type Side } from '@atp/core';
import type { BalanceEntry, OrderStatus } from '@atp/execution';
import type { VenueOrder, VenueTrade } from './reconcile';

/**
 * ccxt structures -> exact venue views. ccxt's unified fields are JS numbers; where the venue's raw
 * answer (`info`) carries the decimal strings (Binance: origQty, executedQty, cummulativeQuoteQty,
 * qty, commission, free/locked) those are used, so no amount passes through a float. Other venues
 * fall back to the unified numbers (shortest round-trip form).
 */

type Raw = Record<string, unknown>;

const rawOf = (x: { info?: unknown }): Raw => (x.info && typeof x.info === 'object' ? (x.info as Raw) : {});

/** A decimal string from a raw string field or a ccxt number; undefined when neither is usable. */
export function exact(raw: unknown, unified: number | string | undefined): DecimalString | undefined {
  if (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw)) return decToString(new Dec(raw));
  if (typeof raw === 'number' && Number.isFinite(raw)) return decToString(toDecimal(raw));
  if (unified === undefined || unified === null) return undefined;
  if (typeof unified === 'string') return /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(unified) ? decToString(new Dec(unified)) : undefined;
  return Number.isFinite(unified) ? decToString(toDecimal(unified)) : undefined;
}

const BINANCE_STATUS: Record<string, OrderStatus> = {
  NEW: 'acknowledged',
  PARTIALLY_FILLED: 'partially-filled',
  FILLED: 'filled',
  CANCELED: 'cancelled',
  PENDING_CANCEL: 'cancel-requested',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

/** The order state of a ccxt order: Binance's raw status when present, else ccxt's unified one. */
export function statusOf(o: Order): OrderStatus {
  const raw = rawOf(o).status;
  if (typeof raw === 'string' && BINANCE_STATUS[raw]) return BINANCE_STATUS[raw]!;
  const filled = o.filled ?? 0;
  switch (o.status) {
    case 'open':
      return filled > 0 ? 'partially-filled' : 'acknowledged';
    case 'closed':
      return 'filled';
    case 'canceled':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    default:
      return 'acknowledged';
  }
}

export function venueOrderOf(o: Order): VenueOrder {
  const r = rawOf(o);
  const filled = exact(r.executedQty, o.filled) ?? '0';
  const quote = exact(r.cummulativeQuoteQty, o.cost);
  const f = new Dec(filled);
  const avg = !f.isZero() && quote !== undefined ? decToString(new Dec(quote).div(f).toDecimalPlaces(12)) : o.average ? exact(undefined, o.average) : undefined;
  const limit = o.type === 'market' ? undefined : exact(r.price, o.price);
  const clientOrderId = o.clientOrderId ?? (typeof r.origClientOrderId === 'string' ? r.origClientOrderId : undefined);
  return {
    venueOrderId: String(o.id),
    ...(clientOrderId ? { clientOrderId } : {}),
    symbol: o.symbol ?? '',
    side: o.side as Side,
    status: statusOf(o),
    quantity: exact(r.origQty, o.amount) ?? '0',
    filledQuantity: filled,
    ...(avg !== undefined ? { avgFillPrice: avg } : {}),
    ...(limit !== undefined && limit !== '0' ? { limitPrice: limit } : {}),
    ...(o.lastUpdateTimestamp ?? o.timestamp ? { updatedAt: (o.lastUpdateTimestamp ?? o.timestamp)! } : {}),
  };
}

/**
 * A ccxt trade as a venue trade. `fallback` supplies what fills inside an order response lack
 * (Binance FULL `fills`: no time, no maker/taker; they are the order's immediate, taking fills).
 */
export function venueTradeOf(t: Trade, fallback: { venueOrderId?: string; side?: Side; timestamp?: number; liquidity?: 'maker' | 'taker' } = {}): VenueTrade {
  const r = rawOf(t);
  const qty = exact(r.qty, t.amount) ?? '0';
  const feeCost = exact(r.commission, t.fee?.cost) ?? '0';
  const feeCurrency = (typeof r.commissionAsset === 'string' ? r.commissionAsset : t.fee?.currency) ?? '';
  return {
    venueTradeId: String(t.id ?? r.tradeId),
    venueOrderId: String(t.order ?? fallback.venueOrderId ?? ''),
    symbol: t.symbol ?? '',
    side: (t.side ?? fallback.side) as Side,
    price: exact(r.price, t.price) ?? '0',
    quantity: qty,
    fee: feeCost,
    feeCurrency,
    liquidity: t.takerOrMaker === 'maker' || t.takerOrMaker === 'taker' ? t.takerOrMaker : fallback.liquidity ?? 'taker',
    timestamp: t.timestamp ?? fallback.timestamp ?? 0,
  };
}

/** ccxt balances -> free/used/total decimal strings per asset (Binance: raw free/locked strings). */
export function balancesOf(b: Balances): Record<string, BalanceEntry> {
  const out: Record<string, BalanceEntry> = {};
  const raw = (b.info as { balances?: { asset: string; free: string; locked: string }[] } | undefined)?.balances;
  if (Array.isArray(raw)) {
    for (const x of raw) {
      const free = new Dec(x.free);
      const used = new Dec(x.locked);
      out[x.asset] = { free: decToString(free), used: decToString(used), total: decToString(free.plus(used)) };
    }
    return out;
  }
  const skip = new Set(['info', 'free', 'used', 'total', 'timestamp', 'datetime', 'debt']);
  for (const [asset, v] of Object.entries(b)) {
    if (skip.has(asset) || !v || typeof v !== 'object') continue;
    const e = v as { free?: number; used?: number; total?: number };
    const free = exact(undefined, e.free) ?? '0';
    const used = exact(undefined, e.used) ?? '0';
    out[asset] = { free, used, total: exact(undefined, e.total) ?? decToString(new Dec(free).plus(used)) };
  }
  return out;
}

/** The venue's message of a ccxt error: `binance {"code":-2010,"msg":"..."}` -> `-2010 ...`. */
export function venueReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /\{.*\}\s*$/.exec(msg);
  if (m) {
    try {
      const j = JSON.parse(m[0]) as { code?: number; msg?: string };
      if (j.msg) return j.code !== undefined ? `${j.code} ${j.msg}` : j.msg;
    } catch {
      // not JSON: the message as is
    }
  }
  return msg.replace(/^\w+ /, '');
}
