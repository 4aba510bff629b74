import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { isTimeframe, type Timeframe } from '@atp/core';
import {
  backtestConfigFromSpec,
  dataDir as recordedDataDir,
  loadRecordedSeries,
  parsePipelineSpec,
  PIPELINE_SPEC_VERSION,
  recordedSymbols,
  runBacktest,
  seriesFromRows,
  sliceSeriesByTime,
  writeReport,
  type BacktestResult,
  type BarSeries,
  type PipelineSpec,
} from '@atp/backtest';
import { importCandleFile, type CandleDoc } from '@atp/market-data';
import { createStrategy, strategyNames, type ParamValue } from '@atp/strategies';
import type { SizingRule } from '@atp/risk';
import { CliError, EXIT, processIo, type CliIo } from '../io';
import { parseColumnMap } from './features';

const usage = (message: string) => new CliError(message, EXIT.usage);

/** `--params fast=5,slow=20` or `--params '{"fast":5}'` -> raw values (the strategy checks them). */
export function parseParams(text: string | undefined): Record<string, ParamValue> {
  if (text === undefined || text.trim() === '') return {};
  const t = text.trim();
  if (t.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw usage(`--params: not JSON: ${(e as Error).message}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw usage('--params: expected a JSON object of parameters');
    return v as Record<string, ParamValue>;
  }
  const out: Record<string, ParamValue> = {};
  for (const part of t.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw usage(`--params: "${part}" is not name=value`);
    const k = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    out[k] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

/** Validates a strategy name and its parameters; usage error naming the strategies or the parameter. */
export function checkStrategy(name: string, params: Readonly<Record<string, unknown>>): void {
  if (!strategyNames().includes(name)) throw usage(`unknown strategy "${name}"; valid strategies: ${strategyNames().join(', ')}`);
  try {
    createStrategy(name, params);
  } catch (e) {
    throw usage(`--params: ${(e as Error).message}`);
  }
}

/** One fee rate: `10bps`, `0.1%` or a fraction `0.001`. */
function feeRate(text: string, bps: boolean): string {
  const t = text.trim();
  const m = /^([0-9]+(?:\.[0-9]+)?)(bps|%)?$/.exec(t);
  if (!m) throw usage(`--fees: "${text}" is not a rate (0.001), a percentage (0.1%) or basis points (10bps)`);
  const unit = m[2] ?? (bps ? 'bps' : '');
  const v = Number(m[1]);
  const rate = unit === 'bps' ? v / 10_000 : unit === '%' ? v / 100 : v;
  if (!(rate >= 0 && rate < 1)) throw usage(`--fees: rate ${text} must be in [0, 1)`);
  // decimal string without float noise
  return Number(rate.toPrecision(12)).toString();
}

/** `--fees 10bps`, `--fees 2/5bps` (maker/taker), `--fees 0.001`, `--fees maker=0.0002,taker=0.0005`. */
export function parseFees(text: string): { makerFee: string; takerFee: string } {
  const t = text.trim();
  const named = /^maker=([^,]+),taker=([^,]+)$/.exec(t);
  if (named) return { makerFee: feeRate(named[1]!, false), takerFee: feeRate(named[2]!, false) };
  const allBps = t.endsWith('bps');
  const parts = t.split('/');
  if (parts.length > 2) throw usage(`--fees: "${text}": give one rate or maker/taker`);
  const maker = feeRate(parts[0]!, allBps);
  return { makerFee: maker, takerFee: parts.length === 2 ? feeRate(parts[1]!, allBps) : maker };
}

/** A percentage `1%` or `1` -> "1" (percent, as @atp/risk reads it). */
function percent(text: string | undefined, what: string): string {
  const m = /^([0-9]+(?:\.[0-9]+)?)%?$/.exec((text ?? '').trim());
  if (!m || !(Number(m[1]) > 0)) throw usage(`--sizing ${what}: "${text ?? ''}" is not a positive percentage such as 1%`);
  return m[1]!;
}
function positive(text: string | undefined, what: string): string {
  const m = /^([0-9]+(?:\.[0-9]+)?)$/.exec((text ?? '').trim());
  if (!m || !(Number(m[1]) > 0)) throw usage(`--sizing ${what}: "${text ?? ''}" is not a positive number`);
  return m[1]!;
}

/**
 * `--sizing` -> an @atp/risk sizing rule: `fixed-fractional:1%` (risk to the stop), `atr:1%:2`
 * (risk %, ATR multiple), `kelly:0.55:1.5:0.25[:0.5]` (win rate, payoff ratio, cap, fraction),
 * `notional:1000`.
 */
export function parseSizing(text: string): SizingRule {
  const [method, ...a] = text.trim().split(':');
  switch (method) {
    case 'fixed-fractional':
      return { method: 'fixed-fractional', riskPct: percent(a[0], 'fixed-fractional risk') };
    case 'atr':
      return { method: 'atr', riskPct: percent(a[0], 'atr risk'), atrMultiple: a[1] === undefined ? '2' : positive(a[1], 'atr multiple') };
    case 'kelly': {
      const winRate = positive(a[0], 'kelly win rate');
      if (Number(winRate) > 1) throw usage(`--sizing kelly win rate must be in (0, 1], got ${winRate}`);
      return { method: 'kelly', winRate, payoffRatio: positive(a[1], 'kelly payoff ratio'), cap: a[2] === undefined ? '1' : positive(a[2], 'kelly cap'), ...(a[3] !== undefined ? { fraction: positive(a[3], 'kelly fraction') } : {}) };
    }
    case 'notional':
    case 'fixed-notional':
      return { method: 'fixed-notional', notional: positive(a[0], 'notional') };
    default:
      throw usage(`--sizing: unknown method "${method}"; use fixed-fractional:1%, atr:1%:2, kelly:WIN:PAYOFF:CAP[:FRACTION] or notional:1000`);
  }
}

/** `2024-01-01`, `2024-01-01T12:00Z` or epoch ms -> ms. */
export function parseTime(text: string, flag: string): number {
  const t = text.trim();
  const ms = /^\d{11,}$/.test(t) ? Number(t) : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
  if (!Number.isFinite(ms)) throw usage(`${flag}: "${text}" is not a date (YYYY-MM-DD, ISO 8601 or epoch ms)`);
  return ms;
}

/** Timeframe and symbol from a freqtrade-style file name (`BTC_USDT-1h.json`), when they are there. */
function fromFileName(file: string): { timeframe?: Timeframe; symbol?: string } {
  const m = /^([A-Z0-9]+)_([A-Z0-9]+)-([0-9]+[mhdwM])\b/i.exec(path.basename(file));
  if (!m) return {};
  return { symbol: `${m[1]!.toUpperCase()}/${m[2]!.toUpperCase()}`, ...(isTimeframe(m[3]!) ? { timeframe: m[3] as Timeframe } : {}) };
}

export interface DataOptions {
  data?: string;
  symbols?: string;
  timeframe?: string;
  from?: string;
  to?: string;
  exchange: string;
  columns?: string;
  dateFormat?: string;
}

/** The options of {@link loadSeries}, shared by `backtest` and `optimize`. */
export function dataOptions(c: Command): Command {
  return c
    .option('--data <files>', 'candle file(s), comma-separated: freqtrade/ccxt JSON or exchange/vendor CSV (symbol and timeframe from names like BTC_USDT-1h.json)')
    .option('--columns <map>', 'CSV column mapping of --data: field=header-or-index, e.g. time=Date,open=Open,high=High,low=Low,close=Close,volume=Volume')
    .option('--date-format <format>', 'timestamp format of the --data time column, e.g. "YYYY-MM-DD HH:mm:ss" (default: epoch numbers or ISO 8601)')
    .option('--symbols <list>', 'BASE/QUOTE symbols: recorded candles in DATA_DIR (without --data), or the symbols of the --data files')
    .option('--timeframe <tf>', 'bar timeframe (default 1h for recorded symbols; from the file name for --data)')
    .option('--exchange <id>', 'exchange id of --data files', 'binance')
    .option('--from <date>', 'first bar open time (YYYY-MM-DD, ISO 8601 or epoch ms), inclusive')
    .option('--to <date>', 'end of the range (bar open time), exclusive');
}

/**
 * The bars to run on: candle files (`--data`, any format the market-data importers read; symbol
 * and timeframe from the file name or `--symbols`/`--timeframe`) or recorded symbols
 * (`--symbols` + `--timeframe` from DATA_DIR), cut to `--from`/`--to`.
 */
export async function loadSeries(o: DataOptions, env: CliIo['env']): Promise<BarSeries[]> {
  const symbols = o.symbols?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const s of symbols ?? []) if (!/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/.test(s)) throw usage(`--symbols: "${s}" is not BASE/QUOTE`);
  if (o.timeframe !== undefined && !isTimeframe(o.timeframe)) throw usage(`--timeframe: "${o.timeframe}" is not a timeframe such as 1h`);
  let series: BarSeries[];
  if (o.data !== undefined) {
    const files = o.data.split(',').map((f) => f.trim()).filter(Boolean);
    if (symbols && symbols.length !== files.length) throw usage(`--symbols names ${symbols.length} symbol(s) for ${files.length} --data file(s)`);
    series = [];
    for (const [i, file] of files.entries()) {
      const guess = fromFileName(file);
      const timeframe = (o.timeframe ?? guess.timeframe) as Timeframe | undefined;
      if (!timeframe) throw usage(`--timeframe is required when the file name does not give it (${file})`);
      const symbol = symbols?.[i] ?? guess.symbol;
      if (!symbol) throw usage(`--symbols is required when the file name does not give the symbol (${file})`);
      if (!fs.existsSync(file)) throw usage(`--data: no such file ${file}`);
      const docs: CandleDoc[] = [];
      await importCandleFile(file, {
        series: { exchange: o.exchange, symbol, timeframe },
        ...(o.columns ? { columns: parseColumnMap(o.columns) } : {}),
        ...(o.dateFormat ? { dateFormat: o.dateFormat } : {}),
        sink: {
          async upsertMany(batch) {
            for (const d of batch) docs.push(d);
            return { inserted: batch.length, modified: 0, unchanged: 0 };
          },
        },
      });
      const byTime = new Map<number, CandleDoc>();
      for (const d of docs) byTime.set(d.openTime, d);
      const bars = [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
      if (bars.length === 0) throw new CliError(`${file}: no valid candle`);
      series.push(seriesFromRows(o.exchange, symbol, timeframe, bars.map((b) => [b.openTime, b.open, b.high, b.low, b.close, b.volume])));
    }
    const tfs = new Set(series.map((s) => s.timeframe));
    if (tfs.size > 1) throw usage(`--data: the files have different timeframes (${[...tfs].join(', ')})`);
  } else {
    if (!symbols || symbols.length === 0) throw usage('give --data FILE[,FILE] or --symbols BASE/QUOTE[,...] (recorded candles)');
    const timeframe = (o.timeframe ?? '1h') as Timeframe;
    const dir = env['DATA_DIR'] ?? recordedDataDir();
    let available: string[];
    try {
      available = recordedSymbols(timeframe, dir);
    } catch {
      throw new CliError(`no recorded candles under ${path.join(dir, 'binance-spot')} (set DATA_DIR)`);
    }
    for (const s of symbols) if (!available.includes(s)) throw usage(`--symbols: no recorded ${timeframe} candles for ${s}; recorded: ${available.join(', ') || 'none'}`);
    series = symbols.map((s) => loadRecordedSeries(s, timeframe, dir));
  }
  const from = o.from !== undefined ? parseTime(o.from, '--from') : -Infinity;
  const to = o.to !== undefined ? parseTime(o.to, '--to') : Infinity;
  if (!(from < to)) throw usage(`--from must be before --to`);
  if (o.from !== undefined || o.to !== undefined) series = series.map((s) => sliceSeriesByTime(s, from, to));
  for (const s of series) if (s.openTime.length === 0) throw usage(`${s.symbol}: no bars in the --from/--to range`);
  return series;
}

export interface ExecutionOptions {
  fees?: string;
  slippageBps?: string;
  participation?: string;
  fillModel: 'next-open' | 'cheat-on-close';
  touchFills?: boolean;
  sizing?: string;
  capital: string;
}

/** Strategy, markets, fill model and sizing as a validated pipeline spec (the services' format). */
export function buildSpec(runId: string, strategy: string, params: Record<string, ParamValue>, series: readonly BarSeries[], o: ExecutionOptions): PipelineSpec {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) throw usage(`--run-id must be 1-64 characters of [A-Za-z0-9_-] (got "${runId}")`);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(o.capital) || !(Number(o.capital) > 0)) throw usage(`--capital: "${o.capital}" is not a positive decimal`);
  const slippageBps = o.slippageBps === undefined ? undefined : Number(o.slippageBps);
  if (slippageBps !== undefined && !(slippageBps >= 0 && slippageBps < 10_000)) throw usage(`--slippage-bps must be in [0, 10000), got "${o.slippageBps}"`);
  const participation = o.participation === undefined ? undefined : Number(o.participation.replace(/%$/, ''));
  if (participation !== undefined && !(participation > 0 && participation <= 100)) throw usage(`--participation must be a percentage in (0, 100], got "${o.participation}"`);
  const fees = o.fees !== undefined ? parseFees(o.fees) : undefined;
  const sizing = o.sizing !== undefined ? parseSizing(o.sizing) : undefined;
  try {
    return parsePipelineSpec({
      version: PIPELINE_SPEC_VERSION,
      runId,
      exchange: series[0]!.exchange,
      timeframe: series[0]!.timeframe,
      symbols: series.map((s) => s.symbol),
      initialCash: o.capital,
      strategies: [{ id: strategy, strategy, params }],
      ...(sizing ? { risk: { limits: { sizing } } } : {}),
      execution: {
        fillModel: {
          marketFill: o.fillModel,
          touchFills: o.touchFills ?? false,
          ...(slippageBps !== undefined ? { slippageBps } : {}),
          ...(participation !== undefined ? { participationPct: participation } : {}),
        },
        ...(fees ? { markets: series.map((s) => ({ symbol: s.symbol, ...fees })) } : {}),
      },
    });
  } catch (e) {
    throw usage((e as Error).message);
  }
}

/** A cli-progress bar on the verb's stderr (redrawn in place on a terminal, a line now and then otherwise). */
export function progressBar(io: CliIo, label: string): { start(total: number): void; update(done: number, info?: string): void; stop(): void } {
  const tty = io === processIo && !!process.stderr.isTTY;
  // cli-progress writes to a stream: this one forwards to the verb's stderr (a test captures it)
  const stream: Record<string, unknown> = { write: (s: string) => (io.err(s), true), isTTY: tty, columns: tty ? process.stderr.columns : 120 };
  stream['on'] = stream['removeListener'] = () => stream;
  const bar = new SingleBar(
    { stream: stream as unknown as NodeJS.WritableStream, format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {info}`, noTTYOutput: true, notTTYSchedule: 1000, hideCursor: tty, etaBuffer: 50 },
  );
  let started = false;
  return {
    start(total) {
      bar.start(Math.max(1, total), 0, { info: '' });
      started = true;
    },
    update(done, info = '') {
      if (started) bar.update(done, { info });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** The few lines the verb prints on stdout. */
export function summary(r: BacktestResult): string {
  const m = r.metrics;
  const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '-');
  const num = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
  const rows: [string, string][] = [
    ['run', `${r.runId} (${r.strategies.map((s) => s.version).join(', ')})`],
    ['bars', `${r.bars} (${r.symbols.join(', ')} ${r.timeframe})`],
    ['final equity', `${r.final.equity} (initial ${r.initialCash})`],
    ['realized / unrealized / fees', `${r.final.realized} / ${r.final.unrealized} / ${r.final.fees}`],
    ['total return', pct(m.bars.totalReturn)],
    ['sharpe / sortino', `${num(m.bars.sharpe)} / ${num(m.bars.sortino)}`],
    ['max drawdown', pct(m.bars.maxDrawdown)],
    ['trades / win rate', `${m.trades.trades} / ${pct(m.trades.winRate)}`],
    ['fills / rejected', `${r.fills.length} / ${r.rejected.length}`],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}

interface BacktestOptions extends DataOptions, ExecutionOptions {
  strategy: string;
  params?: string;
  runId?: string;
  out?: string;
  progress: boolean;
}

/**
 * `backtest`: one registered strategy over candle files or recorded symbols, in process (the
 * libs' engine, paper fills, risk sizing), writing `report.html` and `result.json` to `--out`.
 * Exit 2 on a bad option (the message names it), 1 when the run fails.
 */
export function backtestCommand(io: CliIo): Command {
  const cmd = new Command('backtest')
    .description('Backtest a strategy on candle files or recorded symbols; write report.html and result.json')
    .requiredOption('--strategy <name>', `registered strategy: ${strategyNames().join(', ')}`)
    .option('--params <list>', 'strategy parameters: k=v,... or a JSON object (default: the declared defaults)');
  return dataOptions(cmd)
    .option('--fees <rates>', 'maker/taker fees: 10bps, 2/5bps, 0.1%, 0.001 or maker=0.0002,taker=0.0005 (default 0.1% each)')
    .option('--slippage-bps <n>', 'slippage against the trader on market and stop fills, basis points (default 0)')
    .option('--participation <pct>', 'at most this percentage of a bar volume fills on that bar (default: no cap)')
    .addOption(new Option('--fill-model <model>', 'market orders fill at the next open, or at the deciding bar close').choices(['next-open', 'cheat-on-close']).default('next-open'))
    .option('--touch-fills', 'limit orders fill when the bar only touches the limit')
    .option('--sizing <rule>', 'position sizing: fixed-fractional:1% | atr:1%:2 | kelly:WIN:PAYOFF:CAP[:FRACTION] | notional:1000 (default: 95% of equity)')
    .option('--capital <amount>', 'initial cash, quote currency', '10000')
    .option('--run-id <id>', 'run id of the deterministic order and fill ids (default bt-<strategy>)')
    .option('--out <dir>', 'write report.html and result.json here')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (opts: BacktestOptions) => {
      const params = parseParams(opts.params);
      checkStrategy(opts.strategy, params);
      const series = await loadSeries(opts, io.env);
      const spec = buildSpec(opts.runId ?? `bt-${opts.strategy}`, opts.strategy, params, series, opts);
      const total = series.reduce((a, s) => a + s.openTime.length, 0);
      const bar = progressBar(io, 'backtest');
      if (opts.progress) bar.start(total);
      let result: BacktestResult;
      try {
        result = runBacktest(
          backtestConfigFromSpec(spec, {
            progressEvery: Math.max(1, Math.floor(total / 100)),
            onProgress: (p) => bar.update(p.done, `fills ${p.fills}`),
          }),
          series,
        );
        bar.update(total, `fills ${result.fills.length}`);
      } finally {
        bar.stop();
      }
      io.out(summary(result));
      if (opts.out) {
        const files = writeReport(path.resolve(opts.out), result, series, `${opts.strategy} on ${result.symbols.join(', ')} ${result.timeframe}`);
        io.out(`report  ${files.html}\nresult  ${files.json}\n`);
      }
    });
}
