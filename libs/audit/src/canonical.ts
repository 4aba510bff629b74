import { Dec, decToString } from '@atp/core';

/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order), no whitespace, `undefined` fields
 * dropped, decimals (`Dec`) as plain decimal strings; numbers as `JSON.stringify` writes them
 * (shortest round-trip form, the same in every Node version). Throws a TypeError on NaN/±Infinity,
 * bigint, functions and class instances other than `Dec`, naming the path: a hash must never
 * depend on how a value happened to be represented.
 */
export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (e) {
    if (e instanceof Refused) throw new TypeError(`canonicalJson: $${e.path.join('')} ${e.what}`);
    throw e;
  }
}

/** A refused value; the path is collected on the way up (no path strings built on the happy path). */
class Refused {
  readonly path: string[] = [];
  constructor(readonly what: string) {}
}

function at(segment: string, f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof Refused) e.path.unshift(segment);
    throw e;
  }
}

// Plain loops and string concatenation: this runs once per audit record on the pipeline's path.
function write(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new Refused(`is ${v} (not a finite number)`);
      return JSON.stringify(Object.is(v, -0) ? 0 : v);
    case 'object':
      break;
    default:
      throw new Refused(`is a ${typeof v}`);
  }
  if (v instanceof Dec) return JSON.stringify(decToString(v));
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      const x: unknown = v[i];
      out += x === undefined ? 'null' : typeof x === 'object' && x !== null ? at(`[${i}]`, () => write(x)) : writeLeaf(x, i);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new Refused('is a class instance');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${typeof x === 'object' && x !== null ? at(`.${k}`, () => write(x)) : writeLeaf(x, k)}`;
    first = false;
  }
  return `${out}}`;
}

/** A non-object value at `key` (an array index or a field name; the path segment is only built on a refusal). */
function writeLeaf(x: unknown, key: number | string): string {
  if (typeof x === 'string' || typeof x === 'boolean') return JSON.stringify(x);
  if (typeof x === 'number' && Number.isFinite(x)) return JSON.stringify(Object.is(x, -0) ? 0 : x);
  return at(typeof key === 'number' ? `[${key}]` : `.${key}`, () => write(x));
}
