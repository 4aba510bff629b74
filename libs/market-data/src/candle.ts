import { barCloseTime, eventIdFrom, type Timeframe } from '@atp/core';
import type { CandleEvent } from '@atp/contracts';

/**
 * One OHLCV bar. Prices in quote currency, volume in base currency, all float64
 * (ARCHITECTURE.md, "Numbers"). `openTime` is Unix epoch ms, UTC, aligned to the timeframe.
 */
export interface Candle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Which series a candle belongs to. */
export interface SeriesId {
  readonly exchange: string;
  /** ccxt unified symbol, e.g. `BTC/USDT`. */
  readonly symbol: string;
  readonly timeframe: Timeframe;
}

/** A candle as stored (collection `candles`): natural key `_id` = `exchange:symbol:timeframe:openTime`. */
export interface CandleDoc extends Candle {
  _id: string;
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
}

/** Natural key of a candle: re-importing the same bar overwrites, never duplicates. */
export function candleId(s: SeriesId, openTime: number): string {
  return `${s.exchange}:${s.symbol}:${s.timeframe}:${openTime}`;
}

export function toCandleDoc(s: SeriesId, c: Candle): CandleDoc {
  return {
    _id: candleId(s, c.openTime),
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
    openTime: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
  };
}

/** Strips storage fields: the bare bar. */
export function fromCandleDoc(d: Candle): Candle {
  return { openTime: d.openTime, open: d.open, high: d.high, low: d.low, close: d.close, volume: d.volume };
}

/** freqtrade / ccxt row layout `[openTimeMs, open, high, low, close, volume]`. */
export type OhlcvRow = readonly [number, number, number, number, number, number];

export function candleFromRow(r: readonly number[]): Candle {
  return { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! };
}

export function candleToRow(c: Candle): OhlcvRow {
  return [c.openTime, c.open, c.high, c.low, c.close, c.volume];
}

/**
 * The `md.candles.v1` value for a bar. A closed bar's event time is its close (open + timeframe);
 * an open (still forming) bar's event time is `asOf`, the venue time of the update.
 * The event id is derived from the series, the open time and whether it is closed, so the same
 * closed bar always has the same id (consumers dedupe on it).
 */
export function toCandleEvent(
  s: SeriesId,
  c: Candle,
  opts: { closed: boolean; tsInit: number; source: string; asOf?: number },
): CandleEvent {
  const tsEvent = opts.closed ? barCloseTime(c.openTime, s.timeframe) : (opts.asOf ?? c.openTime);
  return {
    eventId: eventIdFrom('candle', s.exchange, s.symbol, s.timeframe, c.openTime, opts.closed ? 'closed' : `open@${tsEvent}`),
    tsEvent,
    tsInit: opts.tsInit,
    source: opts.source,
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
    openTime: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    closed: opts.closed,
  };
}
