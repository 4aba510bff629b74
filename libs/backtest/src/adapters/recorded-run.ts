import * as path from 'node:path';
import type { Timeframe } from '@atp/core';
import { registeredStrategy, runBacktest, type BacktestConfig, type BacktestResult } from '../engine';
import type { BarSeries } from '../series';
import { loadRecordedSeries } from './recorded-data';
import { strategyReportDir, writeReport } from './report-writer';

export interface RecordedRunOptions extends Omit<BacktestConfig, 'strategies' | 'runId'> {
  readonly runId?: string;
  /** Registry name and parameters of the strategy. */
  readonly strategy: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  /** Data folder (default `$DATA_DIR` or `<repo>/../shared/data`). */
  readonly dataDir?: string;
  /** Where to write `<strategy>/report.html` and `result.json`; no report when absent. */
  readonly reportDir?: string;
}

/**
 * The CLI's `backtest` verb as one call: loads the recorded candles of the symbols, runs the
 * registered strategy over them and writes the report. Throws on a missing data file or a bad
 * parameter (the message names it).
 */
export function runRecordedBacktest(o: RecordedRunOptions): { result: BacktestResult; series: BarSeries[]; report?: { html: string; json: string } } {
  const series = o.symbols.map((s) => loadRecordedSeries(s, o.timeframe, o.dataDir));
  const { strategy, params, symbols: _s, timeframe: _t, dataDir: _d, reportDir, runId, ...config } = o;
  const result = runBacktest({ ...config, runId: runId ?? `bt-${strategy}`, strategies: [registeredStrategy(strategy, params ?? {})] }, series);
  const report = reportDir !== undefined ? writeReport(strategyReportDir(path.resolve(reportDir), strategy), result, series, `${strategy} on ${o.symbols.join(', ')} ${o.timeframe}`) : undefined;
  return { result, series, ...(report ? { report } : {}) };
}
