import type { CollectionDef, Doc, Primitive, RangeQuery } from '../storage';
import { checkFieldName, InvalidDocumentError, toStorable, type NumberMapper } from './plain-data';

/**
 * Validation shared by every Store implementation, so that they accept and refuse the same
 * collection definitions, queries and documents (see the port doc comments in ../storage.ts).
 * Everything here throws InvalidDocumentError (a TypeError) or RangeError: a caller bug.
 */

export type Where = Readonly<Record<string, Primitive>>;

/** A validated range query: `where` copied, bounds and limit checked, order resolved. */
export interface NormalQuery {
  where: Where;
  from?: number;
  to?: number;
  desc: boolean;
  /** Undefined = no limit; 0 = nothing. */
  limit?: number;
}

/** Throws when `name` cannot be a collection on MongoDB, FerretDB and the memory store alike. */
export function checkCollectionName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`storage: collection name must be a non-empty string, got ${String(name)}`);
  if (name.length > 120) throw new TypeError(`storage: collection name "${name}" is longer than 120 characters`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('system.') || name.startsWith('.') || name.endsWith('.')) {
    throw new TypeError(`storage: collection name "${name}" must match [A-Za-z0-9_.-]+, not start with "system." nor start or end with "."`);
  }
}

/** Validates a collection definition (name, time field, partition fields, indexes). */
export function checkCollectionDef<T extends Doc>(def: CollectionDef<T>): void {
  checkCollectionName(def.name);
  const label = `collection ${def.name}`;
  if (def.timeField !== undefined) checkFieldName(def.timeField, `${label} timeField`);
  const parts = def.partitionFields ?? [];
  if (parts.length > 0 && def.timeField === undefined) throw new TypeError(`storage: ${label}: partitionFields need a timeField`);
  const seen = new Set<string>();
  for (const f of parts) {
    checkFieldName(f, `${label} partitionFields`);
    if (f === def.timeField || f === '_id' || seen.has(f)) throw new TypeError(`storage: ${label}: partition field "${f}" repeats the time field, _id or another partition field`);
    seen.add(f);
  }
  for (const index of def.indexes ?? []) {
    if (index.length === 0) throw new TypeError(`storage: ${label}: an index needs at least one field`);
    for (const f of index) checkFieldName(f, `${label} indexes`);
  }
}

/**
 * Checks the fields a collection definition gives a meaning to: the time field must be a finite
 * number (Unix ms) and partition fields primitives or absent. `doc` is already plain data.
 */
export function checkDocForDef<T extends Doc>(doc: Record<string, unknown>, def: CollectionDef<T>): void {
  if (def.timeField !== undefined) {
    const t = doc[def.timeField];
    if (typeof t !== 'number') {
      throw new InvalidDocumentError(`${def.name}[_id=${String(doc._id)}].${def.timeField}`, `the time field must be a number (Unix ms), got ${t === undefined ? 'nothing' : typeof t}`);
    }
  }
  for (const f of def.partitionFields ?? []) {
    const v = doc[f];
    if (v !== undefined && v !== null && typeof v === 'object') {
      throw new InvalidDocumentError(`${def.name}[_id=${String(doc._id)}].${f}`, 'a partition field must hold a string, number, boolean or null');
    }
  }
}

/**
 * Validates a document written through `def` and returns its storable copy (see plain-data.ts).
 * `mapNumber` lets an adapter choose the stored form of numbers. Throws InvalidDocumentError.
 */
export function storableDoc<T extends Doc>(doc: T, def: CollectionDef<T>, mapNumber?: NumberMapper): Record<string, unknown> & { _id: string } {
  const out = toStorable(doc, def.name, mapNumber) as Record<string, unknown> & { _id: string };
  checkDocForDef(doc as unknown as Record<string, unknown>, def);
  return out;
}

/** Validates an equality filter: top-level field names, primitive values (no operators). */
export function normalizeWhere(where: unknown, label: string): Where {
  if (where === undefined || where === null) return {};
  if (typeof where !== 'object' || Array.isArray(where)) throw new TypeError(`storage: ${label}: where must be an object of field -> value`);
  const out: Record<string, Primitive> = {};
  for (const [k, v] of Object.entries(where as Record<string, unknown>)) {
    if (v === undefined) continue;
    checkFieldName(k, `${label} where`);
    const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new InvalidDocumentError(`${label} where.${k}`, 'an equality value must be a string, finite number, boolean or null');
    out[k] = typeof v === 'number' && v === 0 ? 0 : (v as Primitive);
  }
  return out;
}

/** Validates a range query against the collection definition. */
export function normalizeQuery<T extends Doc>(q: RangeQuery<T> | undefined, def: CollectionDef<T>): NormalQuery {
  const label = `collection ${def.name}`;
  const query = q ?? {};
  const out: NormalQuery = { where: normalizeWhere(query.where, label), desc: false };
  for (const bound of ['from', 'to'] as const) {
    const v = query[bound];
    if (v === undefined) continue;
    if (def.timeField === undefined) throw new TypeError(`storage: ${label}: "${bound}" needs a timeField in the collection definition`);
    if (typeof v !== 'number' || Number.isNaN(v)) throw new RangeError(`storage: ${label}: "${bound}" must be a number (Unix ms), got ${String(v)}`);
    out[bound] = v;
  }
  if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') throw new RangeError(`storage: ${label}: order must be "asc" or "desc"`);
  out.desc = query.order === 'desc';
  if (query.limit !== undefined) {
    if (!Number.isInteger(query.limit) || query.limit < 0) throw new RangeError(`storage: ${label}: limit must be an integer >= 0, got ${String(query.limit)}`);
    out.limit = query.limit;
  }
  return out;
}

/** Validates a batch size for `iterate`. */
export function normalizeBatchSize(batchSize: number | undefined, fallback: number): number {
  if (batchSize === undefined) return fallback;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`storage: batchSize must be an integer >= 1, got ${String(batchSize)}`);
  return batchSize;
}

/** True if the range [from, to) is certainly empty. */
export function emptyRange(q: NormalQuery): boolean {
  return q.limit === 0 || (q.from !== undefined && q.to !== undefined && q.from >= q.to);
}

/** Default `iterate` batch size. */
export const DEFAULT_ITERATE_BATCH = 1000;
