import { Command } from 'commander';
import { timeframeMs, type Timeframe } from '@atp/core';
import { scanSeries, type CandleDoc } from '@atp/market-data';
import { apiUrlsFor, backfillOHLCV, CANDLES, CandleDirStore, createExchange, loadMarketsWithRetries, type BackfillResult } from '@atp/market-data-ccxt';
import { formatTable } from '../format';
import { CliError, EXIT, type CliIo } from '../io';
import { isoTime, openStore, parseDateOption, parseStoreSpec, parseSymbols, parseTimeframe, Progress, storeLabel, storeOptions } from './import';

interface DownloadOptions {
  exchange: string;
  symbols: string;
  timeframe: string;
  since: string;
  until?: string;
  store: string;
  mongoUrl?: string;
  db?: string;
  apiUrl?: string;
  rateLimitMs?: string;
  retries: string;
  json?: boolean;
  progress: boolean;
}

/**
 * `download`: backfills candles from an exchange through ccxt (paged by `since`, the exchange's
 * per-call limit, ccxt's rate limiter, retries with backoff and Retry-After) into a store. It is
 * resumable: each series continues after its last stored bar, and writes are upserts by natural
 * key, so running it again fills what is missing and duplicates nothing. One progress bar per
 * series on stderr; a summary with the stored coverage (gaps included) on stdout.
 */
