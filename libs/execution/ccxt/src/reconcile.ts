import { Dec, decToString, type DecimalString, type Side } from '@atp/core';
import type { FillEvent } from '@atp/contracts';
import { isTerminal, type BalanceEntry, type OrderSnapshot, type OrderStatus } from '@atp/execution';

/** The venue's view of one order, exact decimal strings (see `venueOrderOf`). */
export interface VenueOrder {
  readonly venueOrderId: string;
  readonly clientOrderId?: string;
  readonly symbol: string;
  readonly side: Side;
  readonly status: OrderStatus;
  readonly quantity: DecimalString;
  readonly filledQuantity: DecimalString;
  readonly avgFillPrice?: DecimalString;
  readonly limitPrice?: DecimalString;
  /** Venue time of the last change (Unix ms), when the venue says. */
  readonly updatedAt?: number;
}

/** The venue's view of one execution. */
export interface VenueTrade {
  readonly venueTradeId: string;
  readonly venueOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: DecimalString;
  readonly quantity: DecimalString;
  readonly fee: DecimalString;
  readonly feeCurrency: string;
  readonly liquidity: 'maker' | 'taker';
  readonly timestamp: number;
}

export type DriftKind =
  /** An order works at the venue that the local state does not know (placed elsewhere, or lost locally). */
  | 'unknown-venue-order'
  /** A local order that can still fill is not working at the venue (venue: terminal or unknown). */
  | 'missing-at-venue'
  /** The venue executed more of an order than the local state has fills for. */
  | 'fill-missing-locally'
  /** A venue trade of an order that neither the local state nor the venue's open orders explain. */
  | 'unknown-venue-trade'
  /** An asset's total differs between local and venue balances. */
  | 'balance-difference';

