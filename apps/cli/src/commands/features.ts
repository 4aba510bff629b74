import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { isTimeframe, type Timeframe } from '@atp/core';
import { columnNames, computeIndicator, featureSet, FEATURE_SETS, parseIndicatorSpec, formatIndicatorSpec, type OhlcvSeries } from '@atp/indicators';
import { importCandleFile, type CandleColumnMap, type CandleDoc } from '@atp/market-data';
import { CliError, EXIT, type CliIo } from '../io';

interface FeaturesOptions {
  data: string;
  set?: string;
  indicators?: string;
  out?: string;
  format: 'auto' | 'json' | 'csv';
  columns?: string;
  dateFormat?: string;
  timeframe?: string;
  symbol?: string;
  exchange: string;
}

/** `--columns time=Date,open=Open,...` (header names or 0-based indexes) -> a column map. */
export function parseColumnMap(text: string): Partial<CandleColumnMap> {
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

/** The indicator specs of `--set` or `--indicators` (parameters written out). Throws a usage error. */
export function featureSpecs(opts: { set?: string; indicators?: string }): string[] {
  if ((opts.set === undefined) === (opts.indicators === undefined)) throw new CliError('give either --set <name> or --indicators <list>', EXIT.usage);
  let specs: string[];
  try {
    specs = opts.set !== undefined ? [...featureSet(opts.set).specs] : opts.indicators!.split(',').map((s) => s.trim()).filter(Boolean).map((s) => formatIndicatorSpec(parseIndicatorSpec(s)));
  } catch (e) {
    throw new CliError((e as Error).message, EXIT.usage);
  }
  if (specs.length === 0) throw new CliError('--indicators lists no indicator', EXIT.usage);
  const cols = specs.flatMap((s) => columnNames(s));
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup) throw new CliError(`column ${dup} appears twice`, EXIT.usage);
  return specs;
}

/** Timeframe and symbol from a freqtrade-style file name (`BTC_USDT-1h.json`), when they are there. */
function fromFileName(file: string): { timeframe?: Timeframe; symbol?: string } {
  const m = /^([A-Z0-9]+)_([A-Z0-9]+)-([0-9]+[mhdw])\b/i.exec(path.basename(file));
  if (!m) return {};
  return { symbol: `${m[1]!.toUpperCase()}/${m[2]!.toUpperCase()}`, ...(isTimeframe(m[3]!) ? { timeframe: m[3] as Timeframe } : {}) };
}

/** A float64 in CSV: the shortest text that reads back to the same double; empty for NaN (warm-up). */
function cell(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/**
 * `features`: computes a named feature set or listed indicators over a candle file (any format the
 * market-data importers read) with the batch indicators (bit-identical to the streaming ones the
 * features service and the backtester run) and writes CSV: `open_time` (ms), then one column per
 * output, empty during that output's warm-up.
 */
export function featuresCommand(io: CliIo): Command {
  return new Command('features')
    .description('Compute a feature set or indicators over a candle file and write CSV (open_time in ms, one column per output, empty during warm-up)')
    .requiredOption('--data <path>', 'candle file: freqtrade/ccxt JSON array, or CSV from an exchange or data vendor')
    .option('--set <name>', `named feature set: ${Object.keys(FEATURE_SETS).join(', ')}`)
    .option('--indicators <list>', 'indicators with parameters, e.g. rsi:14,macd:12:26:9,bbands:20:2')
    .option('--out <file>', 'write the CSV here (default: stdout)')
    .addOption(new Option('--format <format>', 'file format').choices(['auto', 'json', 'csv']).default('auto'))
    .option('--columns <map>', 'CSV column mapping: field=header-or-index, e.g. time=Date,open=Open,high=High,low=Low,close=Close,volume=Volume')
    .option('--date-format <format>', 'timestamp format of the time column, e.g. "YYYY-MM-DD HH:mm:ss" (default: epoch numbers or ISO 8601)')
    .option('--timeframe <tf>', 'bar timeframe (default: from a file name like BTC_USDT-1h.json)')
    .option('--symbol <symbol>', 'symbol, BASE/QUOTE (default: from the file name)')
    .option('--exchange <id>', 'exchange id', 'binance')
    .action(async (opts: FeaturesOptions) => {
      const specs = featureSpecs(opts);
      const guess = fromFileName(opts.data);
      const timeframe = opts.timeframe ?? guess.timeframe;
      if (!timeframe || !isTimeframe(timeframe)) throw new CliError(`--timeframe is required (a ccxt timeframe such as 1h) when the file name does not give it${opts.timeframe ? ` (got "${opts.timeframe}")` : ''}`, EXIT.usage);
      if (!fs.existsSync(opts.data)) throw new CliError(`--data: no such file ${opts.data}`);
      const docs: CandleDoc[] = [];
      const res = await importCandleFile(opts.data, {
        series: { exchange: opts.exchange, symbol: opts.symbol ?? guess.symbol ?? 'UNKNOWN/UNKNOWN', timeframe },
        format: opts.format,
        ...(opts.columns ? { columns: parseColumnMap(opts.columns) } : {}),
        ...(opts.dateFormat ? { dateFormat: opts.dateFormat } : {}),
        sink: {
          async upsertMany(batch) {
            for (const d of batch) docs.push(d);
            return { inserted: batch.length, modified: 0, unchanged: 0 };
          },
        },
      });
      if (res.badRowCount > 0) io.err(`warning: ${res.badRowCount} bad row(s) skipped (first: line ${res.badRows[0]?.line}: ${res.badRows[0]?.reason})\n`);
      // ascending open time; a repeated open time keeps the last row read
      const byTime = new Map<number, CandleDoc>();
      for (const d of docs) byTime.set(d.openTime, d);
      const bars = [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
      if (bars.length === 0) throw new CliError(`${opts.data}: no valid candle`);
      const n = bars.length;
      const series: OhlcvSeries = { openTime: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) } as OhlcvSeries;
      bars.forEach((b, i) => {
        series.openTime[i] = b.openTime;
        series.open[i] = b.open;
        series.high[i] = b.high;
        series.low[i] = b.low;
        series.close[i] = b.close;
        series.volume[i] = b.volume;
      });
      const columns: string[] = [];
      const values: Float64Array[] = [];
      for (const spec of specs) {
        columns.push(...columnNames(spec));
        values.push(...Object.values(computeIndicator(spec, series)));
      }
      const lines: string[] = [['open_time', ...columns].join(',')];
      for (let i = 0; i < n; i++) {
        let line = String(series.openTime[i]);
        for (const v of values) line += `,${cell(v[i]!)}`;
        lines.push(line);
      }
      const text = `${lines.join('\n')}\n`;
      if (opts.out) {
        fs.writeFileSync(opts.out, text);
        io.err(`${n} rows x ${columns.length} columns -> ${opts.out}\n`);
      } else io.out(text);
    });
}
