import type { CollectionDef } from '@atp/storage';
import type { CandleDoc, TradeDoc } from '@atp/market-data';
import type { MarketsSnapshot } from './markets';

/** Stored candles: range queries by (exchange, symbol, timeframe) and open time. */
export const CANDLES: CollectionDef<CandleDoc> = { name: 'candles', timeField: 'openTime', partitionFields: ['exchange', 'symbol', 'timeframe'] };
/** Stored public trades. */
export const TRADES: CollectionDef<TradeDoc> = { name: 'trades', timeField: 'ts', partitionFields: ['exchange', 'symbol'] };
/** Markets snapshots (precision, limits, fees), `_id` e.g. `binance:default`. */
export const MARKETS: CollectionDef<MarketsSnapshot> = { name: 'markets' };
