import * as path from 'node:path';
import type { Timeframe } from '@atp/core';
import { fromCandleDoc, importCandleFile, resolveDataDir, type Candle, type CandleDoc } from '@atp/market-data';
import type { Repository } from '@atp/storage';

/** Where a replay reads its candles from: the recorded files, or a candle repository. */
export interface CandleSource {
  /** Closed bars of one series with open time in [from, to), ascending. */
  load(exchange: string, symbol: string, timeframe: Timeframe, from?: number, to?: number): Promise<Candle[]>;
}

/**
 * Recorded candles (`<dataDir>/binance-spot/<BASE>_<QUOTE>-<tf>.json`, freqtrade layout) read with
 * market-data's importer (validation, bad rows reported and skipped). Exchange `binance` only.
 * Throws when the file is missing or rows were refused (a replay must not silently drop bars).
 */
export function recordedCandleSource(dataDir: string = resolveDataDir()): CandleSource {
  return {
    async load(exchange, symbol, timeframe, from = -Infinity, to = Infinity) {
      if (exchange !== 'binance') throw new Error(`recorded candles are binance spot only, not ${exchange}`);
      const file = path.join(dataDir, 'binance-spot', `${symbol.replace('/', '_')}-${timeframe}.json`);
      const docs: CandleDoc[] = [];
      const res = await importCandleFile(file, {
        series: { exchange, symbol, timeframe },
        format: 'json',
        sink: {
          async upsertMany(batch) {
            for (const d of batch) docs.push(d);
            return { inserted: batch.length, modified: 0, unchanged: 0 };
          },
        },
      });
      if (res.badRowCount > 0) throw new Error(`${file}: ${res.badRowCount} bad rows (first: ${res.badRows[0]?.reason ?? '?'})`);
      return docs
        .filter((d) => d.openTime >= from && d.openTime < to)
        .sort((a, b) => a.openTime - b.openTime)
        .map(fromCandleDoc);
    },
  };
}

/** Candles stored by market-feed (a `candles` repository whose time field is `openTime`). */
export function repositoryCandleSource(repo: Repository<CandleDoc>): CandleSource {
  return {
    async load(exchange, symbol, timeframe, from, to) {
      const docs = await repo.range({ where: { exchange, symbol, timeframe }, ...(from !== undefined && Number.isFinite(from) ? { from } : {}), ...(to !== undefined && Number.isFinite(to) ? { to } : {}), order: 'asc' });
      return docs.map(fromCandleDoc);
    },
  };
}
