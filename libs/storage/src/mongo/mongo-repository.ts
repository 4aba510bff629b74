import { Double, MongoBulkWriteError, type AnyBulkWriteOperation, type BulkWriteResult, type Collection, type Document, type Filter, type IndexSpecification, type OptionalUnlessRequiredId, type Sort } from 'mongodb';
import type { CollectionDef, Doc, RangeQuery, Repository, UpsertResult } from '../storage';
import { checkCollectionDef, DEFAULT_ITERATE_BATCH, emptyRange, normalizeBatchSize, normalizeQuery, normalizeWhere, storableDoc, type NormalQuery } from '../internal/rules';
import { checkId } from '../internal/snapshot';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const DUPLICATE_KEY = 11000;
/** `$in` lists of getMany (and of insert-first's look-up on MongoDB) hold at most this many ids. */
const IN_CHUNK = 1_000;
/** insert-first's first insertMany: small, since on FerretDB every refused document costs a transaction. */
const PROBE_SIZE = 100;
/**
 * insert-first on FerretDB looks up at most this many existing documents one `{_id: id}` query
 * each (the only filter FerretDB v1 answers from the `_id` index: ~0.3 ms a document, measured);
 * more are read with one `_id` range scan of the collection (~0.05 ms per stored document).
 */
const FERRETDB_POINT_LOOKUP_MAX = 8_192;
/** Point look-ups in flight on FerretDB (reads: the update deadlock below does not apply). */
const FERRETDB_LOOKUP_CONCURRENCY = 16;
/**
 * Most updates one command may send to FerretDB v1.24. Its SQLite backend keeps one pooled
 * connection per update that matched an existing document until the whole command ends, and the
 * pool holds 100 per database: a command with more than ~100 matching updates deadlocks that
 * database until FerretDB restarts. 32 leaves room for a few concurrent writers and readers.
 */
export const FERRETDB_MAX_UPDATES_PER_COMMAND = 32;

/**
 * Every JS number is stored as a BSON double. The driver would write integers in int32 range as
 * int32 and others as double, so one field could hold both types depending on its value.
 */
export const toBsonDouble = (n: number): unknown => (Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? new Double(n) : n);

/** Which server answers: FerretDB v1 needs a different write path (see `upsertMode`). */
export type ServerKind = 'mongodb' | 'ferretdb';

export interface MongoRepositoryOptions {
  upsertBatchSize: number;
  upsertConcurrency: number;
  /** Resolved: never 'auto'. */
  upsertMode: 'replace' | 'insert-first';
  server: ServerKind;
}

/** A document as this adapter stores it: string `_id` (the natural key). */
export type BsonDoc = Document & { _id: string };
type ReplaceOp = AnyBulkWriteOperation<BsonDoc>;

/**
 * Repository over one MongoDB collection, `_id` = natural key. Uses only operations FerretDB v1
 * supports as well as MongoDB: bulkWrite of replaceOne upserts, insertMany/insertOne with
 * duplicate-key errors, find with equality and range filters + sort + limit, countDocuments,
 * deleteMany, createIndex.
 *
 * `upsertMany` has two write paths with the same result and counts (`upsertMode`):
 * - `replace` (MongoDB): unordered bulkWrite of replaceOne upserts; inserted = upsertedCount,
 *   modified = modifiedCount, unchanged = matchedCount - modifiedCount.
 * - `insert-first` (FerretDB): unordered insertMany; the `_id`s refused as duplicates (11000) are
 *   fetched, those identical to the new version (same fields, same order, same values) count as
 *   unchanged and the rest are written with replaceOne upserts as above. When a first insert of
 *   100 is mostly refused (a re-import), the rest is fetched first and only the missing inserted.
 *   Why: FerretDB v1.24's SQLite backend runs each update as its own query and transaction
 *   (~1.5 ms a document), and only `{_id: <one id>}` filters use the `_id` index (with
 *   infra/ferretdb/patches/0002; unpatched, none do): `$in` and ranges are table scans, cheap per
 *   row but O(collection) (see `fetchExisting`); insertMany writes a whole batch in one
 *   transaction, probing only the unique index (a refused duplicate: ~0.1 ms, measured).
 *   Without transactions the fetch and the replace are not atomic: if another writer changes a
 *   document in between, its version may stay (a writer of the same natural key writes the same
 *   value in this system, so the result is the same).
 */
export class MongoRepository<T extends Doc> implements Repository<T> {
  readonly name: string;
  private readonly sortAsc: Sort;
  private readonly sortDesc: Sort;

