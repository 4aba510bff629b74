/** Returned by {@link jsonSnapshot} for a value it does not copy (anything but plain JSON data). */
export const NOT_PLAIN: unique symbol = Symbol('not plain JSON data');

/** Deeper than this, {@link jsonSnapshot} gives up (a cycle, or absurd nesting): the JSON path decides. */
const MAX_DEPTH = 64;

/**
 * How {@link copySnapshot} copies a snapshot's object or array: `shallow` copies an object's
 * top level (a function compiled for its keys, see {@link shapeOf}; undefined: the generic
 * deep copy), an array's is a slice; then the positions listed in `nested` (`[key, plan, ...]`,
 * array positions as numbers), which hold objects or arrays, are copied in turn by their plans.
 */
export interface CopyPlan {
  readonly shallow: ((s: Record<string, unknown>) => Record<string, unknown>) | undefined;
  readonly nested: readonly (string | number | CopyPlan)[] | null;
}

/** The plan of the value `snap` returned last (an out-parameter: no pair allocated per value); null for a primitive. */
let lastPlan: CopyPlan | null = null;

const FLAT_ARRAY: CopyPlan = Object.freeze({ shallow: undefined, nested: null });

/**
 * A key list (an object's keys in order) and its object-literal copier, compiled once:
 * `{"k1": s["k1"], ...}` allocates the copy with its final layout at once, where a key-by-key
 * copy (or a spread at a call site that sees many layouts) costs ten times more. Keys enter the
 * code as JSON string literals (`__proto__` never does: jsonSnapshot refuses it).
 */
interface Shape {
  readonly keys: readonly string[];
  readonly copier: NonNullable<CopyPlan['shallow']>;
  /** The plan of a flat object of this shape (nothing nested): shared, not allocated per value. */
  readonly flat: CopyPlan;
}

/** Shapes by first key (and key count): a lookup compares a few key lists, string by string (property names are interned: a pointer each). */
const shapes = new Map<string, Shape[]>();
/** Shapes so far, and the bound: objects whose keys are data (ids as keys) must not grow it forever; beyond it, the generic copy. */
let shapeCount = 0;
const MAX_SHAPES = 2_000;
/** Objects with more keys than this are copied key by key. */
const MAX_COMPILED_KEYS = 64;

/** The shape of the first `n` of `keys`, compiled on first use; undefined for no keys or past the bounds. */
function shapeOf(keys: readonly string[], n: number): Shape | undefined {
  if (n === 0 || n > MAX_COMPILED_KEYS) return undefined;
  const first = keys[0]!;
  let list = shapes.get(first);
  if (list !== undefined) {
    search: for (let j = 0; j < list.length; j++) {
      const cand = list[j]!;
      const ck = cand.keys;
      if (ck.length !== n) continue;
      for (let i = 1; i < n; i++) if (ck[i] !== keys[i]) continue search;
      return cand;
    }
  }
  if (shapeCount >= MAX_SHAPES) return undefined;
  shapeCount++;
  let body = '';
  for (let i = 0; i < n; i++) {
    const k = JSON.stringify(keys[i]);
    body += `${i > 0 ? ',' : ''}${k}:s[${k}]`;
  }
  const copier = new Function('s', `return {${body}};`) as Shape['copier'];
  const shape: Shape = { keys: keys.slice(0, n), copier, flat: Object.freeze({ shallow: copier, nested: null }) };
  if (list === undefined) shapes.set(first, (list = []));
  list.push(shape);
  return shape;
}

/**
 * `JSON.parse(JSON.stringify(value))` for plain JSON data, without the text: a deep copy of plain
 * objects (prototype `Object.prototype` or null), arrays, strings, booleans, null and finite
 * numbers other than -0, where an object property whose value is `undefined` is left out as
 * JSON.stringify leaves it out. Anything whose JSON form would be something else — -0, NaN or an
 * infinity (null), `undefined` in an array (null), functions, symbols, bigints, objects with a
 * prototype (Date, Map, class instances: toJSON or `{}`), a `__proto__` own key, nesting deeper
 * than 64 (cycles) — gives {@link NOT_PLAIN}: the caller takes the JSON path, so the result is
 * always exactly what the round trip would give. The copy shares nothing with `value` and has its
 * keys in the same order (integer-like keys first, then insertion order: what JSON.stringify
 * writes and JSON.parse rebuilds).
 */
