import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BacktestResult } from '../engine';
import { renderReportHtml } from '../report/html';
import { resultJson } from '../report/report-data';
import type { BarSeries } from '../series';

/**
 * Writes a run's `report.html` (self-contained) and `result.json` into `dir` (created if missing).
 * Returns the two paths. Throws on I/O errors.
 */
/** Report folder of one strategy under a run folder. */
export function strategyReportDir(root: string, strategy: string): string {
  return path.join(root, strategy.replace(/[^A-Za-z0-9_-]/g, "_"));
}

export function writeReport(dir: string, result: BacktestResult, series: readonly BarSeries[], title?: string): { html: string; json: string } {
  fs.mkdirSync(dir, { recursive: true });
  const html = path.join(dir, 'report.html');
  const json = path.join(dir, 'result.json');
  fs.writeFileSync(html, renderReportHtml(result, series, title));
  fs.writeFileSync(json, JSON.stringify(resultJson(result), null, 1));
  return { html, json };
}

/** Writes an optimiser result as `optimise.json` in `dir` (NaN as null). Returns the path. */
export function writeOptimiseResult(dir: string, result: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'optimise.json');
  fs.writeFileSync(file, JSON.stringify(result, null, 1));
  return file;
}