export interface Drift {
  readonly kind: DriftKind;
  readonly symbol?: string;
  readonly clientOrderId?: string;
  readonly asset?: string;
  readonly message: string;
  /** Flat values (fit for `risk.alerts.v1` details). */
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface LocalState {
  readonly orders: readonly OrderSnapshot[];
  /** Totals per asset (a decimal string or a balance entry); omitted: balances are not compared. */
  readonly balances?: Readonly<Record<string, DecimalString | BalanceEntry>>;
}

export interface VenueState {
  /** Every order working at the venue. */
  readonly openOrders: readonly VenueOrder[];
  /**
   * The venue's answer for local orders looked up by client order id: the order, or null when the
   * venue does not know the id. Local orders absent here and from `openOrders` are not judged.
   */
  readonly lookedUp: Readonly<Record<string, VenueOrder | null>>;
  /** Recent venue trades (the window the caller fetched). */
  readonly trades: readonly VenueTrade[];
  readonly balances?: Readonly<Record<string, BalanceEntry>>;
}

const ZERO = new Dec(0);
const total = (b: DecimalString | BalanceEntry | undefined): Dec => (b === undefined ? ZERO : new Dec(typeof b === 'string' ? b : b.total));

/**
 * Compares local order and balance state with the venue's and lists every difference, in a fixed
 * order (orders by client order id, then trades, then assets alphabetically). Pure: no I/O, no clock.
 * An empty list means in sync. Quantities compare numerically (`"0.10"` equals `"0.1"`).
 */
export function reconcileStates(local: LocalState, venue: VenueState): Drift[] {
  const drifts: Drift[] = [];
  const localById = new Map(local.orders.map((o) => [o.clientOrderId, o]));
  const openById = new Map<string, VenueOrder>();
  for (const v of venue.openOrders) if (v.clientOrderId !== undefined) openById.set(v.clientOrderId, v);

  // Venue orders the local state does not know.
  for (const v of [...venue.openOrders].sort(byId)) {
    if (v.clientOrderId !== undefined && localById.has(v.clientOrderId)) continue;
    drifts.push({
      kind: 'unknown-venue-order',
      symbol: v.symbol,
      ...(v.clientOrderId !== undefined ? { clientOrderId: v.clientOrderId } : {}),
      message: `venue order ${v.venueOrderId} (${v.clientOrderId ?? 'no client id'}) ${v.side} ${v.quantity} ${v.symbol} is working at the venue but unknown locally`,
      details: { venueOrderId: v.venueOrderId, side: v.side, quantity: v.quantity, filledQuantity: v.filledQuantity, limitPrice: v.limitPrice ?? null, venueStatus: v.status },
    });
  }

  // Local orders against the venue's view of them.
  for (const o of [...local.orders].sort((a, b) => cmp(a.clientOrderId, b.clientOrderId))) {
    const v = openById.get(o.clientOrderId) ?? venue.lookedUp[o.clientOrderId];
    if (v === undefined) continue;
    const localWorking = !isTerminal(o.status) && o.status !== 'new';
    if (localWorking && (v === null || isTerminal(v.status))) {
      drifts.push({
        kind: 'missing-at-venue',
        symbol: o.symbol,
        clientOrderId: o.clientOrderId,
        message:
          v === null
            ? `local order ${o.clientOrderId} (${o.status}) is unknown at the venue`
            : `local order ${o.clientOrderId} is ${o.status} locally but ${v.status} at the venue`,
        details: { localStatus: o.status, venueStatus: v?.status ?? null, venueOrderId: v?.venueOrderId ?? null },
      });
    }
    if (v !== null) {
      const lf = new Dec(o.filledQuantity);
      const vf = new Dec(v.filledQuantity);
      if (vf.gt(lf)) {
        drifts.push({
          kind: 'fill-missing-locally',
          symbol: o.symbol,
          clientOrderId: o.clientOrderId,
          message: `order ${o.clientOrderId}: venue executed ${decToString(vf)}, local fills ${decToString(lf)} (missing ${decToString(vf.minus(lf))})`,
          details: { venueOrderId: v.venueOrderId, localFilled: decToString(lf), venueFilled: decToString(vf), missing: decToString(vf.minus(lf)), venueStatus: v.status },
        });
      }
    }
  }

  // Trades of orders nobody explains.
  const explained = new Set<string>();
  for (const v of venue.openOrders) explained.add(v.venueOrderId);
  for (const [coid, v] of Object.entries(venue.lookedUp)) if (v && localById.has(coid)) explained.add(v.venueOrderId);
  for (const t of [...venue.trades].sort((a, b) => a.timestamp - b.timestamp || cmp(a.venueTradeId, b.venueTradeId))) {
    if (explained.has(t.venueOrderId)) continue;
    drifts.push({
      kind: 'unknown-venue-trade',
      symbol: t.symbol,
      message: `venue trade ${t.venueTradeId} (order ${t.venueOrderId}) ${t.side} ${t.quantity} ${t.symbol} @ ${t.price} belongs to no known order`,
      details: { venueTradeId: t.venueTradeId, venueOrderId: t.venueOrderId, side: t.side, price: t.price, quantity: t.quantity, timestamp: t.timestamp },
    });
  }

  // Balances.
  if (local.balances && venue.balances) {
    const assets = [...new Set([...Object.keys(local.balances), ...Object.keys(venue.balances)])].sort();
    for (const asset of assets) {
      const l = total(local.balances[asset]);
      const v = total(venue.balances[asset]);
      if (l.eq(v)) continue;
      drifts.push({
        kind: 'balance-difference',
        asset,
        message: `balance ${asset}: local ${decToString(l)}, venue ${decToString(v)} (venue - local = ${decToString(v.minus(l))})`,
        details: { asset, local: decToString(l), venue: decToString(v), difference: decToString(v.minus(l)) },
      });
    }
  }
  return drifts;
}

function byId(a: VenueOrder, b: VenueOrder): number {
  return cmp(a.clientOrderId ?? '', b.clientOrderId ?? '') || cmp(a.venueOrderId, b.venueOrderId);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Expected asset totals after `fills` on top of `start` (a venue balance snapshot): a buy adds the
 * base quantity and pays price x quantity in the quote, a sell the reverse; the fee is paid in its
 * currency. What the venue shows beyond this is not explained by the fills (deposits, withdrawals,
 * other clients of the account): a `balance-difference` drift.
 */
export function balancesAfterFills(start: Readonly<Record<string, DecimalString>>, fills: readonly FillEvent[]): Record<string, DecimalString> {
  const acc = new Map<string, Dec>(Object.entries(start).map(([k, v]) => [k, new Dec(v)]));
  const add = (asset: string, d: Dec) => acc.set(asset, (acc.get(asset) ?? ZERO).plus(d));
  for (const f of fills) {
    const [base, quote] = f.symbol.split('/') as [string, string];
    const qty = new Dec(f.quantity);
    const notional = qty.mul(f.price);
    add(base, f.side === 'buy' ? qty : qty.neg());
    add(quote, f.side === 'buy' ? notional.neg() : notional);
    add(f.feeCurrency, new Dec(f.fee).neg());
  }
  const out: Record<string, DecimalString> = {};
  for (const [k, v] of [...acc.entries()].sort(([a], [b]) => cmp(a, b))) out[k] = decToString(v);
  return out;
}
