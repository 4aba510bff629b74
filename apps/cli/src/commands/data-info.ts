import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import type { Timeframe } from '@atp/core';
import { importCandleFile, parseCandleFileName, scanSeries, type CandleDoc, type EpochUnit, type Gap } from '@atp/market-data';
import { CANDLES } from '@atp/market-data-ccxt';
import { formatTable } from '../format';
import { CliError, EXIT, type CliIo } from '../io';
import { formatBadRow, isoTime, openStore, parseColumns, parseStoreSpec, parseTimeframe, Progress, STORE_HELP, storeLabel } from './import';

/** What `data-info` reports for one series. Times are Unix ms (and ISO in the table). */
export interface SeriesInfo {
  source: string;
  exchange: string;
  symbol: string;
  timeframe: string;
  /** Data rows read (files) or documents (store). */
  rows: number;
  /** Distinct valid bars. */
  bars: number;
  first: number | null;
  last: number | null;
  gaps: Gap[];
  missingBars: number;
  duplicates: number;
  outOfOrder: number;
  badRows: number;
}

interface DataInfoOptions {
  data?: string[];
  store?: string;
  mongoUrl?: string;
  db?: string;
  exchange: string;
  symbol?: string;
  timeframe?: string;
  format: 'auto' | 'json' | 'csv';
  columns?: string;
  dateFormat?: string;
  epochUnit?: EpochUnit;
  json?: boolean;
  gaps?: boolean;
  progress: boolean;
}

/** Candle files under `p`: the file itself, or the candle files of a directory and of its `<exchange>-spot` folders. */
function candleFiles(p: string, exchange: string): { file: string; exchange: string }[] {
  if (!fs.existsSync(p)) throw new CliError(`--data: no such file or directory ${p}`);
  if (fs.statSync(p).isFile()) return [{ file: p, exchange: /^(.+)-spot$/.exec(path.basename(path.dirname(p)))?.[1] ?? exchange }];
  const out: { file: string; exchange: string }[] = [];
  const here = /^(.+)-spot$/.exec(path.basename(path.resolve(p)))?.[1] ?? exchange;
  for (const n of fs.readdirSync(p).sort()) {
    const full = path.join(p, n);
    if (fs.statSync(full).isDirectory()) {
      const m = /^(.+)-spot$/.exec(n);
      if (m) for (const f of fs.readdirSync(full).sort()) if (parseCandleFileName(f)) out.push({ file: path.join(full, f), exchange: m[1]! });
    } else if (parseCandleFileName(n.replace(/\.(csv|txt)(\.gz)?$/i, '.json'))) out.push({ file: full, exchange: here });
  }
  if (out.length === 0) throw new CliError(`--data: no candle files (like BTC_USDT-1h.json) in ${p}`);
  return out;
}

/**
 * `data-info`: coverage of candle data — rows, first and last bar, gaps (with the missing bar
 * counts), duplicates and bad rows per series — of files (`--data`, read in place) or of a store.
 */
export function dataInfoCommand(io: CliIo): Command {
  return new Command('data-info')
    .description('Coverage of candle data per exchange/symbol/timeframe: rows, first and last bar, gaps, duplicates, bad rows; of files (--data) or a store (--store)')
    .option('--data <path...>', 'candle files or directories (e.g. ../shared/data/binance-spot), read in place')
    .option('--store <store>', STORE_HELP)
    .option('--mongo-url <url>', 'MongoDB connection string for --store mongo (default: $MONGO_URL)')
    .option('--db <name>', 'database for --store mongo (default: <MONGO_DB or atp>_market-feed)')
    .option('--exchange <id>', 'exchange of files outside an <exchange>-spot folder', 'binance')
    .option('--symbol <symbol>', 'only this symbol (files: the symbol of a file whose name does not say it)')
    .option('--timeframe <tf>', 'only this timeframe (files: the timeframe of a file whose name does not say it)')
    .addOption(new Option('--format <format>', 'file format').choices(['auto', 'json', 'csv']).default('auto'))
    .option('--columns <map>', 'CSV column mapping field=header-or-index')
    .option('--date-format <format>', 'timestamp format of CSV files')
    .addOption(new Option('--epoch-unit <unit>', 'unit of numeric timestamps (default: by magnitude)').choices(['s', 'ms', 'us', 'ns']))
    .option('--gaps', 'list every gap under the table')
    .option('--json', 'print JSON (every gap included)')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: DataInfoOptions) => {
      if ((opts.data === undefined) === (opts.store === undefined)) throw new CliError('give either --data <path> or --store <store>', EXIT.usage);
      const tf = opts.timeframe !== undefined ? parseTimeframe(opts.timeframe) : undefined;
      const infos = opts.data ? await fromFiles(io, opts, tf) : await fromStore(io, opts, tf);
      infos.sort((a, b) => a.exchange.localeCompare(b.exchange) || a.symbol.localeCompare(b.symbol) || a.timeframe.localeCompare(b.timeframe) || a.source.localeCompare(b.source));
      if (opts.json) {
        io.out(`${JSON.stringify(infos, null, 2)}\n`);
        return;
      }
      io.out(formatTable(
        ['EXCHANGE', 'SYMBOL', 'TF', 'ROWS', 'FIRST', 'LAST', 'GAPS', 'MISSING', 'DUPLICATES', 'BAD', 'SOURCE'],
        infos.map((i) => [i.exchange, i.symbol, i.timeframe, String(i.rows), isoTime(i.first), isoTime(i.last), String(i.gaps.length), String(i.missingBars), String(i.duplicates), String(i.badRows), i.source]),
      ));
      if (opts.gaps) {
        for (const i of infos) for (const g of i.gaps) io.out(`gap ${i.exchange} ${i.symbol} ${i.timeframe}: ${isoTime(g.from)} .. ${isoTime(g.to)} (${g.missingBars} bar${g.missingBars === 1 ? '' : 's'} missing)\n`);
      }
      io.out(`${infos.length} series, ${infos.reduce((s, i) => s + i.bars, 0)} bars, ${infos.reduce((s, i) => s + i.gaps.length, 0)} gaps\n`);
    });
}

