// Test-only: runs TA-Lib's C code through the npm `talib` addon (TA-Lib 0.4.0,
// default compatibility, no unstable period) and aligns its outputs to the input
// index, NaN before `begIndex`.
const talib = require('talib') as {
  execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> };
};

export interface TalibResult {
  begIndex: number;
  outputs: Record<string, Float64Array>;
}

export function runTalib(name: string, inputs: Record<string, Float64Array>, options: Record<string, number> = {}): TalibResult {
  const first = Object.values(inputs)[0];
  const n = first.length;
  const args: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...options };
  for (const [k, v] of Object.entries(inputs)) args[k] = Array.from(v);
  const r = talib.execute(args);
  const outputs: Record<string, Float64Array> = {};
  for (const [k, vals] of Object.entries(r.result)) {
    const a = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) a[r.begIndex + i] = vals[i];
    outputs[k] = a;
  }
  return { begIndex: r.begIndex, outputs };
}

/** Index of the first non-NaN value, or -1. */
export function firstValid(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) return i;
  return -1;
}

/**
 * Largest relative error |a-b| / max(1, |b|) over indices >= from, and where it is.
 * A NaN on one side only counts as an infinite error.
 */
export function maxRelError(a: Float64Array, b: Float64Array, from = 0): { err: number; at: number } {
  let err = 0;
  let at = -1;
  for (let i = from; i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    const e = Number.isNaN(x) || Number.isNaN(y) ? Infinity : Math.abs(x - y) / Math.max(1, Math.abs(y));
    if (e > err) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}

/** Relative tolerance of the TA-Lib parity tests: |a-b| <= 1e-9 * max(1, |b|). */
export const TALIB_TOLERANCE = 1e-9;

/**
 * Asserts one of our outputs equals TA-Lib's after warm-up (within
 * TALIB_TOLERANCE) and starts at TA-Lib's begIndex (first non-NaN index).
 */
export function expectMatchesTalib(label: string, mine: Float64Array, talib: TalibResult, output: string): void {
  const ref = talib.outputs[output];
  if (!ref) throw new Error(`${label}: TA-Lib has no output ${output}; has ${Object.keys(talib.outputs).join(', ')}`);
  const first = firstValid(mine);
  const { err, at } = maxRelError(mine, ref, 0);
  const report = { label, first, begIndex: talib.begIndex, err, at, mine: mine[at], talib: ref[at] };
  expect({ ...report, sameStart: first === talib.begIndex, withinTolerance: err <= TALIB_TOLERANCE }).toEqual({ ...report, sameStart: true, withinTolerance: true });
}
