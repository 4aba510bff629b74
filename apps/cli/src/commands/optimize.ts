import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Command, Option } from 'commander';
import { optimise, writeOptimiseResult, type EvalJob, type EvalResult, type Executor, type OptimiseConfig, type OptimiseResult, type SearchSpec } from '@atp/backtest';
import { strategyDefinition, strategyNames, type ParamValue } from '@atp/strategies';
import { CliError, EXIT, type CliIo } from '../io';
import { buildSpec, checkStrategy, dataOptions, loadSeries, parseParams, progressBar, type DataOptions } from './backtest';

const usage = (message: string) => new CliError(message, EXIT.usage);

/**
 * `--grid 'fast=5..20:5,slow=20..60:10,ma=sma|ema'` -> values per parameter (`a..b:step`
 * inclusive, `a|b|c` a list, `v` one value). Checks every name and value against the strategy's
 * declared parameters; the usage error names the parameter.
 */
export function parseGrid(strategy: string, text: string): Record<string, ParamValue[]> {
  const specs = strategyDefinition(strategy).parameters;
  const out: Record<string, ParamValue[]> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw usage(`--grid: "${part}" is not name=from..to:step or name=a|b`);
    const name = part.slice(0, eq).trim();
    const body = part.slice(eq + 1).trim();
    const spec = specs.find((s) => s.name === name);
    if (!spec) throw usage(`--grid: ${strategy} has no parameter "${name}"; known: ${specs.map((s) => s.name).join(', ')}`);
    let values: ParamValue[];
    const range = /^(-?[0-9.]+)\.\.(-?[0-9.]+)(?::([0-9.]+))?$/.exec(body);
    if (range) {
      if (spec.type !== 'int' && spec.type !== 'float') throw usage(`--grid: parameter ${name} is ${spec.type}, not numeric: list its values as a|b`);
      const [a, b, st] = [Number(range[1]), Number(range[2]), range[3] === undefined ? spec.step : Number(range[3])];
      if (![a, b, st].every(Number.isFinite) || !(st > 0) || a > b) throw usage(`--grid: parameter ${name}: "${body}" is not from..to:step with from <= to and step > 0`);
      values = [];
      for (let k = 0; k <= Math.floor((b - a) / st + 1e-9); k++) values.push(Number((a + k * st).toPrecision(12)));
    } else {
      values = body.split('|').map((v) => (v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v));
    }
    for (const v of values) {
      if (spec.type === 'int' || spec.type === 'float') {
        if (typeof v !== 'number' || v < spec.min || v > spec.max || (spec.type === 'int' && !Number.isInteger(v))) throw usage(`--grid: parameter ${name} must be ${spec.type === 'int' ? 'an integer' : 'a number'} in [${spec.min}, ${spec.max}], got ${JSON.stringify(v)}`);
      } else if (spec.type === 'enum') {
        if (typeof v !== 'string' || !spec.values.includes(v)) throw usage(`--grid: parameter ${name} must be one of ${spec.values.join(', ')}, got ${JSON.stringify(v)}`);
      } else if (typeof v !== 'boolean') throw usage(`--grid: parameter ${name} must be true|false, got ${JSON.stringify(v)}`);
    }
    out[name] = values;
  }
  if (Object.keys(out).length === 0) throw usage('--grid names no parameter');
  return out;
}

