import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { isTimeframe, type Timeframe } from '@atp/core';
import {
  importCandleFile, importTradeFile, parseCandleFileName, parseIsoTime, resolveDataDir,
  type BadRow, type CandleColumnMap, type CandleDoc, type EpochUnit, type ImportCandlesResult, type ImportTradesResult, type TradeDoc, type TradeFileFormat,
} from '@atp/market-data';
import { CANDLES, CandleDirStore, TRADES } from '@atp/market-data-ccxt';
import { databaseName } from '@atp/nest-kit';
import { MemoryStore, MongoStore, type Store } from '@atp/storage';
import { formatTable } from '../format';
import { CliError, EXIT, processIo, type CliIo } from '../io';

// ------------------------------------------------------------------ shared by the data verbs
// (download, import, data-info and replay import these helpers from here)

/** `--store`: where candles are kept. */
export type StoreSpec = { kind: 'memory' } | { kind: 'mongo'; url: string; db: string } | { kind: 'dir'; path: string };

export const STORE_HELP = 'memory (checks only, nothing kept) | mongo (MONGO_URL / --mongo-url, market-feed\'s database) | dir:PATH (files in the recorded layout, as DATA_DIR)';

/** Parses `--store` (with `--mongo-url` / `--db`). Throws a usage error naming the option. */
export function parseStoreSpec(text: string, opts: { mongoUrl?: string; db?: string }, env: CliIo['env']): StoreSpec {
  if (text === 'memory') return { kind: 'memory' };
  if (text.startsWith('dir:')) {
    const p = text.slice(4).trim();
    if (!p) throw new CliError('--store dir:PATH needs a path, e.g. dir:./data', EXIT.usage);
    return { kind: 'dir', path: path.resolve(p) };
  }
  if (text === 'mongo') {
    const url = opts.mongoUrl ?? env['MONGO_URL'];
    if (!url?.trim()) throw new CliError('--store mongo needs a MongoDB URL: pass --mongo-url or set MONGO_URL', EXIT.usage);
    const db = opts.db ?? databaseName({ MONGO_DB: env['MONGO_DB']?.trim() || 'atp', RUN_ID: undefined }, 'market-feed');
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(db)) throw new CliError(`--db must be 1-63 characters of [A-Za-z0-9_-] (got "${db}")`, EXIT.usage);
    return { kind: 'mongo', url: url.trim(), db };
  }
  throw new CliError(`--store must be memory, mongo or dir:PATH (got "${text}")`, EXIT.usage);
}

export function storeLabel(s: StoreSpec): string {
  return s.kind === 'memory' ? 'memory (not kept)' : s.kind === 'dir' ? `dir ${s.path}` : `mongo database ${s.db}`;
}

