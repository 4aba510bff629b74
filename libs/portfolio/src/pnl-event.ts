import { Dec, decToString, eventIdFrom } from '@atp/core';
import type { PnlEvent } from '@atp/contracts';
import type { Portfolio } from './portfolio';

export interface PnlEventOptions {
  readonly runId: string;
  /** A strategy id, or '*' (default) for the whole account. */
  readonly strategyId?: string;
  /** Event time of the snapshot (the fill or the bar close it follows). */
  readonly tsEvent: number;
  /** Local creation time: the only field that may differ between parity runs. */
  readonly tsInit: number;
  readonly source?: string;
}

/**
 * A pnl.v1 event of the account ('*') or of one strategy. eventId derives from (run, account,
 * strategy, event time). For the account, positions are netted per instrument over strategies:
 * quantity is the net quantity, unrealized the sum, and avgPrice the break-even price
 * mark - unrealized / quantity (= total cost / total quantity when every strategy is on the same
 * side; "0" when the net quantity is 0).
 */
export function pnlEvent(p: Portfolio, o: PnlEventOptions): PnlEvent {
  const strategyId = o.strategyId ?? '*';
  const snap = p.pnl(strategyId);
  let positions: PnlEvent['positions'];
  if (strategyId !== '*') {
    positions = snap.positions.map((x) => ({ exchange: x.exchange, symbol: x.symbol, quantity: x.quantity, avgPrice: x.avgPrice, mark: x.mark, unrealized: x.unrealized }));
  } else {
    const byInstrument = new Map<string, { exchange: string; symbol: string; qty: Dec; u: Dec; mark: string }>();
    for (const x of snap.positions) {
      const k = `${x.exchange}:${x.symbol}`;
      const cur = byInstrument.get(k) ?? { exchange: x.exchange, symbol: x.symbol, qty: new Dec(0), u: new Dec(0), mark: x.mark };
      cur.qty = cur.qty.plus(x.quantity);
      cur.u = cur.u.plus(x.unrealized);
      byInstrument.set(k, cur);
    }
    positions = [...byInstrument.values()].map((x) => ({
      exchange: x.exchange,
      symbol: x.symbol,
      quantity: decToString(x.qty),
      avgPrice: x.qty.isZero() ? '0' : decToString(new Dec(x.mark).minus(x.u.div(x.qty))),
      mark: x.mark,
      unrealized: decToString(x.u),
    }));
  }
  return {
    eventId: eventIdFrom('pnl', o.runId, p.account, strategyId, o.tsEvent),
    tsEvent: o.tsEvent,
    tsInit: o.tsInit,
    source: o.source ?? 'pnl',
    runId: o.runId,
    account: p.account,
    strategyId,
    cash: snap.cash,
    realized: snap.realized,
    unrealized: snap.unrealized,
    fees: snap.fees,
    equity: snap.equity,
    positions,
  };
}
