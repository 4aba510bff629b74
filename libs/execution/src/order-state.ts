/**
 * The order state machine (ARCHITECTURE.md, execution). One order moves through
 *
 *   new ──> acknowledged ──> partially-filled ──> filled
 *    │          │   │              │  │
 *    │          │   └──> cancel-requested ──> cancelled
 *    │          └──────────────────┴──> expired
 *    └──> rejected
 *
 * `filled`, `cancelled`, `rejected` and `expired` are terminal. A fill may still arrive while a
 * cancel is in flight (`cancel-requested` -> `partially-filled` / `filled`): venues race.
 */
export const ORDER_STATUSES = ['new', 'acknowledged', 'partially-filled', 'filled', 'cancel-requested', 'cancelled', 'rejected', 'expired'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  new: ['acknowledged', 'rejected', 'cancelled', 'expired'],
  acknowledged: ['partially-filled', 'filled', 'cancel-requested', 'cancelled', 'expired'],
  'partially-filled': ['partially-filled', 'filled', 'cancel-requested', 'cancelled', 'expired'],
  'cancel-requested': ['partially-filled', 'filled', 'cancelled', 'expired'],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/** True for the four end states: no transition leaves them. */
export function isTerminal(s: OrderStatus): boolean {
  return NEXT[s].length === 0;
}

/** True while the order can still fill (acknowledged, partially filled or cancel requested). */
export function isWorking(s: OrderStatus): boolean {
  return s === 'acknowledged' || s === 'partially-filled' || s === 'cancel-requested';
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** Error of an illegal transition: names the order, both states and the legal targets. */
export class IllegalOrderTransition extends Error {
  constructor(
    readonly clientOrderId: string,
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    const legal = NEXT[from];
    super(
      `order ${clientOrderId}: illegal transition ${from} -> ${to}` +
        (legal.length ? ` (from ${from} only ${legal.join(', ')})` : ` (${from} is terminal)`),
    );
    this.name = 'IllegalOrderTransition';
  }
}

/** Returns `to` when the transition is legal; throws {@link IllegalOrderTransition} otherwise. */
export function transition(clientOrderId: string, from: OrderStatus, to: OrderStatus): OrderStatus {
  if (!canTransition(from, to)) throw new IllegalOrderTransition(clientOrderId, from, to);
  return to;
}
