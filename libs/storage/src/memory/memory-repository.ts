import type { CollectionDef, Doc, RangeQuery, Repository, UpsertResult } from '../storage';
import { clonePlain } from '../internal/plain-data';
import { checkCollectionDef, DEFAULT_ITERATE_BATCH, emptyRange, normalizeBatchSize, normalizeQuery, normalizeWhere, storableDoc, type NormalQuery } from '../internal/rules';
import { checkId } from '../internal/snapshot';
import type { MemoryCollection } from './memory-collection';
import { compareEntries, fieldEquals, lowerBound, matchesAll, type IndexEntry, type StoredDoc, type TimeIndex } from './time-index';

/**
 * Repository over a {@link MemoryCollection}. Documents are validated and deep-copied on the way
 * in and deep-copied on the way out, so callers can never mutate the store. Range queries use the
 * collection's sorted (partition fields, time, _id) index; see TimeIndex.
 */
export class MemoryRepository<T extends Doc> implements Repository<T> {
  readonly name: string;
  private readonly index: TimeIndex | undefined;

  constructor(
    private readonly collection: MemoryCollection,
    private readonly def: CollectionDef<T>,
    private readonly assertOpen: () => void,
  ) {
    checkCollectionDef(def);
    this.name = def.name;
    this.index = def.timeField === undefined ? undefined : collection.timeIndex(def.timeField, def.partitionFields ?? []);
  }

  async init(): Promise<void> {
    this.assertOpen();
  }

  async upsert(doc: T): Promise<void> {
    this.assertOpen();
    this.collection.put(this.storable(doc));
  }

  async upsertMany(docs: readonly T[]): Promise<UpsertResult> {
    this.assertOpen();
    // Validate everything before writing anything; the last of several docs with one _id wins.
    const byId = new Map<string, StoredDoc>();
    for (const doc of docs) {
      const s = this.storable(doc);
      byId.set(s._id, s);
    }
    const result: UpsertResult = { inserted: 0, modified: 0, unchanged: 0 };
    for (const s of byId.values()) result[this.collection.put(s)]++;
    return result;
  }

  async insertIfAbsent(doc: T): Promise<boolean> {
    this.assertOpen();
    const s = this.storable(doc);
    if (this.collection.docs.has(s._id)) return false;
    this.collection.put(s);
    return true;
  }

  async get(id: string): Promise<T | null> {
    this.assertOpen();
    checkId(id, this.name);
    const doc = this.collection.docs.get(id);
    return doc === undefined ? null : (clonePlain(doc) as unknown as T);
  }

  async getMany(ids: readonly string[]): Promise<T[]> {
    this.assertOpen();
    const out: T[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      checkId(id, this.name);
      if (seen.has(id)) continue;
      seen.add(id);
      const doc = this.collection.docs.get(id);
      if (doc !== undefined) out.push(clonePlain(doc) as unknown as T);
    }
    return out;
  }

  async range(q: RangeQuery<T>): Promise<T[]> {
    this.assertOpen();
    return this.select(normalizeQuery(q, this.def)).map((d) => clonePlain(d) as unknown as T);
  }

  async *iterate(q: RangeQuery<T>, batchSize?: number): AsyncIterable<T[]> {
    this.assertOpen();
    const size = normalizeBatchSize(batchSize, DEFAULT_ITERATE_BATCH);
    // A point-in-time view: stored documents are immutable, so later writes do not show through.
    const docs = this.select(normalizeQuery(q, this.def));
    for (let i = 0; i < docs.length; i += size) {
      const batch = new Array<T>(Math.min(size, docs.length - i));
      for (let j = 0; j < batch.length; j++) batch[j] = clonePlain(docs[i + j]) as unknown as T;
      yield batch;
    }
  }

  async last(where?: RangeQuery<T>['where']): Promise<T | null> {
    this.assertOpen();
    const [doc] = this.select(normalizeQuery({ where, order: 'desc', limit: 1 }, this.def));
    return doc === undefined ? null : (clonePlain(doc) as unknown as T);
  }

  async count(where?: RangeQuery<T>['where']): Promise<number> {
    this.assertOpen();
    const w = normalizeWhere(where, `collection ${this.name}`);
    const conditions = Object.entries(w);
    if (conditions.length === 0) return this.collection.docs.size;
    if (this.index !== undefined && this.index.size === this.collection.docs.size) {
      const { partitions, residual } = this.index.select(w);
      let n = 0;
      for (const part of partitions) {
        if (residual.length === 0) n += part.size;
        else for (const e of part.view()) if (matchesAll(e.doc, residual)) n++;
      }
      return n;
    }
    let n = 0;
    for (const doc of this.collection.docs.values()) if (matchesAll(doc, conditions)) n++;
    return n;
  }

  async deleteMany(where: RangeQuery<T>['where']): Promise<number> {
    this.assertOpen();
    const w = normalizeWhere(where, `collection ${this.name}`);
    const conditions = Object.entries(w);
    const ids: string[] = [];
    for (const doc of this.collection.docs.values()) if (matchesAll(doc, conditions)) ids.push(doc._id);
    for (const id of ids) this.collection.delete(id);
    return ids.length;
  }

  private storable(doc: T): StoredDoc {
    return storableDoc(doc, this.def);
  }

  /** References to the stored documents matching `q`, in query order, limit applied. */
  private select(q: NormalQuery): StoredDoc[] {
    if (emptyRange(q)) return [];
    const limit = q.limit ?? Number.POSITIVE_INFINITY;
    if (this.index === undefined) return this.scanById(q, limit);
    const { partitions, residual } = this.index.select(q.where);
    const picked: IndexEntry[] = [];
    for (const part of partitions) {
      const entries = part.view();
      const lo = q.from === undefined ? 0 : lowerBound(entries, q.from);
      const hi = q.to === undefined ? entries.length : lowerBound(entries, q.to);
      // Each partition contributes at most `limit` documents in query order.
      let taken = 0;
      if (!q.desc) {
        for (let i = lo; i < hi && taken < limit; i++) {
          if (residual.length === 0 || matchesAll(entries[i].doc, residual)) {
            picked.push(entries[i]);
            taken++;
          }
        }
      } else {
        for (let i = hi - 1; i >= lo && taken < limit; i--) {
          if (residual.length === 0 || matchesAll(entries[i].doc, residual)) {
            picked.push(entries[i]);
            taken++;
          }
        }
      }
    }
    if (partitions.length > 1) {
      picked.sort(q.desc ? (a, b) => compareEntries(b, a) : compareEntries);
      if (picked.length > limit) picked.length = limit;
    }
    const out = new Array<StoredDoc>(picked.length);
    for (let i = 0; i < picked.length; i++) out[i] = picked[i].doc;
    return out;
  }

  /** Collections without a time field: `_id` order. */
  private scanById(q: NormalQuery, limit: number): StoredDoc[] {
    const conditions = Object.entries(q.where);
    const out: StoredDoc[] = [];
    for (const doc of this.collection.docs.values()) {
      if (conditions.every(([k, v]) => fieldEquals(doc[k], v))) out.push(doc);
    }
    out.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
    if (q.desc) out.reverse();
    if (out.length > limit) out.length = limit;
    return out;
  }
}
