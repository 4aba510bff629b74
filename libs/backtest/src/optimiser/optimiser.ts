import { timeframeMs, type DecimalString } from '@atp/core';
import type { FillModel } from '@atp/execution';
import type { RiskLimits } from '@atp/risk';
import { createStrategy, strategyDefinition, type ParamValue } from '@atp/strategies';
import { registeredStrategy, runBacktest } from '../engine';
import { sliceSeriesByTime, type BarSeries } from '../series';
import { deflatedSharpe, returnMoments } from './deflated-sharpe';
import { probabilityOfBacktestOverfitting } from './pbo';
import { gridSearch, randomSearch, walkForwardFolds, type Candidate, type Fold } from './search';

/** What to search: a grid over declared ranges, or seeded random draws from them. */
export type SearchSpec =
  | { readonly kind: 'grid'; readonly search?: readonly string[]; readonly ranges?: Readonly<Record<string, readonly ParamValue[]>>; readonly maxCandidates?: number }
  | { readonly kind: 'random'; readonly n: number; readonly seed: number; readonly search?: readonly string[] };

/** JSON-safe optimiser configuration (it travels to worker threads). */
export interface OptimiseConfig {
  readonly runId: string;
  /** Registry name of the strategy. */
  readonly strategy: string;
  /** Parameters held fixed (not searched). */
  readonly fixed?: Readonly<Record<string, ParamValue>>;
  readonly searchSpec: SearchSpec;
  readonly folds: number;
  /** Train window length in test-window blocks (default 2). */
  readonly trainBlocks?: number;
  /** Anchored walk-forward (train from the start) instead of rolling. */
  readonly anchored?: boolean;
  readonly initialCash: DecimalString;
  readonly fillModel?: Partial<FillModel>;
  readonly riskLimits?: RiskLimits;
}

/** One unit of work: one candidate on one fold (train run + test run). */
export interface EvalJob {
  readonly candidate: number;
  readonly params: Candidate;
  readonly fold: Fold;
}

export interface RunStats {
  readonly sharpe: number;
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  readonly trades: number;
}

export interface EvalResult {
  readonly candidate: number;
  readonly fold: number;
  readonly train: RunStats;
  readonly test: RunStats;
  /** Per-bar returns of the test window (out of sample). */
  readonly testReturns: Float64Array;
}

/** Runs a batch of jobs (in process, or across worker threads) and returns results in job order. */
export type Executor = (config: OptimiseConfig, series: readonly BarSeries[], jobs: readonly EvalJob[]) => Promise<EvalResult[]>;

function stats(r: ReturnType<typeof runBacktest>): RunStats {
  return { sharpe: r.metrics.bars.sharpe, totalReturn: r.metrics.bars.totalReturn, maxDrawdown: r.metrics.bars.maxDrawdown, trades: r.roundTrips.length };
}

/**
 * One candidate on one fold: a backtest on the train window, and one on the test window that
 * starts `warmupBars` earlier so the indicators are warm but trades (and metrics) start at the
 * test window. Pure and deterministic: the same job gives the same result in any thread.
 */
export function evaluateJob(config: OptimiseConfig, series: readonly BarSeries[], job: EvalJob): EvalResult {
  const params = { ...config.fixed, ...job.params };
  const barMs = timeframeMs(series[0]!.timeframe);
  const warm = createStrategy(config.strategy, params).warmupBars;
  const entry = registeredStrategy(config.strategy, params, config.strategy);
  const base = { runId: config.runId, strategies: [entry], initialCash: config.initialCash, fillModel: config.fillModel, riskLimits: config.riskLimits };
  const f = job.fold;
  const train = runBacktest(base, series.map((s) => sliceSeriesByTime(s, f.trainFrom, f.testFrom)));
  const test = runBacktest({ ...base, tradeFrom: f.testFrom + barMs }, series.map((s) => sliceSeriesByTime(s, f.testFrom - warm * barMs, f.testTo)));
  const eq = test.equity;
  let w = 0;
  while (w < eq.times.length && eq.times[w] < f.testFrom + barMs) w++;
  const rets = new Float64Array(Math.max(0, eq.times.length - w));
  let prev = w > 0 ? eq.equity[w - 1] : Number(config.initialCash);
  for (let i = w; i < eq.times.length; i++) {
    rets[i - w] = prev > 0 ? eq.equity[i] / prev - 1 : 0;
    prev = eq.equity[i];
  }
  return { candidate: job.candidate, fold: f.index, train: stats(train), test: stats(test), testReturns: rets };
}

/** The in-process executor: jobs one after the other. */
export const sequentialExecutor: Executor = (config, series, jobs) => Promise.resolve(jobs.map((j) => evaluateJob(config, series, j)));

