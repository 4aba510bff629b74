import { Dec, decToString } from '@atp/core';

/**
 * Canonical JSON: object keys sorted (UTF-16 code unit order), no whitespace, `undefined` fields
 * dropped, decimals (`Dec`) as plain decimal strings; numbers as `JSON.stringify` writes them
 * (shortest round-trip form, the same in every Node version). Throws a TypeError on NaN/±Infinity,
 * bigint, functions and class instances other than `Dec`, naming the path: a hash must never
 * depend on how a value happened to be represented.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return JSON.stringify(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${path} is ${v} (not a finite number)`);
      return JSON.stringify(Object.is(v, -0) ? 0 : v);
    case 'object':
      break;
    default:
      throw new TypeError(`canonicalJson: ${path} is a ${typeof v}`);
  }
  if (v instanceof Dec) return JSON.stringify(decToString(v));
  if (Array.isArray(v)) return `[${v.map((x, i) => (x === undefined ? 'null' : write(x, `${path}[${i}]`))).join(',')}]`;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonicalJson: ${path} is a class instance`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${write(o[k], `${path}.${k}`)}`).join(',')}}`;
}
