import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EvalJob, EvalResult, Executor, OptimiseConfig } from '../optimiser/optimiser';
import type { BarSeries } from '../series';

/** The TypeScript loader of the repo (SWC), so workers can run the .ts sources. */
const REGISTER = path.resolve(__dirname, '../../../../tools/register.cjs');
const WORKER = path.resolve(__dirname, 'optimiser-worker.ts');

/**
 * An optimiser executor over `worker_threads`: jobs are dealt round-robin to `threads` workers
 * (default: CPU count, at most the job count), each of which gets the config and a copy of the bars
 * once and evaluates its jobs with the same `evaluateJob` as the in-process executor, so results are
 * identical. Results come back in job order. Rejects when a worker fails.
 */
export function workerExecutor(threads: number = os.availableParallelism?.() ?? os.cpus().length): Executor {
  return async (config: OptimiseConfig, series: readonly BarSeries[], jobs: readonly EvalJob[]): Promise<EvalResult[]> => {
    const n = Math.max(1, Math.min(threads, jobs.length));
    const shares: { index: number; job: EvalJob }[][] = Array.from({ length: n }, () => []);
    jobs.forEach((job, index) => shares[index % n]!.push({ index, job }));
    const out = new Array<EvalResult>(jobs.length);
    await Promise.all(
      shares.map(
        (share) =>
          new Promise<void>((resolve, reject) => {
            const w = new Worker(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(WORKER)});`, {
              eval: true,
              workerData: { config, series: series.map((s) => ({ ...s })), jobs: share.map((x) => x.job) },
            });
            w.once('message', (results: EvalResult[]) => {
              results.forEach((r, k) => (out[share[k]!.index] = r));
              void w.terminate();
              resolve();
            });
            w.once('error', reject);
            w.once('exit', (code) => {
              if (code !== 0 && code !== 1) reject(new Error(`optimiser worker exited with code ${code}`));
            });
          }),
      ),
    );
    return out;
  };
}
