// Worker-thread body of `workerExecutor`: evaluates its share of the optimiser's jobs and posts
// the results back (the test-window returns travel as transferable buffers).
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateJob, type EvalJob, type OptimiseConfig } from '../optimiser/optimiser';
import type { BarSeries } from '../series';

const data = workerData as { config: OptimiseConfig; series: BarSeries[]; jobs: EvalJob[] };
const results = data.jobs.map((j) => evaluateJob(data.config, data.series, j));
parentPort!.postMessage(
  results,
  results.map((r) => r.testReturns.buffer as ArrayBuffer),
);