  constructor(
    private readonly coll: Collection<BsonDoc>,
    private readonly def: CollectionDef<T>,
    private readonly options: MongoRepositoryOptions,
  ) {
    checkCollectionDef(def);
    this.name = def.name;
    const tf = def.timeField;
    this.sortAsc = tf === undefined ? { _id: 1 } : { [tf]: 1, _id: 1 };
    this.sortDesc = tf === undefined ? { _id: -1 } : { [tf]: -1, _id: -1 };
  }

  /** The indexes `init` creates, in order (the compound range index first). */
  indexSpecs(): IndexSpecification[] {
    const specs: Record<string, 1>[] = [];
    const tf = this.def.timeField;
    if (tf !== undefined) {
      // Equality fields first, then the range field, then _id for the tie order (ESR rule):
      // range queries and their sort are both served by this one index.
      const spec: Record<string, 1> = {};
      for (const f of this.def.partitionFields ?? []) spec[f] = 1;
      spec[tf] = 1;
      spec._id = 1;
      specs.push(spec);
    }
    for (const fields of this.def.indexes ?? []) specs.push(Object.fromEntries(fields.map((f) => [f, 1 as const])));
    return specs;
  }

  async init(): Promise<void> {
    for (const spec of this.indexSpecs()) await this.coll.createIndex(spec);
  }

  /**
   * One replaceOne upsert in either mode: for a single document the insert-first path costs up to
   * three commands (the refused insert, the look-up, the replace) where this is one. Two writers
   * inserting the same new `_id` at once can make one fail with a duplicate key: it is retried
   * once (the document exists by then).
   */
  async upsert(doc: T): Promise<void> {
    const s = storableDoc(doc, this.def, toBsonDouble);
    try {
      await this.coll.replaceOne({ _id: s._id }, s, { upsert: true });
    } catch (e) {
      if ((e as { code?: unknown }).code !== DUPLICATE_KEY) throw e;
      await this.coll.replaceOne({ _id: s._id }, s, { upsert: true });
    }
  }

  async upsertMany(docs: readonly T[]): Promise<UpsertResult> {
    // Validate everything before writing anything; the last of several docs with one _id wins
    // (an unordered bulkWrite may apply operations in any order, so duplicates never go out).
    const byId = new Map<string, BsonDoc>();
    for (const doc of docs) {
      const s = storableDoc(doc, this.def, toBsonDouble);
      byId.set(s._id, s);
    }
    const unique = [...byId.values()];
    return this.options.upsertMode === 'insert-first' ? this.insertFirst(unique) : this.replaceAll(unique);
  }

  /** The `replace` path: bulkWrites of replaceOne upserts, in batches. */
  private async replaceAll(docs: readonly BsonDoc[]): Promise<UpsertResult> {
    const size = this.options.server === 'ferretdb' ? Math.min(this.options.upsertBatchSize, FERRETDB_MAX_UPDATES_PER_COMMAND) : this.options.upsertBatchSize;
    const batches = chunk(docs, size).map((batch) =>
      batch.map((s): ReplaceOp => ({ replaceOne: { filter: { _id: s._id }, replacement: s, upsert: true } })),
    );
    return sum(await runLimited(batches, this.options.upsertConcurrency, (batch) => this.writeBatch(batch)));
  }

  /**
   * The `insert-first` path (see the class comment). A call that re-upserts documents already
   * stored (a re-import) would pay one refused insert per document — FerretDB retries a failed
   * batch one document per transaction — so a first, small insertMany probes: when it comes back
   * mostly refused, the rest is looked up in one read instead, and only what is missing inserted.
   */
  private async insertFirst(docs: readonly BsonDoc[]): Promise<UpsertResult> {
    const size = Math.min(PROBE_SIZE, this.options.upsertBatchSize);
    const head = docs.slice(0, size);
    const tail = docs.slice(size);
    const probe = await this.insertBatch(head);
    let inserted = probe.inserted;
    const existed: BsonDoc[] = [...probe.duplicates];
    const mostlyStored = probe.duplicates.length * 2 > head.length;
    if (mostlyStored) for (const d of tail) existed.push(d);
    else {
      const r = await this.insertAll(tail);
      inserted += r.inserted;
      for (const d of r.duplicates) existed.push(d);
    }
    if (existed.length === 0) return { inserted, modified: 0, unchanged: 0 };

    const current = await this.fetchExisting(existed.map((d) => d._id));
    let unchanged = 0;
    const changed: BsonDoc[] = [];
    const missing: BsonDoc[] = [];
    for (const d of existed) {
      const cur = current.get(d._id);
      if (cur === undefined) missing.push(d);
      else if (sameAsWritten(cur, d)) unchanged++;
      else changed.push(d);
    }
    if (missing.length > 0) {
      // Not stored after all (the look-up path, or deleted meanwhile); refused now = written meanwhile.
      const r = await this.insertAll(missing);
      inserted += r.inserted;
      for (const d of r.duplicates) changed.push(d);
    }
    const replaced = changed.length === 0 ? { inserted: 0, modified: 0, unchanged: 0 } : await this.replaceAll(changed);
    return { inserted: inserted + replaced.inserted, modified: replaced.modified, unchanged: unchanged + replaced.unchanged };
  }