export interface CandidateResult {
  readonly rank: number;
  readonly candidate: number;
  readonly params: Candidate;
  /** Annualised Sharpe of the concatenated out-of-sample per-bar returns: the ranking key. */
  readonly oosSharpe: number;
  readonly oosTotalReturn: number;
  readonly oosTrades: number;
  /** Mean in-sample (train) Sharpe over the folds. */
  readonly isSharpe: number;
  readonly folds: readonly { fold: number; train: RunStats; test: RunStats }[];
}

export interface OptimiseResult {
  readonly strategy: string;
  readonly folds: readonly Fold[];
  /** Candidates ranked by out-of-sample Sharpe (best first; NaN last). */
  readonly ranked: readonly CandidateResult[];
  readonly best: CandidateResult;
  /** Deflated Sharpe ratio of the best candidate over all trials (per-bar Sharpe ratios). */
  readonly deflatedSharpe: { dsr: number; sharpe: number; sr0: number; trials: number };
  /** Probability of backtest overfitting (CSCV over the candidates' out-of-sample returns). */
  readonly pbo: { pbo: number; combinations: number };
}

/**
 * Searches a registered strategy's declared parameter ranges (grid or random), evaluates each
 * candidate walk-forward (train / test windows by time) through `executor`, ranks candidates on
 * their out-of-sample results and reports the deflated Sharpe ratio and the PBO of the selection.
 * Throws on an unknown strategy, bad parameters or too few bars for the folds.
 */
export async function optimise(config: OptimiseConfig, series: readonly BarSeries[], executor: Executor = sequentialExecutor): Promise<OptimiseResult> {
  const def = strategyDefinition(config.strategy);
  const specs = def.parameters.filter((p) => config.fixed?.[p.name] === undefined);
  const s = config.searchSpec;
  const raw = s.kind === 'grid' ? gridSearch(specs, s) : randomSearch(specs, s.n, s.seed, s);
  // Drop candidates the strategy itself refuses (e.g. fast >= slow): they are not trials.
  const candidates = raw.filter((c) => {
    try {
      createStrategy(config.strategy, { ...config.fixed, ...c });
      return true;
    } catch {
      return false;
    }
  });
  if (candidates.length === 0) throw new Error(`optimise: no valid candidate for ${config.strategy}`);
  const s0 = series[0]!;
  const barMs = timeframeMs(s0.timeframe);
  const from = Math.min(...series.map((x) => x.openTime[0]));
  const to = Math.max(...series.map((x) => x.openTime[x.openTime.length - 1])) + barMs;
  const folds = walkForwardFolds(from, to, barMs, { folds: config.folds, trainBlocks: config.trainBlocks, anchored: config.anchored });
  const jobs: EvalJob[] = [];
  candidates.forEach((params, candidate) => folds.forEach((fold) => jobs.push({ candidate, params, fold })));
  const results = await executor(config, series, jobs);

  const ppy = (365 * 86_400_000) / barMs;
  const perCandidate = candidates.map((params, candidate) => {
    const mine = results.filter((r) => r.candidate === candidate).sort((a, b) => a.fold - b.fold);
    const total = mine.reduce((a, r) => a + r.testReturns.length, 0);
    const rets = new Float64Array(total);
    let o = 0;
    for (const r of mine) {
      rets.set(r.testReturns, o);
      o += r.testReturns.length;
    }
    const mo = returnMoments(rets);
    let growth = 1;
    for (let i = 0; i < rets.length; i++) growth *= 1 + rets[i];
    return {
      candidate,
      params,
      rets,
      perBarSharpe: mo.sharpe,
      oosSharpe: mo.sharpe * Math.sqrt(ppy),
      oosTotalReturn: growth - 1,
      oosTrades: mine.reduce((a, r) => a + r.test.trades, 0),
      isSharpe: mine.reduce((a, r) => a + (Number.isFinite(r.train.sharpe) ? r.train.sharpe : 0), 0) / Math.max(1, mine.length),
      folds: mine.map((r) => ({ fold: r.fold, train: r.train, test: r.test })),
    };
  });
  const key = (x: number) => (Number.isFinite(x) ? x : -Infinity);
  const order = [...perCandidate].sort((a, b) => key(b.oosSharpe) - key(a.oosSharpe) || a.candidate - b.candidate);
  const ranked: CandidateResult[] = order.map((c, i) => ({
    rank: i + 1,
    candidate: c.candidate,
    params: c.params,
    oosSharpe: c.oosSharpe,
    oosTotalReturn: c.oosTotalReturn,
    oosTrades: c.oosTrades,
    isSharpe: c.isSharpe,
    folds: c.folds,
  }));
  const bestRaw = order[0]!;
  const dsr = deflatedSharpe(
    bestRaw.rets,
    perCandidate.map((c) => c.perBarSharpe),
  );
  const pbo = probabilityOfBacktestOverfitting(perCandidate.map((c) => c.rets));
  return { strategy: config.strategy, folds, ranked, best: ranked[0]!, deflatedSharpe: dsr, pbo: { pbo: pbo.pbo, combinations: pbo.combinations } };
}