export function jsonSnapshot(value: unknown): unknown {
  return snap(value, 0);
}

/** {@link jsonSnapshot} and the {@link CopyPlan} of the snapshot (null for a primitive), for {@link copySnapshot}; undefined when the value is not plain JSON data. */
export function planned(value: unknown): { snapshot: unknown; plan: CopyPlan | null } | undefined {
  const snapshot = snap(value, 0);
  return snapshot === NOT_PLAIN ? undefined : { snapshot, plan: lastPlan };
}

function snap(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      lastPlan = null;
      return v;
    case 'number':
      lastPlan = null;
      return Number.isFinite(v) && !Object.is(v, -0) ? v : NOT_PLAIN;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (v === null) {
    lastPlan = null;
    return null;
  }
  if (depth >= MAX_DEPTH) return NOT_PLAIN;
  let nested: (string | number | CopyPlan)[] | null = null;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const c = snap(v[i], depth + 1);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[i] = c;
      if (typeof c === 'object' && c !== null) (nested ??= []).push(i, lastPlan!);
    }
    lastPlan = nested === null ? FLAT_ARRAY : { shallow: undefined, nested };
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const src = v as Record<string, unknown>;
  const keys = Object.keys(src);
  // First the values are checked (primitives here, objects and arrays snapshotted in turn: their
  // copies wait in `copies`), then the snapshot is made by the copier compiled for the kept keys
  // (its final layout at once, as deliveries copy it) and the nested copies put in their places.
  let kept = 0;
  let copies: unknown[] | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = src[k];
    if (x === undefined) continue;
    if (k === '__proto__') return NOT_PLAIN;
    switch (typeof x) {
      case 'string':
      case 'boolean':
        break;
      case 'number':
        if (!Number.isFinite(x) || Object.is(x, -0)) return NOT_PLAIN;
        break;
      case 'object': {
        if (x === null) break;
        const c = snap(x, depth + 1);
        if (c === NOT_PLAIN) return NOT_PLAIN;
        (nested ??= []).push(k, lastPlan!);
        (copies ??= []).push(c);
        break;
      }
      default:
        return NOT_PLAIN;
    }
    keys[kept++] = k;
  }
  const shape = shapeOf(keys, kept);
  let out: Record<string, unknown>;
  if (shape !== undefined) {
    out = shape.copier(src);
    if (nested !== null) for (let j = 0; j < nested.length; j += 2) out[nested[j] as string] = copies![j >> 1];
  } else {
    out = {};
    let n = 0;
    for (let i = 0; i < kept; i++) {
      const k = keys[i]!;
      const x = src[k];
      out[k] = typeof x === 'object' && x !== null ? copies![n++] : x;
    }
  }
  lastPlan = shape === undefined ? { shallow: undefined, nested: null } : nested === null ? shape.flat : { shallow: shape.copier, nested };
  return out;
}

/**
 * A deep copy of a value {@link jsonSnapshot} returned (plain JSON data by construction): what
 * `JSON.parse` of its JSON text gives, many times faster. With the snapshot's {@link CopyPlan}
 * (from {@link planned}), each object's top level is copied by the copier compiled for its keys
 * and each array's by a slice, then only the nested positions the plan names are copied in turn.
 * Without a plan, objects are enumerated with for-in (V8's enum cache; they are object literals
 * of ours, whose only enumerable keys are their own) and copied key by key.
 */
export function copySnapshot(v: unknown, plan?: CopyPlan | null): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (plan) return copyPlanned(v as Record<string, unknown>, plan);
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copySnapshot(v[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) out[k] = copySnapshot(src[k]);
  return out;
}

function copyPlanned(v: Record<string, unknown>, plan: CopyPlan): unknown {
  let out: Record<string | number, unknown>;
  if (plan.shallow !== undefined) out = plan.shallow(v);
  else if (Array.isArray(v)) out = v.slice() as unknown as Record<number, unknown>;
  else return copySnapshot(v); // no compiled copier (past the bounds): the generic deep copy
  const nested = plan.nested;
  if (nested !== null) {
    for (let j = 0; j < nested.length; j += 2) {
      const k = nested[j] as string | number;
      out[k] = copyPlanned(v[k] as Record<string, unknown>, nested[j + 1] as CopyPlan);
    }
  }
  return out;
}
