import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { timeframeMs, type Timeframe } from '@atp/core';
import { importCandleFile, resolveDataDir, type CandleDoc } from '@atp/market-data';
import { backfillOHLCV, type BackfillProgress } from './backfill';
import { candleFilePath, CandleDirStore } from './candle-dir-store';
import { CANDLES } from './collections';
import { apiUrlsFor, createExchange, type CcxtExchange } from './exchange';
import { withRetries, type RetryPolicy } from './retry';

/** The symbols of the recorded set (shared/data/binance-spot), traded by default. */
export const DEFAULT_SYMBOLS: readonly string[] = ['BTC/USDT', 'ETH/USDT', 'XRP/USDT', 'ADA/USDT'];
/** Open times of the recorded 1h set: 2020-12-01 00:00 UTC up to 2021-07-17 20:00 UTC (`until` exclusive). */
export const RECORDED_PERIOD = { since: Date.UTC(2020, 11, 1), until: Date.UTC(2021, 6, 17, 21) } as const;

export interface EnsureMarketDataOptions {
  /** The data directory (recorded layout); created if missing. */
  dataDir: string;
  exchange?: string;
  symbols?: readonly string[];
  timeframe?: Timeframe;
  /** Open-time range [since, until) (default: the recorded period). */
  since?: number;
  until?: number;
  /** Base URL replacing the venue's API (EXCHANGE_API_URL; the fake exchange in tests). */
  apiUrl?: string;
  /** ccxt rate limit per cost unit, ms (default the exchange's own). */
  rateLimitMs?: number;
  retry?: RetryPolicy;
  onProgress?: (p: BackfillProgress) => void;
  log?: (message: string) => void;
}

export interface EnsureMarketDataResult {
  dataDir: string;
  /** Symbols that were (partly) downloaded; empty when the directory already had everything. */
  downloaded: string[];
  /** Candles per symbol in the directory afterwards. */
  candles: Record<string, number>;
  /** Whether the markets metadata (`ticks/cryptofeed/BINANCE.0`) was written. */
  wroteMarkets: boolean;
}

/**
 * Makes sure `dataDir` holds the candles of `symbols` for [since, until) in the recorded layout
 * (`<dir>/binance-spot/<BASE>_<QUOTE>-<tf>.json`, freqtrade JSON) — downloading what is missing
 * through ccxt (`backfillOHLCV`: paged, rate-limited, retried, resuming from what is there; files
 * flushed as it goes) — and, for Binance, the markets metadata `ticks/cryptofeed/BINANCE.0` the
 * default markets snapshot reads (the live `exchangeInfo`, in the recorded capture format).
 * A series counts as present when its file's last bar is the last bar before `until` (or the
 * exchange has nothing later). Throws what ccxt throws once retries are exhausted.
 */
export async function ensureMarketData(o: EnsureMarketDataOptions): Promise<EnsureMarketDataResult> {
  const exchangeId = o.exchange ?? 'binance';
  const symbols = o.symbols ?? DEFAULT_SYMBOLS;
  const timeframe = o.timeframe ?? '1h';
  const since = o.since ?? RECORDED_PERIOD.since;
  const until = o.until ?? RECORDED_PERIOD.until;
  const tf = timeframeMs(timeframe);
  const log = o.log ?? (() => undefined);
  mkdirSync(o.dataDir, { recursive: true });

  const missing: string[] = [];
  const candles: Record<string, number> = {};
  for (const symbol of symbols) {
    const file = candleFilePath(o.dataDir, exchangeId, symbol, timeframe);
    const last = existsSync(file) ? await lastOpenTime(file, exchangeId, symbol, timeframe) : null;
    if (last === null || last.last < until - tf) missing.push(symbol);
    else candles[symbol] = last.rows;
  }
  const infoFile = path.join(o.dataDir, 'ticks', 'cryptofeed', 'BINANCE.0');
  const needMarkets = exchangeId === 'binance' && !existsSync(infoFile);
  if (missing.length === 0 && !needMarkets) return { dataDir: o.dataDir, downloaded: [], candles, wroteMarkets: false };

  const ex = createExchange(exchangeId, { apiUrls: o.apiUrl ? apiUrlsFor(exchangeId, o.apiUrl) : undefined, rateLimitMs: o.rateLimitMs });
  let wroteMarkets = false;
  if (needMarkets) wroteMarkets = await writeMarketsCapture(ex, infoFile, o.retry, log);
  if (missing.length > 0) {
    log(`downloading ${missing.join(', ')} ${timeframe} candles ${new Date(since).toISOString()} .. ${new Date(until).toISOString()} from ${exchangeId}${o.apiUrl ? ` at ${o.apiUrl}` : ''} into ${o.dataDir}`);
    const store = await CandleDirStore.open(o.dataDir);
    try {
      const repo = store.repository<CandleDoc>(CANDLES);
      for (const symbol of missing) {
        let lastFlush = Date.now();
        const r = await backfillOHLCV({
          exchange: ex,
          repo,
          series: { exchange: exchangeId, symbol, timeframe },
          since,
          until,
          retry: o.retry,
          onProgress: (p) => {
            o.onProgress?.(p);
            if (Date.now() - lastFlush > 1_000) {
              lastFlush = Date.now();
              void store.flush();
            }
          },
        });
        await store.flush();
        candles[symbol] = await repo.count({ exchange: exchangeId, symbol, timeframe });
        log(`${symbol}: ${r.candles} candles in ${r.requests} requests${r.resumed ? ' (resumed)' : ''}, ${candles[symbol]} in ${candleFilePath(o.dataDir, exchangeId, symbol, timeframe)}`);
      }
    } finally {
      await store.close();
    }
  }
  return { dataDir: o.dataDir, downloaded: missing, candles, wroteMarkets };
}