export function downloadCommand(io: CliIo): Command {
  const cmd = new Command('download')
    .description('Backfill candles from an exchange through ccxt into a store (resumable: continues after the last stored bar)')
    .option('--exchange <id>', 'ccxt exchange id', 'binance')
    .requiredOption('--symbols <list>', 'BASE/QUOTE symbols, comma-separated, e.g. BTC/USDT,ETH/USDT')
    .option('--timeframe <tf[,tf...]>', 'candle timeframe(s), e.g. 1h or 5m,1h', '1h')
    .requiredOption('--since <date>', 'first open time: 2020-12-01, 2020-12-01T10:00Z or Unix ms (UTC)')
    .option('--until <date>', 'stop before this open time (default: up to the last closed bar)')
    .option('--api-url <url>', 'send the exchange calls to this base URL (a local fake exchange, a proxy)')
    .option('--rate-limit-ms <ms>', 'ms per request-cost unit for ccxt\'s rate limiter (default: the exchange\'s own)')
    .option('--retries <n>', 'retries of a failed request (network errors, 429/418, 5xx)', '5')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bars');
  return storeOptions(cmd, 'memory').action(async (opts: DownloadOptions) => {
    const symbols = parseSymbols(opts.symbols);
    const timeframes = opts.timeframe.split(',').map((t) => parseTimeframe(t.trim()));
    const since = parseDateOption(opts.since, '--since');
    const until = opts.until !== undefined ? parseDateOption(opts.until, '--until') : undefined;
    if (until !== undefined && until <= since) throw new CliError('--until must be after --since', EXIT.usage);
    const retries = Number(opts.retries);
    if (!Number.isInteger(retries) || retries < 0) throw new CliError(`--retries must be an integer >= 0 (got "${opts.retries}")`, EXIT.usage);
    const rateLimitMs = opts.rateLimitMs !== undefined ? Number(opts.rateLimitMs) : undefined;
    if (rateLimitMs !== undefined && !(rateLimitMs >= 0)) throw new CliError(`--rate-limit-ms must be a number >= 0 (got "${opts.rateLimitMs}")`, EXIT.usage);
    let apiUrls: ReturnType<typeof apiUrlsFor> | undefined;
    try {
      apiUrls = opts.apiUrl ? apiUrlsFor(opts.exchange, opts.apiUrl) : undefined;
    } catch (e) {
      throw new CliError(`--api-url: ${(e as Error).message}`, EXIT.usage);
    }
    let ex: ReturnType<typeof createExchange>;
    try {
      ex = createExchange(opts.exchange, { apiUrls, rateLimitMs });
    } catch (e) {
      throw new CliError(`--exchange: ${(e as Error).message}`, EXIT.usage);
    }
    const spec = parseStoreSpec(opts.store, opts, io.env);
    const retry = { maxRetries: retries, onRetry: (i: { attempt: number; delayMs: number; error: Error }) => io.err(`retry ${i.attempt} in ${i.delayMs} ms: ${i.error.message.slice(0, 200)}\n`) };
    try {
      await loadMarketsWithRetries(ex, retry);
    } catch (e) {
      throw new CliError(`cannot load ${opts.exchange} markets${opts.apiUrl ? ` from ${opts.apiUrl}` : ''}: ${(e as Error).message}`);
    }
    const unknown = symbols.filter((s) => !ex.markets?.[s]);
    if (unknown.length) throw new CliError(`${opts.exchange} does not list ${unknown.join(', ')}`, EXIT.usage);

    const store = await openStore(spec);
    const progress = new Progress(io, opts.progress);
    const results: (BackfillResult & { stored: number; gaps: number; missingBars: number; storedFirst: number | null; storedLast: number | null })[] = [];
    try {
      const repo = store.repository<CandleDoc>(CANDLES);
      await repo.init();
      const end = until ?? Date.now();
      for (const timeframe of timeframes as Timeframe[]) {
        const tf = timeframeMs(timeframe);
        for (const symbol of symbols) {
          const series = { exchange: opts.exchange, symbol, timeframe };
          const bar = progress.bar(`${symbol} ${timeframe}`, Math.ceil((end - since) / tf), 'bars');
          let lastFlush = Date.now();
          let r: BackfillResult;
          try {
            r = await backfillOHLCV({
              exchange: ex, repo, series, since, until, retry,
              onProgress: (p) => {
                bar?.update(Math.min(Math.ceil((end - since) / tf), Math.round((p.cursor - since) / tf)));
                if (store instanceof CandleDirStore && Date.now() - lastFlush > 2_000) {
                  lastFlush = Date.now();
                  void store.flush(); // an interruption keeps what was fetched: the next run resumes there
                }
              },
            });
          } catch (e) {
            throw new CliError(`${symbol} ${timeframe}: ${(e as Error).message}`);
          }
          bar?.update(Math.ceil((end - since) / tf));
          const times: number[] = [];
          for await (const b of repo.iterate({ where: { exchange: opts.exchange, symbol, timeframe }, from: since, ...(until !== undefined ? { to: until } : {}) }, 50_000)) for (const d of b) times.push(d.openTime);
          const cov = scanSeries(times, timeframe);
          results.push({ ...r, stored: times.length, gaps: cov.gaps.length, missingBars: cov.missingBars, storedFirst: cov.first, storedLast: cov.last });
          if (store instanceof CandleDirStore) await store.flush();
        }
      }
    } finally {
      progress.stop();
      await store.close();
    }
    if (opts.json) {
      io.out(`${JSON.stringify({ exchange: opts.exchange, store: storeLabel(spec), series: results }, null, 2)}\n`);
      return;
    }
    io.out(formatTable(
      ['SYMBOL', 'TF', 'FETCHED', 'REQUESTS', 'FROM', 'STORED', 'FIRST', 'LAST', 'GAPS'],
      results.map((r) => [r.series.symbol, r.series.timeframe, String(r.candles), String(r.requests), `${isoTime(r.startedAt)}${r.resumed ? ' (resumed)' : ''}`, String(r.stored), isoTime(r.storedFirst), isoTime(r.storedLast), `${r.gaps} (${r.missingBars} bars)`]),
    ));
    io.out(`${results.reduce((s, r) => s + r.candles, 0)} candles fetched from ${opts.exchange}, ${results.reduce((s, r) => s + r.stored, 0)} stored in ${storeLabel(spec)}\n`);
  });
}
