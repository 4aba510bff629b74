/** Returned by {@link jsonSnapshot} for a value it does not copy (anything but plain JSON data). */
export const NOT_PLAIN: unique symbol = Symbol('not plain JSON data');

/** Deeper than this, {@link jsonSnapshot} gives up (a cycle, or absurd nesting): the JSON path decides. */
const MAX_DEPTH = 64;

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

function snap(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0) ? v : NOT_PLAIN;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (v === null) return null;
  if (depth >= MAX_DEPTH) return NOT_PLAIN;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const c = snap(v[i], depth + 1);
      if (c === NOT_PLAIN) return NOT_PLAIN;
      out[i] = c;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const x = src[k];
    if (x === undefined) continue;
    if (k === '__proto__') return NOT_PLAIN;
    const c = snap(x, depth + 1);
    if (c === NOT_PLAIN) return NOT_PLAIN;
    out[k] = c;
  }
  return out;
}

/**
 * A deep copy of a value {@link jsonSnapshot} returned (plain JSON data by construction): what
 * `JSON.parse` of its JSON text gives, a few times faster. Its objects are enumerated with for-in
 * (V8's enum cache; no key array per object): they are object literals of ours, whose only
 * enumerable keys are their own (unless something made a key of Object.prototype enumerable).
 */
export function copySnapshot(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
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