  /** insertMany in batches, `upsertConcurrency` in flight. */
  private async insertAll(docs: readonly BsonDoc[]): Promise<{ inserted: number; duplicates: BsonDoc[] }> {
    const attempts = await runLimited(chunk(docs, this.options.upsertBatchSize), this.options.upsertConcurrency, (batch) => this.insertBatch(batch));
    let inserted = 0;
    const duplicates: BsonDoc[] = [];
    for (const a of attempts) {
      inserted += a.inserted;
      for (const d of a.duplicates) duplicates.push(d);
    }
    return { inserted, duplicates };
  }

  /** insertMany (unordered): the documents refused because their `_id` exists, and how many went in. */
  private async insertBatch(batch: readonly BsonDoc[]): Promise<{ inserted: number; duplicates: BsonDoc[] }> {
    if (batch.length === 0) return { inserted: 0, duplicates: [] };
    try {
      const r = await this.coll.insertMany(batch as OptionalUnlessRequiredId<BsonDoc>[], { ordered: false });
      return { inserted: r.insertedCount, duplicates: [] };
    } catch (e) {
      if (!(e instanceof MongoBulkWriteError)) throw e;
      const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) throw e;
      return { inserted: e.result.insertedCount, duplicates: errors.map((w) => batch[w.index]) };
    }
  }

  /**
   * The stored documents with these ids. On FerretDB v1 only `{_id: <one id>}` uses the `_id`
   * index; every other filter (`$in`, `$or`, ranges) is a full scan evaluated document by
   * document (`$in` costing one comparison per listed id). So up to FERRETDB_POINT_LOOKUP_MAX ids
   * are looked up one query each, in parallel (cost O(ids)); more are read with ONE `_id` range
   * scan over min..max (cost O(collection), paid once per call), dropping what was not asked for.
   */
  private async fetchExisting(ids: readonly string[]): Promise<Map<string, BsonDoc>> {
    const found = new Map<string, BsonDoc>();
    if (this.options.server === 'ferretdb') {
      const wanted = [...new Set(ids)];
      if (wanted.length <= FERRETDB_POINT_LOOKUP_MAX) {
        await runLimited(wanted, FERRETDB_LOOKUP_CONCURRENCY, async (id) => {
          const doc = await this.coll.findOne({ _id: id });
          if (doc !== null) found.set(doc._id, doc);
        });
        return found;
      }
      const set = new Set(wanted);
      let min = wanted[0];
      let max = wanted[0];
      for (const id of wanted) {
        if (id < min) min = id;
        if (id > max) max = id;
      }
      for await (const doc of this.coll.find({ _id: { $gte: min, $lte: max } }, { batchSize: 10_000 })) {
        if (set.has(doc._id)) found.set(doc._id, doc);
      }
    } else {
      for (const part of chunk(ids, IN_CHUNK)) {
        for (const doc of await this.coll.find({ _id: { $in: part } }).toArray()) found.set(doc._id, doc);
      }
    }
    return found;
  }

  async insertIfAbsent(doc: T): Promise<boolean> {
    const s = storableDoc(doc, this.def, toBsonDouble);
    try {
      await this.coll.insertOne(s);
      return true;
    } catch (e) {
      if ((e as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw e;
    }
  }

  async get(id: string): Promise<T | null> {
    checkId(id, this.name);
    return (await this.coll.findOne({ _id: id })) as T | null;
  }

  async getMany(ids: readonly string[]): Promise<T[]> {
    const wanted: string[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      checkId(id, this.name);
      if (!seen.has(id)) {
        seen.add(id);
        wanted.push(id);
      }
    }
    const found = new Map<string, T>();
    for (const part of chunk(wanted, IN_CHUNK)) {
      for (const doc of await this.coll.find({ _id: { $in: part } }).toArray()) {
        found.set(doc._id, doc as unknown as T);
      }
    }
    const out: T[] = [];
    for (const id of wanted) {
      const doc = found.get(id);
      if (doc !== undefined) out.push(doc);
    }
    return out;
  }

  async range(q: RangeQuery<T>): Promise<T[]> {
    const nq = normalizeQuery(q, this.def);
    if (emptyRange(nq)) return [];
    const docs = await this.coll.find(this.filter(nq), { sort: nq.desc ? this.sortDesc : this.sortAsc, limit: nq.limit }).toArray();
    return docs as unknown as T[];
  }

  async *iterate(q: RangeQuery<T>, batchSize?: number): AsyncIterable<T[]> {
    const size = normalizeBatchSize(batchSize, DEFAULT_ITERATE_BATCH);
    const nq = normalizeQuery(q, this.def);
    if (emptyRange(nq)) return;
    const cursor = this.coll.find(this.filter(nq), { sort: nq.desc ? this.sortDesc : this.sortAsc, limit: nq.limit, batchSize: size });
    try {
      let batch: T[] = [];
      for await (const doc of cursor) {
        batch.push(doc as unknown as T);
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await cursor.close();
    }
  }

  async last(where?: RangeQuery<T>['where']): Promise<T | null> {
    const nq = normalizeQuery({ where }, this.def);
    return (await this.coll.findOne(this.filter(nq), { sort: this.sortDesc })) as T | null;
  }

  async count(where?: RangeQuery<T>['where']): Promise<number> {
    return this.coll.countDocuments(normalizeWhere(where, `collection ${this.name}`));
  }

  async deleteMany(where: RangeQuery<T>['where']): Promise<number> {
    const r = await this.coll.deleteMany(normalizeWhere(where, `collection ${this.name}`));
    return r.deletedCount;
  }

  private filter(q: NormalQuery): Filter<BsonDoc> {
    const f: Document = { ...q.where };
    const tf = this.def.timeField;
    if (tf !== undefined && (q.from !== undefined || q.to !== undefined)) {
      const cond: Document = {};
      if (Object.prototype.hasOwnProperty.call(q.where, tf)) cond.$eq = q.where[tf];
      if (q.from !== undefined) cond.$gte = q.from;
      if (q.to !== undefined) cond.$lt = q.to;
      f[tf] = cond;
    }
    return f;
  }

  /**
   * One unordered bulkWrite of replaceOne upserts. Two writers upserting the same new `_id` at
   * once can make one upsert fail with a duplicate key (11000): the document exists by then, so
   * those operations are retried once, as plain replaces of an existing document.
   */
  private async writeBatch(ops: ReplaceOp[]): Promise<UpsertResult> {
    try {
      return countsOf(await this.coll.bulkWrite(ops, { ordered: false }));
    } catch (e) {
      if (!(e instanceof MongoBulkWriteError)) throw e;
      const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
      if (errors.length === 0 || errors.some((w) => w.code !== DUPLICATE_KEY)) throw e;
      const done = countsOf(e.result);
      const again = countsOf(await this.coll.bulkWrite(errors.map((w) => ops[w.index]), { ordered: false }));
      return { inserted: done.inserted + again.inserted, modified: done.modified + again.modified, unchanged: done.unchanged + again.unchanged };
    }
  }
}

function chunk<X>(xs: readonly X[], size: number): X[][] {
  const out: X[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function sum(results: readonly UpsertResult[]): UpsertResult {
  const total: UpsertResult = { inserted: 0, modified: 0, unchanged: 0 };
  for (const r of results) {
    total.inserted += r.inserted;
    total.modified += r.modified;
    total.unchanged += r.unchanged;
  }
  return total;
}

/**
 * True if `stored` (as read back) equals `written` (as sent, numbers wrapped in Double): same
 * fields in the same order with the same values, as the servers judge a replace to be a no-op.
 */
export function sameAsWritten(stored: unknown, written: unknown): boolean {
  if (written instanceof Double) return typeof stored === 'number' && stored === written.value;
  if (stored === written) return true;
  if (typeof stored !== 'object' || typeof written !== 'object' || stored === null || written === null) return false;
  if (Array.isArray(written)) {
    if (!Array.isArray(stored) || stored.length !== written.length) return false;
    for (let i = 0; i < written.length; i++) if (!sameAsWritten(stored[i], written[i])) return false;
    return true;
  }
  if (Array.isArray(stored)) return false;
  if (written instanceof Date || stored instanceof Date) {
    return written instanceof Date && stored instanceof Date && written.getTime() === stored.getTime();
  }
  const ks = Object.keys(stored);
  const kw = Object.keys(written);
  if (ks.length !== kw.length) return false;
  for (let i = 0; i < kw.length; i++) {
    if (ks[i] !== kw[i]) return false;
    if (!sameAsWritten((stored as Record<string, unknown>)[ks[i]], (written as Record<string, unknown>)[kw[i]])) return false;
  }
  return true;
}

function countsOf(r: BulkWriteResult): UpsertResult {
  return { inserted: r.upsertedCount, modified: r.modifiedCount, unchanged: r.matchedCount - r.modifiedCount };
}

/**
 * Runs `fn` over `items` with at most `limit` in flight, results in item order. On the first
 * failure no new item starts; it rejects with that failure once the ones in flight have settled.
 */
export async function runLimited<I, O>(items: readonly I[], limit: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