async function fromFiles(io: CliIo, opts: DataInfoOptions, tf: Timeframe | undefined): Promise<SeriesInfo[]> {
  const files = opts.data!.flatMap((p) => candleFiles(p, opts.exchange));
  const progress = new Progress(io, opts.progress);
  const bar = progress.bar('files', files.length, 'files');
  const out: SeriesInfo[] = [];
  try {
    for (const { file, exchange } of files) {
      const id = parseCandleFileName(path.basename(file).replace(/\.(csv|txt)(\.gz)?$/i, '.json'));
      const symbol = id?.symbol ?? opts.symbol;
      const timeframe = id?.timeframe ?? tf;
      if (!symbol || !timeframe) throw new CliError(`${file}: give --symbol and --timeframe (the file name does not say them)`, EXIT.usage);
      if ((opts.symbol && symbol !== opts.symbol) || (tf && timeframe !== tf)) continue;
      const r = await importCandleFile(file, {
        series: { exchange, symbol, timeframe },
        format: opts.format,
        ...(opts.columns ? { columns: parseColumns(opts.columns) } : {}),
        dateFormat: opts.dateFormat,
        epochUnit: opts.epochUnit,
        batchSize: 100_000,
        maxBadRowsListed: 5,
        sink: { upsertMany: async (d: readonly CandleDoc[]) => ({ inserted: d.length, modified: 0, unchanged: 0 }) },
      }).catch((e: Error) => {
        throw new CliError(`${file}: ${e.message}`);
      });
      for (const b of r.badRows) io.err(`${formatBadRow(b)}\n`);
      out.push({
        source: file, exchange, symbol, timeframe, rows: r.rows, bars: r.report.bars - r.report.duplicates.length, first: r.report.first, last: r.report.last,
        gaps: r.report.gaps, missingBars: r.report.missingBars, duplicates: r.report.duplicates.length, outOfOrder: r.report.outOfOrder.length, badRows: r.badRowCount,
      });
      bar?.increment();
    }
  } finally {
    progress.stop();
  }
  return out;
}

async function fromStore(io: CliIo, opts: DataInfoOptions, tf: Timeframe | undefined): Promise<SeriesInfo[]> {
  const spec = parseStoreSpec(opts.store!, opts, io.env);
  const store = await openStore(spec);
  const series = new Map<string, { exchange: string; symbol: string; timeframe: string; times: number[] }>();
  try {
    const repo = store.repository<CandleDoc>(CANDLES);
    const where: Record<string, string> = {};
    if (opts.symbol) where.symbol = opts.symbol;
    if (tf) where.timeframe = tf;
    for await (const batch of repo.iterate({ where }, 50_000)) {
      for (const d of batch) {
        const key = `${d.exchange}\u0000${d.symbol}\u0000${d.timeframe}`;
        let s = series.get(key);
        if (!s) series.set(key, (s = { exchange: d.exchange, symbol: d.symbol, timeframe: d.timeframe, times: [] }));
        s.times.push(d.openTime);
      }
    }
  } finally {
    await store.close();
  }
  return [...series.values()].map((s) => {
    const r = scanSeries(s.times, s.timeframe);
    return {
      source: storeLabel(spec), exchange: s.exchange, symbol: s.symbol, timeframe: s.timeframe, rows: s.times.length, bars: r.bars - r.duplicates.length, first: r.first, last: r.last,
      gaps: r.gaps, missingBars: r.missingBars, duplicates: r.duplicates.length, outOfOrder: r.outOfOrder.length, badRows: 0,
    };
  });
}
