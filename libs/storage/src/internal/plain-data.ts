/**
 * The document rules every Store implementation enforces identically (see `Doc` in ../storage.ts),
 * so that a document the in-memory store accepts is one MongoDB and FerretDB v1 store and return
 * unchanged:
 *
 * - plain data only: plain objects, arrays, strings, finite numbers, booleans, null, valid Dates;
 *   class instances (Map, Set, Decimal, typed arrays...), functions, symbols and bigints are
 *   rejected (BSON would store them as something that reads back differently);
 * - NaN and ±Infinity are rejected (FerretDB v1 refuses ±Infinity and drops the connection on NaN);
 * - field names must not contain '.' nor start with '$' (FerretDB v1 refuses them);
 * - `undefined` object fields are dropped and `undefined` array items become null (the driver's
 *   `ignoreUndefined` behaviour); -0 is stored as 0 (FerretDB v1 does so);
 * - `_id` is a non-empty string and comes first, as the servers store it.
 *
 * Violations throw {@link InvalidDocumentError} naming the path of the offending field.
 */

/** Maximum nesting depth (BSON's limit is 100 levels); also stops cyclic structures. */
const MAX_DEPTH = 100;

/** A document (or query) that breaks the storage rules; `path` locates the field, e.g. `state.ema[3]`. */
export class InvalidDocumentError extends TypeError {
  override readonly name = 'InvalidDocumentError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Thrown inside the recursion and re-thrown with the full path at the top. */
class PathError {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

/** Maps a (finite, non -0) number to the value written; e.g. the Mongo adapter wraps it in a BSON Double. */
export type NumberMapper = (n: number) => unknown;

/** Throws {@link InvalidDocumentError} when `name` is not a valid field name. */
export function checkFieldName(name: string, path: string): void {
  const reason = fieldNameProblem(name);
  if (reason) throw new InvalidDocumentError(path, reason);
}

function fieldNameProblem(name: string): string | null {
  if (name.startsWith('$')) return `field name "${name}" must not start with '$'`;
  if (name.includes('.')) return `field name "${name}" must not contain '.'`;
  if (name.includes('\0')) return `field name must not contain a NUL character`;
  return null;
}

/**
 * Validates a document and returns a deep copy following the rules above (`_id` first).
 * `label` names the document in errors, e.g. the collection. Throws InvalidDocumentError.
 */
export function toStorable(doc: unknown, label: string, mapNumber?: NumberMapper): Record<string, unknown> {
  if (!isPlainObject(doc)) throw new InvalidDocumentError(label, `a document must be a plain object, got ${describe(doc)}`);
  const id = (doc as { _id?: unknown })._id;
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidDocumentError(`${label}._id`, `must be a non-empty string (the natural key), got ${describe(id)}`);
  }
  const out: Record<string, unknown> = { _id: id };
  const src = doc as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (key === '_id') continue;
    const v = src[key];
    if (v === undefined) continue;
    try {
      const reason = fieldNameProblem(key);
      if (reason) throw new PathError(reason);
      out[key] = copyValue(v, 1, mapNumber);
    } catch (e) {
      throw rethrow(e, key, `${label}[_id=${id}]`);
    }
  }
  return out;
}

function copyValue(v: unknown, depth: number, mapNumber: NumberMapper | undefined): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v)) throw new PathError(`${v} is not storable: only finite numbers (store null for a missing value)`);
      if (mapNumber) return mapNumber(v === 0 ? 0 : v);
      return v === 0 ? 0 : v;
    case 'object':
      break;
    default:
      throw new PathError(`a ${typeof v} is not storable`);
  }
  if (v === null) return null;
  if (depth >= MAX_DEPTH) throw new PathError(`nested deeper than ${MAX_DEPTH} levels (or cyclic)`);
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      try {
        out[i] = item === undefined ? null : copyValue(item, depth + 1, mapNumber);
      } catch (e) {
        throw prepend(e, `[${i}]`);
      }
    }
    return out;
  }
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) throw new PathError('an invalid Date is not storable');
    return new Date(v.getTime());
  }
  if (!isPlainObject(v)) throw new PathError(`${describe(v)} is not plain data (store decimals as strings, maps as objects)`);
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(src)) {
    const item = src[key];
    if (item === undefined) continue;
    try {
      const reason = fieldNameProblem(key);
      if (reason) throw new PathError(reason);
      out[key] = copyValue(item, depth + 1, mapNumber);
    } catch (e) {
      throw prepend(e, `.${key}`);
    }
  }
  return out;
}

function prepend(e: unknown, segment: string): unknown {
  if (e instanceof PathError) e.segments.unshift(segment);
  return e;
}

function rethrow(e: unknown, key: string, label: string): unknown {
  if (!(e instanceof PathError)) return e;
  return new InvalidDocumentError(`${label}.${key}${e.segments.join('')}`, e.reason);
}

/** A deep copy of data already validated by {@link toStorable} (plain objects, arrays, Dates, primitives). */
export function clonePlain<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clonePlain(v[i]);
    return out as T;
  }
  if (v instanceof Date) return new Date(v.getTime()) as T;
  const out: Record<string, unknown> = {};
  for (const key in v) out[key] = clonePlain((v as Record<string, unknown>)[key]);
  return out as T;
}

/**
 * Deep equality of two stored documents, sensitive to field order as the servers are (a replace
 * that only reorders fields reports "modified" on MongoDB and FerretDB).
 */
export function samePlain(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!samePlain(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i];
    if (k !== kb[i]) return false;
    if (!samePlain((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (Array.isArray(v)) return 'an array';
  const name = (v as object).constructor?.name;
  return name ? `a ${name}` : 'an object';
}
