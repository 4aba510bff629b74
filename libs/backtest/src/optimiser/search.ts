import type { ParamSpec, ParamValue } from '@atp/strategies';

/** One candidate parameter set. */
export type Candidate = Readonly<Record<string, ParamValue>>;

/** The values of one declared parameter the grid walks (inclusive range by step; enum values; both booleans). */
export function gridValues(spec: ParamSpec): ParamValue[] {
  if (spec.type === 'enum') return [...spec.values];
  if (spec.type === 'bool') return [false, true];
  const out: number[] = [];
  // Count steps in integers so float steps do not drift (0.1 + 0.2 ...).
  const n = Math.floor((spec.max - spec.min) / spec.step + 1e-9);
  for (let k = 0; k <= n; k++) {
    const v = spec.min + k * spec.step;
    out.push(spec.type === 'int' ? Math.round(v) : Number(v.toPrecision(12)));
  }
  return out;
}

/**
 * Cartesian grid over the declared ranges. `ranges` narrows a parameter to given values (or fixes
 * it with one value); parameters not in `ranges` and not in `search` keep their default. Throws when
 * the grid exceeds `maxCandidates` (default 10000) — use random search instead.
 */
export function gridSearch(specs: readonly ParamSpec[], opts: { search?: readonly string[]; ranges?: Readonly<Record<string, readonly ParamValue[]>>; maxCandidates?: number } = {}): Candidate[] {
  const axes = specs.map((s) => {
    const given = opts.ranges?.[s.name];
    if (given) return { name: s.name, values: [...given] };
    if (opts.search === undefined || opts.search.includes(s.name)) return { name: s.name, values: gridValues(s) };
    return { name: s.name, values: [s.default as ParamValue] };
  });
  const size = axes.reduce((a, x) => a * x.values.length, 1);
  const max = opts.maxCandidates ?? 10_000;
  if (size > max) throw new RangeError(`grid search: ${size} candidates exceed maxCandidates ${max}; narrow the ranges or use random search`);
  let out: Record<string, ParamValue>[] = [{}];
  for (const a of axes) {
    const next: Record<string, ParamValue>[] = [];
    for (const c of out) for (const v of a.values) next.push({ ...c, [a.name]: v });
    out = next;
  }
  return out;
}

/** Seeded xorshift32 in [0, 1): deterministic across machines. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

/**
 * `n` distinct random candidates drawn uniformly from the declared ranges (on the grid of each
 * parameter's step), deterministic for a seed. Parameters outside `search` keep their default.
 */
export function randomSearch(specs: readonly ParamSpec[], n: number, seed: number, opts: { search?: readonly string[] } = {}): Candidate[] {
  const rnd = seededRandom(seed);
  const axes = specs.map((s) => ({ name: s.name, values: opts.search === undefined || opts.search.includes(s.name) ? gridValues(s) : [s.default as ParamValue] }));
  const size = axes.reduce((a, x) => a * x.values.length, 1);
  const want = Math.min(n, size);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  let guard = 0;
  while (out.length < want && guard++ < want * 100) {
    const c: Record<string, ParamValue> = {};
    for (const a of axes) c[a.name] = a.values[Math.floor(rnd() * a.values.length)]!;
    const key = JSON.stringify(c);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

/** One walk-forward fold: train on [trainFrom, testFrom), test on [testFrom, testTo) (bar open times, ms). */
export interface Fold {
  readonly index: number;
  readonly trainFrom: number;
  readonly testFrom: number;
  readonly testTo: number;
}

/**
 * Walk-forward splits by time over [from, to): the span is cut into `folds + trainBlocks` equal
 * blocks (whole bars); fold k tests on block `trainBlocks + k` (the last fold runs to `to`) and
 * trains on the `trainBlocks` blocks before it (rolling) or on everything before it (anchored).
 * Throws when the span is too short or the counts are not positive integers.
 */
export function walkForwardFolds(from: number, to: number, barMs: number, opts: { folds: number; trainBlocks?: number; anchored?: boolean }): Fold[] {
  const folds = opts.folds;
  const trainBlocks = opts.trainBlocks ?? 2;
  if (!Number.isInteger(folds) || folds < 1) throw new RangeError(`walk-forward: folds must be a positive integer, got ${folds}`);
  if (!Number.isInteger(trainBlocks) || trainBlocks < 1) throw new RangeError(`walk-forward: trainBlocks must be a positive integer, got ${trainBlocks}`);
  const blocks = folds + trainBlocks;
  const len = Math.floor((to - from) / barMs / blocks) * barMs;
  if (len <= 0) throw new RangeError(`walk-forward: ${(to - from) / barMs} bars cannot make ${blocks} blocks`);
  const out: Fold[] = [];
  for (let k = 0; k < folds; k++) {
    const testFrom = from + (k + trainBlocks) * len;
    out.push({ index: k, trainFrom: opts.anchored ? from : from + k * len, testFrom, testTo: k === folds - 1 ? to : testFrom + len });
  }
  return out;
}