async function lastOpenTime(file: string, exchange: string, symbol: string, timeframe: Timeframe): Promise<{ last: number; rows: number } | null> {
  let last = -Infinity;
  let rows = 0;
  try {
    await importCandleFile(file, {
      series: { exchange, symbol, timeframe },
      format: 'json',
      batchSize: 100_000,
      sink: {
        async upsertMany(docs: readonly CandleDoc[]) {
          for (const d of docs) if (d.openTime > last) last = d.openTime;
          rows += docs.length;
          return { inserted: docs.length, modified: 0, unchanged: 0 };
        },
      },
    });
  } catch {
    return null; // unreadable (e.g. cut short): download again
  }
  return rows > 0 ? { last, rows } : null;
}

/** Saves Binance's `exchangeInfo` as a cryptofeed capture line (`<url> -> <epoch s>: <json>`). */
async function writeMarketsCapture(ex: CcxtExchange, file: string, retry: RetryPolicy | undefined, log: (m: string) => void): Promise<boolean> {
  try {
    const info = await withRetries(ex, () => (ex as unknown as { publicGetExchangeInfo(): Promise<unknown> }).publicGetExchangeInfo(), retry);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `https://api.binance.com/api/v3/exchangeInfo -> ${(Date.now() / 1000).toFixed(3)}: ${JSON.stringify(info)}\n`);
    return true;
  } catch (e) {
    log(`markets metadata not saved (${(e as Error).message}): market-feed will load markets from the exchange`);
    return false;
  }
}

/**
 * Where `npm start` reads market data: DATA_DIR when set; else the recorded set `../shared/data`
 * next to the repository when it exists; else `$ATP_CACHE_DIR/data` (default `~/.cache/atp/data`,
 * outside the repository), filled by {@link prepareMarketData}.
 */
export function startupDataDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.DATA_DIR?.trim()) return env.DATA_DIR.trim();
  const recorded = resolveDataDir();
  if (existsSync(path.join(recorded, 'binance-spot'))) return recorded;
  return path.join(env.ATP_CACHE_DIR?.trim() || path.join(homedir(), '.cache', 'atp'), 'data');
}

/**
 * The embedded launcher's first step (ARCHITECTURE.md, "embedded default"): resolves the data
 * directory ({@link startupDataDir}) and, when it lacks the default symbols' 1h candles of the
 * recorded period, downloads them with ccxt (EXCHANGE_API_URL redirects the calls, e.g. to a fake
 * exchange). Returns the directory to pass on as DATA_DIR. Throws when the download fails.
 */
export async function prepareMarketData(env: Readonly<Record<string, string | undefined>>, opts: { log?: (message: string) => void; onProgress?: (p: BackfillProgress) => void } = {}): Promise<EnsureMarketDataResult> {
  const dataDir = startupDataDir(env);
  return ensureMarketData({ dataDir, apiUrl: env.EXCHANGE_API_URL?.trim() || undefined, log: opts.log, onProgress: opts.onProgress });
}
