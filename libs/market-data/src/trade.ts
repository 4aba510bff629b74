import { eventIdFrom, type Side } from '@atp/core';
import type { TradeEvent } from '@atp/contracts';

/** One public trade. `price` in quote currency, `amount` in base currency (float64). */
export interface Trade {
  readonly exchange: string;
  /** ccxt unified symbol where known (`BTC/USDT`), else the venue id as recorded (`BTCUSDT`). */
  readonly symbol: string;
  /** Venue trade id; where a venue gives none, a deterministic synthetic id (see importers). */
  readonly tradeId: string;
  /** Venue trade time, Unix ms (fractional ms kept when the source has microseconds). */
  readonly ts: number;
  readonly price: number;
  readonly amount: number;
  /** Taker side; null when the source does not say. */
  readonly side: Side | null;
}

/** A stored trade: natural key `_id` = `exchange:symbol:tradeId`. */
export interface TradeDoc extends Trade {
  _id: string;
}

export function tradeKey(exchange: string, symbol: string, tradeId: string): string {
  return `${exchange}:${symbol}:${tradeId}`;
}

export function toTradeDoc(t: Trade): TradeDoc {
  return { _id: tradeKey(t.exchange, t.symbol, t.tradeId), ...t };
}

/** The `md.trades.v1` value; event time = trade time (whole ms). */
export function toTradeEvent(t: Trade, opts: { tsInit: number; source: string }): TradeEvent {
  const ts = Math.floor(t.ts);
  return {
    eventId: eventIdFrom('trade', t.exchange, t.symbol, t.tradeId),
    tsEvent: ts,
    tsInit: opts.tsInit,
    source: opts.source,
    exchange: t.exchange,
    symbol: t.symbol,
    tradeId: t.tradeId,
    ts,
    price: t.price,
    amount: t.amount,
    side: t.side,
  };
}