const ROOT = path.resolve(__dirname, '../../../..');
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
require(${JSON.stringify(path.join(ROOT, 'tools/register.cjs'))});
const { evaluateJob } = require(${JSON.stringify(path.join(ROOT, 'libs/backtest/src/index.ts'))});
const { config, series, jobs } = workerData;
for (const j of jobs) {
  const r = evaluateJob(config, series, j.job);
  parentPort.postMessage({ index: j.index, result: r }, [r.testReturns.buffer]);
}
`;

/**
 * A worker_threads executor that reports every finished job (for the progress bar): jobs are
 * dealt round-robin to `threads` workers, each evaluating them with `evaluateJob` (the library's
 * executors use the same function, so results are identical). Rejects when a worker fails.
 */
export function progressWorkerExecutor(threads: number, onJob: (done: number, total: number) => void): Executor {
  return async (config: OptimiseConfig, series, jobs: readonly EvalJob[]): Promise<EvalResult[]> => {
    const n = Math.max(1, Math.min(threads, jobs.length));
    const shares: { index: number; job: EvalJob }[][] = Array.from({ length: n }, () => []);
    jobs.forEach((job, index) => shares[index % n]!.push({ index, job }));
    const out = new Array<EvalResult>(jobs.length);
    let done = 0;
    await Promise.all(
      shares.map(
        (share) =>
          new Promise<void>((resolve, reject) => {
            let left = share.length;
            const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { config, series: series.map((s) => ({ ...s })), jobs: share } });
            w.on('message', (m: { index: number; result: EvalResult }) => {
              out[m.index] = m.result;
              onJob(++done, jobs.length);
              if (--left === 0) {
                void w.terminate();
                resolve();
              }
            });
            w.once('error', reject);
            w.once('exit', (code) => {
              if (left > 0) reject(new Error(`optimiser worker exited with code ${code} before finishing its jobs`));
            });
          }),
      ),
    );
    return out;
  };
}

const num = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '-');

/** The ranking table and the overfitting statistics, for stdout. */
export function optimiseSummary(r: OptimiseResult, top = 10): string {
  const header = ['rank', 'params', 'oos sharpe', 'oos return', 'oos trades', 'is sharpe'];
  const rows = r.ranked.slice(0, top).map((c) => [String(c.rank), Object.entries(c.params).map(([k, v]) => `${k}=${v}`).join(','), num(c.oosSharpe), pct(c.oosTotalReturn), String(c.oosTrades), num(c.isSharpe)]);
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i]!)).join('  ').trimEnd();
  return [
    `${r.ranked.length} candidates x ${r.folds.length} folds (${r.strategy}), ranked by out-of-sample Sharpe`,
    line(header),
    ...rows.map(line),
    `deflated Sharpe ratio  ${num(r.deflatedSharpe.dsr)} (best per-bar Sharpe ${num(r.deflatedSharpe.sharpe, 5)}, expected max of ${r.deflatedSharpe.trials} trials ${num(r.deflatedSharpe.sr0, 5)})`,
    `probability of backtest overfitting (PBO)  ${num(r.pbo.pbo)} over ${r.pbo.combinations} combinations`,
  ].join('\n') + '\n';
}

/** NaN and infinities as null in optimise.json. */
function jsonSafe(r: OptimiseResult): unknown {
  return JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

interface OptimizeOptions extends DataOptions {
  strategy: string;
  params?: string;
  grid?: string;
  random?: string;
  seed: string;
  folds: string;
  trainBlocks: string;
  anchored?: boolean;
  workers: string;
  slippageBps?: string;
  participation?: string;
  fillModel: 'next-open' | 'cheat-on-close';
  touchFills?: boolean;
  sizing?: string;
  capital: string;
  runId?: string;
  out?: string;
  progress: boolean;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1) throw usage(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

/**
 * `optimize`: grid or random search over a strategy's declared parameter ranges, each candidate
 * evaluated walk-forward (train / test windows) across worker threads, ranked on out-of-sample
 * Sharpe, with the deflated Sharpe ratio and the PBO of the selection; `optimise.json` in `--out`.
 */
export function optimizeCommand(io: CliIo): Command {
  const cmd = new Command('optimize')
    .description('Search strategy parameters walk-forward (grid or random), rank by out-of-sample Sharpe, report deflated Sharpe and PBO')
    .requiredOption('--strategy <name>', `registered strategy: ${strategyNames().join(', ')}`)
    .option('--grid <ranges>', "grid: 'fast=5..20:5,slow=20..60:10' (from..to:step inclusive, a|b lists); other parameters keep their value")
    .option('--random <n>', 'n random candidates from the declared ranges (instead of --grid)')
    .option('--seed <n>', 'seed of --random', '1')
    .option('--params <list>', 'parameters held fixed: k=v,... or JSON')
    .option('--folds <k>', 'walk-forward folds (test windows)', '4')
    .option('--train-blocks <n>', 'train window length, in test-window lengths (train/test split)', '2')
    .option('--anchored', 'anchored walk-forward: train from the start of the data')
    .option('--workers <n>', 'worker threads', String(Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1)));
  return dataOptions(cmd)
    .option('--slippage-bps <n>', 'slippage on market and stop fills, basis points')
    .option('--participation <pct>', 'volume participation cap, percent of a bar')
    .addOption(new Option('--fill-model <model>', 'market fills').choices(['next-open', 'cheat-on-close']).default('next-open'))
    .option('--touch-fills', 'limit orders fill on a touch')
    .option('--sizing <rule>', 'position sizing: fixed-fractional:1% | atr:1%:2 | kelly:WIN:PAYOFF:CAP[:FRACTION] | notional:1000')
    .option('--capital <amount>', 'initial cash, quote currency', '10000')
    .option('--run-id <id>', 'run id (default opt-<strategy>)')
    .option('--out <dir>', 'write optimise.json (ranking, folds, deflated Sharpe, PBO) here')
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (opts: OptimizeOptions) => {
      if (!strategyNames().includes(opts.strategy)) throw usage(`unknown strategy "${opts.strategy}"; valid strategies: ${strategyNames().join(', ')}`);
      const fixed = parseParams(opts.params);
      checkStrategy(opts.strategy, fixed);
      if ((opts.grid === undefined) === (opts.random === undefined)) throw usage('give either --grid <ranges> or --random <n>');
      const folds = positiveInt(opts.folds, '--folds');
      const trainBlocks = positiveInt(opts.trainBlocks, '--train-blocks');
      const workers = positiveInt(opts.workers, '--workers');
      let searchSpec: SearchSpec;
      let fixedParams: Record<string, ParamValue> = fixed;
      if (opts.grid !== undefined) {
        const ranges = parseGrid(opts.strategy, opts.grid);
        for (const k of Object.keys(ranges)) if (k in fixed) throw usage(`--grid and --params both give parameter ${k}`);
        searchSpec = { kind: 'grid', search: [], ranges };
      } else {
        const n = positiveInt(opts.random!, '--random');
        const search = strategyDefinition(opts.strategy).parameters.map((p) => p.name).filter((k) => !(k in fixed));
        searchSpec = { kind: 'random', n, seed: positiveInt(opts.seed, '--seed'), search };
      }
      fixedParams = Object.fromEntries(Object.entries(fixed));
      const series = await loadSeries(opts, io.env);
      const runId = opts.runId ?? `opt-${opts.strategy}`;
      const spec = buildSpec(runId, opts.strategy, fixedParams, series, { ...opts });
      const riskLimits = spec.risk?.limits;
      const config: OptimiseConfig = {
        runId,
        strategy: opts.strategy,
        fixed: fixedParams,
        searchSpec,
        folds,
        trainBlocks,
        ...(opts.anchored ? { anchored: true } : {}),
        initialCash: spec.initialCash,
        ...(spec.execution?.fillModel ? { fillModel: spec.execution.fillModel } : {}),
        ...(riskLimits ? { riskLimits: riskLimits as OptimiseConfig['riskLimits'] } : {}),
      };
      const bar = progressBar(io, 'optimize');
      let started = false;
      let result: OptimiseResult;
      try {
        result = await optimise(
          config,
          series,
          progressWorkerExecutor(workers, (done, total) => {
            if (!started && opts.progress) {
              bar.start(total);
              started = true;
            }
            bar.update(done, `jobs, ${workers} workers`);
          }),
        );
      } catch (e) {
        if (e instanceof CliError) throw e;
        const msg = (e as Error).message;
        if (/walk-forward|no valid candidate|grid search/.test(msg)) throw usage(msg);
        throw e;
      } finally {
        bar.stop();
      }
      io.out(optimiseSummary(result));
      if (opts.out) io.out(`result  ${writeOptimiseResult(path.resolve(opts.out), jsonSafe(result))}\n`);
    });
}
