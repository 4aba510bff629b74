import { defaultPipelineSpec, loadPipelineSpec, type PipelineSpec } from '@atp/backtest';
import type { ConfigIssue } from '@atp/nest-kit';

interface SpecKeys {
  readonly PIPELINE_SPEC?: string;
  readonly RUN_ID?: string;
  readonly EXCHANGE?: string;
}

/** The pipeline spec this service runs: `PIPELINE_SPEC`, else the built-in default under `RUN_ID`. Throws PipelineSpecError. */
export function serviceSpec(c: SpecKeys): PipelineSpec {
  return c.PIPELINE_SPEC ? loadPipelineSpec(c.PIPELINE_SPEC) : defaultPipelineSpec(c.RUN_ID ?? 'paper');
}

/** The configuration issue of the spec, if any: unreadable or invalid, or at odds with RUN_ID / EXCHANGE. */
export function specIssue(c: SpecKeys, key: (k: string) => string): ConfigIssue | undefined {
  let spec: PipelineSpec;
  try {
    spec = serviceSpec(c);
  } catch (e) {
    return { key: key('PIPELINE_SPEC'), rule: `must be a valid pipeline spec: ${(e as Error).message}` };
  }
  if (c.RUN_ID && c.RUN_ID !== spec.runId) return { key: key('RUN_ID'), rule: `must equal the pipeline spec's run id ${spec.runId}` };
  if (c.EXCHANGE && c.EXCHANGE !== spec.exchange) return { key: key('EXCHANGE'), rule: `must equal the pipeline spec's exchange ${spec.exchange}` };
  return undefined;
}