/** Opens the store; a MongoDB that does not answer is a CliError naming MONGO_URL. Close it when done (dir: writes the files). */
export async function openStore(s: StoreSpec): Promise<Store> {
  if (s.kind === 'memory') return new MemoryStore('cli');
  if (s.kind === 'dir') return CandleDirStore.open(s.path);
  try {
    return await MongoStore.connect({ url: s.url, dbName: s.db, appName: 'atp-cli' });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function storeOptions(c: Command, dflt: string): Command {
  return c
    .option('--store <store>', STORE_HELP, dflt)
    .option('--mongo-url <url>', 'MongoDB connection string for --store mongo (default: $MONGO_URL)')
    .option('--db <name>', 'database for --store mongo (default: <MONGO_DB or atp>_market-feed, the market-feed service\'s own)');
}

/**
 * A date option: `2020-12-01`, ISO 8601 (`2021-01-01T10:00Z`; UTC without an offset), or Unix
 * seconds / milliseconds. Throws a usage error naming the option.
 */
export function parseDateOption(v: string, name: string): number {
  const t = v.trim();
  const ms = /^[0-9]{1,10}$/.test(t) ? Number(t) * 1000 : /^[0-9]{11,13}$/.test(t) ? Number(t) : parseIsoTime(t);
  if (!Number.isFinite(ms)) throw new CliError(`${name} must be a date such as 2020-12-01, 2021-01-01T10:00Z or Unix ms (got "${v}")`, EXIT.usage);
  return ms;
}

export function parseTimeframe(v: string, name = '--timeframe'): Timeframe {
  if (!isTimeframe(v)) throw new CliError(`${name} must be a timeframe such as 1m, 5m, 1h, 1d (got "${v}")`, EXIT.usage);
  return v;
}

export function parseSymbols(v: string): string[] {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((s) => !/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(s));
  if (list.length === 0 || bad !== undefined) throw new CliError(`--symbols must be a comma-separated list of BASE/QUOTE such as BTC/USDT,ETH/USDT${bad !== undefined ? ` (got "${bad}")` : ''}`, EXIT.usage);
  return list;
}

/** `--columns time=Date,open=Open,...` (header names or 0-based indexes). */
export function parseColumns(text: string): Partial<CandleColumnMap> {
  const map: Record<string, string | number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const field = eq < 0 ? '' : part.slice(0, eq).trim();
    const col = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (!['time', 'open', 'high', 'low', 'close', 'volume'].includes(field) || col === '') {
      throw new CliError(`--columns: "${part}" is not field=column with field one of time, open, high, low, close, volume`, EXIT.usage);
    }
    map[field] = /^\d+$/.test(col) ? Number(col) : col;
  }
  return map as Partial<CandleColumnMap>;
}

export const isoTime = (ms: number | null): string => (ms === null || !Number.isFinite(ms) ? '-' : new Date(ms).toISOString().replace(':00.000Z', 'Z'));

/**
 * Progress bars (cli-progress) on stderr for long work — only when stderr is a terminal and the
 * output is the process's (not a test's capture); otherwise nothing is drawn.
 */
export class Progress {
  private readonly multi: MultiBar | null;
  constructor(io: CliIo, enabled: boolean) {
    this.multi = enabled && io === processIo && process.stderr.isTTY
      ? new MultiBar({ stream: process.stderr, clearOnComplete: false, hideCursor: true, format: ' {name} [{bar}] {percentage}% | {value}/{total} {unit}', autopadding: true }, Presets.shades_classic)
      : null;
  }
  bar(name: string, total: number, unit: string): SingleBar | null {
    return this.multi ? this.multi.create(Math.max(1, total), 0, { name, unit }) : null;
  }
  stop(): void {
    this.multi?.stop();
  }
}

// ------------------------------------------------------------------ import

const TRADE_FORMATS = ['tardis-trades', 'freqtrade-trades', 'ccxt-trades', 'kraken-trades', 'hftbacktest', 'trades-csv'] as const;
const FORMATS = ['auto', 'json', 'csv', ...TRADE_FORMATS] as const;

interface ImportOptions {
  recorded?: boolean;
  data?: string;
  store: string;
  mongoUrl?: string;
  db?: string;
  format: (typeof FORMATS)[number];
  exchange: string;
  symbol?: string;
  timeframe?: string;
  columns?: string;
  dateFormat?: string;
  epochUnit?: EpochUnit;
  base?: string;
  maxBadRows: string;
  strict?: boolean;
  json?: boolean;
  progress: boolean;
}

type FileResult = { file: string; kind: 'candles'; r: ImportCandlesResult } | { file: string; kind: 'trades'; r: ImportTradesResult };

/** Series of a file from its name (`BTC_USDT-1h.json`, `ETH_USDT-5m.csv.gz`), when it gives one. */
function seriesFromName(file: string): { symbol?: string; timeframe?: Timeframe } {
  const id = parseCandleFileName(file.replace(/\.(csv|txt)(\.gz)?$/i, '.json'));
  return id ?? {};
}

/**
 * `import`: reads candle files (freqtrade/ccxt JSON, CSV of any exchange or vendor) or trade files
 * into a store, by natural key (re-importing changes nothing). Each bad row is listed on stderr as
 * `file:line: reason` and the rest imports; a summary table (or JSON) goes to stdout.
 */
export function importCommand(io: CliIo): Command {
  const cmd = new Command('import')
    .description('Import candle or trade files (or the recorded set) into a store; bad rows are listed as file:line: reason and the rest imports')
    .argument('[files...]', 'files to import (.json, .csv, .gz)')
    .option('--recorded', 'import the recorded candle set (DATA_DIR or ../shared/data: binance-spot/*.json)')
    .addOption(new Option('--format <format>', 'file format (candles: auto|json|csv; trades: the named formats)').choices([...FORMATS]).default('auto'))
    .option('--exchange <id>', 'exchange id written into the rows', 'binance')
    .option('--symbol <symbol>', 'BASE/QUOTE (default: from a file name like BTC_USDT-1h.json)')
    .option('--timeframe <tf>', 'candle timeframe (default: from the file name)')
    .option('--columns <map>', 'CSV column mapping field=header-or-index, e.g. time=Date,open=Open,high=High,low=Low,close=Close,volume=Volume')
    .option('--date-format <format>', 'timestamp format, e.g. "%Y-%m-%d %H:%M:%S" or "DD/MM/YYYY HH:mm" (default: epoch numbers or ISO 8601, UTC)')
    .addOption(new Option('--epoch-unit <unit>', 'unit of numeric timestamps (default: by magnitude)').choices(['s', 'ms', 'us', 'ns']))
    .option('--base <asset>', 'which "Volume <X>" column is the base volume, e.g. BTC')
    .option('--max-bad-rows <n>', 'bad rows listed per file (all are counted)', '20')
    .option('--strict', 'exit 1 when any row was bad')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar');
  return storeOptions(cmd, 'memory').action(async (files: string[], opts: ImportOptions) => {
    const maxBad = Number(opts.maxBadRows);
    if (!Number.isInteger(maxBad) || maxBad < 0) throw new CliError(`--max-bad-rows must be an integer >= 0 (got "${opts.maxBadRows}")`, EXIT.usage);
    if (opts.timeframe !== undefined) parseTimeframe(opts.timeframe);
    if (opts.symbol !== undefined) parseSymbols(opts.symbol);
    const list = [...files];
    if (opts.recorded) {
      const dir = path.join(resolveDataDir(), 'binance-spot');
      if (!fs.existsSync(dir)) throw new CliError(`--recorded: no recorded data at ${dir} (set DATA_DIR)`);
      for (const n of fs.readdirSync(dir).sort()) if (parseCandleFileName(n)) list.push(path.join(dir, n));
    }
    if (list.length === 0) throw new CliError('nothing to import: give files or --recorded', EXIT.usage);
    for (const f of list) if (!fs.existsSync(f) || !fs.statSync(f).isFile()) throw new CliError(`no such file: ${f}`);
    const isTrades = (TRADE_FORMATS as readonly string[]).includes(opts.format);
    // Check every file's series before writing anything.
    const plan = list.map((file) => {
      const guess = seriesFromName(file);
      const symbol = opts.symbol ?? guess.symbol;
      const timeframe = opts.timeframe ?? guess.timeframe;
      if (!isTrades && (!symbol || !timeframe)) throw new CliError(`${file}: give --symbol and --timeframe (the file name does not say them, as in BTC_USDT-1h.csv)`, EXIT.usage);
      return { file, symbol, timeframe: timeframe as Timeframe | undefined };
    });
    const spec = parseStoreSpec(opts.store, opts, io.env);
    const store = await openStore(spec);
    const progress = new Progress(io, opts.progress);
    const results: FileResult[] = [];
    try {
      for (const p of plan) {
        const bar = progress.bar(path.basename(p.file), fs.statSync(p.file).size, 'bytes');
        const onProgress = (x: { bytesRead: number }) => bar?.update(x.bytesRead);
        if (isTrades) {
          const r = await importTradeFile(p.file, {
            format: opts.format as TradeFileFormat, exchange: opts.exchange, symbol: p.symbol, sink: store.repository<TradeDoc>(TRADES),
            dateFormat: opts.dateFormat, epochUnit: opts.epochUnit, maxBadRowsListed: maxBad, onProgress,
          }).catch((e: Error) => {
            throw new CliError(`${p.file}: ${e.message}`);
          });
          results.push({ file: p.file, kind: 'trades', r });
        } else {
          const repo = store.repository<CandleDoc>(CANDLES);
          await repo.init();
          const r = await importCandleFile(p.file, {
            series: { exchange: opts.exchange, symbol: p.symbol!, timeframe: p.timeframe! }, sink: repo,
            format: opts.format as 'auto' | 'json' | 'csv',
            ...(opts.columns ? { columns: parseColumns(opts.columns) } : {}),
            dateFormat: opts.dateFormat, epochUnit: opts.epochUnit, base: opts.base, maxBadRowsListed: maxBad, onProgress,
          }).catch((e: Error) => {
            throw new CliError(`${p.file}: ${e.message}`);
          });
          results.push({ file: p.file, kind: 'candles', r });
        }
        bar?.update(fs.statSync(p.file).size);
      }
    } finally {
      progress.stop();
      await store.close();
    }
    const bad = results.reduce((s, x) => s + x.r.badRowCount, 0);
    for (const x of results) {
      for (const b of x.r.badRows) io.err(`${formatBadRow(b)}\n`);
      if (x.r.badRowCount > x.r.badRows.length) io.err(`${x.file}: ... and ${x.r.badRowCount - x.r.badRows.length} more bad row(s)\n`);
    }
    if (opts.json) io.out(`${JSON.stringify({ store: storeLabel(spec), files: results.map(summaryOf) }, null, 2)}\n`);
    else {
      const rows = results.map((x) => {
        const s = summaryOf(x);
        return [path.basename(x.file), s.series, String(s.rows), String(s.imported), String(s.badRows), String(s.written.inserted), String(s.written.modified), String(s.written.unchanged), s.gaps === null ? '-' : `${s.gaps} (${s.missingBars} bars)`];
      });
      io.out(formatTable(['FILE', 'SERIES', 'ROWS', 'IMPORTED', 'BAD', 'INSERTED', 'MODIFIED', 'UNCHANGED', 'GAPS'], rows));
      const imported = results.reduce((s, x) => s + (x.kind === 'candles' ? x.r.candles : x.r.trades), 0);
      io.out(`${results.length} file(s): ${imported} ${isTrades ? 'trades' : 'candles'} imported, ${bad} bad row(s), into ${storeLabel(spec)}\n`);
    }
    if (opts.strict && bad > 0) throw new CliError(`${bad} bad row(s) (--strict)`);
  });
}

export function formatBadRow(b: BadRow): string {
  return `${b.file}:${b.line}: ${b.element !== undefined ? `element ${b.element}: ` : ''}${b.reason}`;
}

function summaryOf(x: FileResult) {
  if (x.kind === 'candles') {
    const r = x.r;
    return {
      file: x.file, series: `${r.series.exchange} ${r.series.symbol} ${r.series.timeframe}`, format: r.format, rows: r.rows, imported: r.candles, badRows: r.badRowCount,
      written: r.written, first: r.report.first, last: r.report.last, gaps: r.report.gaps.length, missingBars: r.report.missingBars, duplicates: r.report.duplicates.length,
    };
  }
  const r = x.r;
  return { file: x.file, series: `${r.format}`, format: r.format, rows: r.rows, imported: r.trades, badRows: r.badRowCount, written: r.written, first: r.first, last: r.last, gaps: null, missingBars: null, duplicates: null };
}
