import type { Exchange } from 'ccxt';
import { timeframeMs } from '@atp/core';
import type { Repository } from '@atp/storage';
import { candleFromRow, toCandleDoc, type Candle, type CandleDoc, type SeriesId } from '@atp/market-data';
import { ohlcvLimitOf } from './exchange';
import { loadMarketsWithRetries, withRetries, type RetryPolicy } from './retry';

export interface BackfillProgress {
  series: SeriesId;
  /** Open time the next request starts at. */
  cursor: number;
  requests: number;
  candles: number;
  /** Open time of the last stored candle. */
  lastOpenTime: number | null;
}

export interface BackfillOptions {
  exchange: Exchange;
  repo: Repository<CandleDoc>;
  series: SeriesId;
  /** First open time wanted (Unix ms), used when the store has nothing for the series yet. */
  since: number;
  /** Exclusive upper bound on open times (default: no bound; bars still forming are never stored). */
  until?: number;
  /** Candles per request; default and maximum: the exchange's own per-call limit. */
  limit?: number;
  retry?: RetryPolicy;
  onProgress?: (p: BackfillProgress) => void;
  /** Wall clock for "still forming" (default Date.now); a bar is stored only once closed. */
  now?: () => number;
  /** Stops after this many requests (used to simulate an interruption in tests). */
  maxRequests?: number;
}

export interface BackfillResult {
  series: SeriesId;
  /** Where this run started: `since`, or just after the last stored candle (resume). */
  startedAt: number;
  resumed: boolean;
  requests: number;
  candles: number;
  written: { inserted: number; modified: number; unchanged: number };
  first: number | null;
  last: number | null;
  /** Why the loop stopped. */
  stop: 'caught-up' | 'until' | 'max-requests';
}

/**
 * Backfills candles with ccxt `fetchOHLCV`, paging by `since`: each page starts after the last bar
 * received, `limit` is the exchange's per-call maximum, every call goes through ccxt's rate limiter
 * (`enableRateLimit`) and `withRetries` (backoff on network errors, Retry-After on 429/418). Resumes
 * from the last stored candle of the series (`repo.last`), so an interrupted run continues without
 * gaps or duplicates (writes are upserts by natural key). Throws the last error when retries run out.
 */
export async function backfillOHLCV(o: BackfillOptions): Promise<BackfillResult> {
  const { exchange, repo, series } = o;
  const tf = timeframeMs(series.timeframe);
  const now = o.now ?? Date.now;
  const maxLimit = ohlcvLimitOf(exchange);
  const limit = Math.min(o.limit ?? maxLimit, maxLimit);
  await loadMarketsWithRetries(exchange, o.retry);
  const stored = await repo.last({ exchange: series.exchange, symbol: series.symbol, timeframe: series.timeframe });
  const resumed = stored !== null && stored.openTime + tf > o.since;
  let cursor = resumed ? stored!.openTime + tf : o.since;
  const startedAt = cursor;
  let requests = 0;
  let candles = 0;
  let first: number | null = null;
  let last: number | null = resumed ? stored!.openTime : null;
  const written = { inserted: 0, modified: 0, unchanged: 0 };
  let stop: BackfillResult['stop'] = 'caught-up';
  for (;;) {
    if (o.until !== undefined && cursor >= o.until) {
      stop = 'until';
      break;
    }
    if (o.maxRequests !== undefined && requests >= o.maxRequests) {
      stop = 'max-requests';
      break;
    }
    const rows = await withRetries(exchange, () => exchange.fetchOHLCV(series.symbol, series.timeframe, cursor, limit), o.retry);
    requests++;
    const closedBefore = now();
    const page: Candle[] = [];
    for (const r of rows) {
      const c = candleFromRow(r as number[]);
      if (c.openTime < cursor) continue;
      if (o.until !== undefined && c.openTime >= o.until) continue;
      if (c.openTime + tf > closedBefore) continue; // still forming
      page.push(c);
    }
    if (page.length === 0) break;
    const res = await repo.upsertMany(page.map((c) => toCandleDoc(series, c)));
    written.inserted += res.inserted;
    written.modified += res.modified;
    written.unchanged += res.unchanged;
    candles += page.length;
    first ??= page[0]!.openTime;
    last = page[page.length - 1]!.openTime;
    cursor = last + tf;
    o.onProgress?.({ series, cursor, requests, candles, lastOpenTime: last });
  }
  return { series, startedAt, resumed, requests, candles, written, first, last, stop };
}
