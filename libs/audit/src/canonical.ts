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

/**
 * `canonicalJson` of an audit record's body (every field but `_id` and `hash`), written field by
 * field in the canonical (sorted) key order: the same string, without sorting the record's keys or
 * walking it generically — this runs once per audit record on the pipeline's path. Returns
 * undefined when the body is not of the shape `nextRecord` builds (an unknown field, a nested or
 * class-instance value, a non-finite number ...): the caller then uses `canonicalJson`, which
 * also names what it refuses.
 */
export function canonicalRecordBody(b: Readonly<Record<string, unknown>>): string | undefined {
  if (Object.getPrototypeOf(b) !== Object.prototype) return undefined;
  let n = 0;
  for (const k in b) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return undefined;
    if (!BODY_FIELD.has(k) || b[k] === undefined) return undefined;
    n++;
  }
  if (n !== BODY_FIELDS.length) return undefined;
  const { causes, chain, decision, ids, inputs, key, kind, origin, prevHash, refs, seq, service, subject, time, versions } = b;
  if (typeof chain !== 'string' || typeof decision !== 'string' || typeof key !== 'string' || typeof kind !== 'string' || typeof prevHash !== 'string') return undefined;
  if (typeof service !== 'string' || typeof subject !== 'string' || (origin !== null && typeof origin !== 'string')) return undefined;
  if (typeof seq !== 'number' || !Number.isFinite(seq) || typeof time !== 'number' || !Number.isFinite(time)) return undefined;
  if (!Array.isArray(causes)) return undefined;
  let cs = '[';
  for (let i = 0; i < causes.length; i++) {
    const c = causes[i] as unknown;
    if (typeof c !== 'object' || c === null || Object.getPrototypeOf(c) !== Object.prototype) return undefined;
    const ref = c as Record<string, unknown>;
    let m = 0;
    for (const k in ref) {
      if ((k !== 'id' && k !== 'kind') || !Object.prototype.hasOwnProperty.call(ref, k)) return undefined;
      m++;
    }
    if (m !== 2 || typeof ref['id'] !== 'string' || typeof ref['kind'] !== 'string') return undefined;
    cs += `${i > 0 ? ',' : ''}{"id":${JSON.stringify(ref['id'])},"kind":${JSON.stringify(ref['kind'])}}`;
  }
  const idsJson = stringArray(ids);
  const refsJson = stringArray(refs);
  const inputsJson = flatObject(inputs);
  const versionsJson = flatObject(versions);
  if (idsJson === undefined || refsJson === undefined || inputsJson === undefined || versionsJson === undefined) return undefined;
  return (
    `{"causes":${cs}],"chain":${JSON.stringify(chain)},"decision":${JSON.stringify(decision)},"ids":${idsJson},"inputs":${inputsJson},` +
    `"key":${JSON.stringify(key)},"kind":${JSON.stringify(kind)},"origin":${origin === null ? 'null' : JSON.stringify(origin)},"prevHash":${JSON.stringify(prevHash)},` +
    `"refs":${refsJson},"seq":${num(seq)},"service":${JSON.stringify(service)},"subject":${JSON.stringify(subject)},"time":${num(time)},"versions":${versionsJson}}`
  );
}

/** The body's fields in canonical order (UTF-16 code unit order). */
const BODY_FIELDS = ['causes', 'chain', 'decision', 'ids', 'inputs', 'key', 'kind', 'origin', 'prevHash', 'refs', 'seq', 'service', 'subject', 'time', 'versions'] as const;
const BODY_FIELD: ReadonlySet<string> = new Set(BODY_FIELDS);

function num(x: number): string {
  return JSON.stringify(Object.is(x, -0) ? 0 : x);
}

/** An array of strings (no holes), or undefined. */
function stringArray(v: unknown): string | undefined {
  if (!Array.isArray(v)) return undefined;
  let out = '[';
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'string') return undefined;
    out += i > 0 ? `,${JSON.stringify(x)}` : JSON.stringify(x);
  }
  return `${out}]`;
}

/** A plain object of strings, finite numbers, booleans, nulls and undefined (dropped), keys sorted; or undefined. */
function flatObject(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return undefined;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    let s: string;
    if (x === undefined) continue;
    if (x === null) s = 'null';
    else if (typeof x === 'string' || typeof x === 'boolean') s = JSON.stringify(x);
    else if (typeof x === 'number' && Number.isFinite(x)) s = num(x);
    else return undefined;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${s}`;
    first = false;
  }
  return `${out}}`;
}
