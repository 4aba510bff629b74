import * as fs from 'node:fs';
import { parsePipelineSpec, PipelineSpecError, type PipelineSpec } from '../run-spec';

/**
 * Loads a pipeline spec from `source`: the JSON itself (starts with `{`) or a path to a JSON file
 * (the services' `PIPELINE_SPEC`). Throws PipelineSpecError naming the file and the problem.
 */
export function loadPipelineSpec(source: string): PipelineSpec {
  const text = source.trimStart().startsWith('{') ? source : readSpecFile(source);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PipelineSpecError(`pipeline spec ${source.trimStart().startsWith('{') ? '(inline JSON)' : source} is not JSON: ${(e as Error).message}`);
  }
  return parsePipelineSpec(parsed);
}

function readSpecFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new PipelineSpecError(`cannot read pipeline spec file ${file}: ${(e as Error).message}`);
  }
}
