/**
 * Storage ports (ARCHITECTURE.md, "Ownership"): each service owns its collections and reaches them
 * only through these ports; implementations are in-memory (embedded mode, tests) and MongoDB
 * (official driver; FerretDB in local tests). Neither offers multi-document transactions, so every
 * write is idempotent, keyed by the document's natural key `_id`.
 */

export type Primitive = string | number | boolean | null;

/**
 * A stored document: `_id` is the natural key, e.g. `binance:BTC/USDT:1h:1609459200000`.
 *
 * Documents are plain data — plain objects, arrays, strings, finite numbers, booleans, null,
 * Dates — so every implementation stores and returns them alike (FerretDB v1 is the narrowest):
 * NaN/±Infinity, class instances (Map, Decimal, typed arrays), field names containing '.' or
 * starting with '$' are refused with an `InvalidDocumentError` (a TypeError) naming the field;
 * `undefined` fields are dropped and -0 is stored as 0. Money stays a decimal string.
 * Writes and reads copy: a caller cannot change a stored document by mutating an object.
 */
export interface Doc {
  _id: string;
}

/** Declares a collection: name, the numeric time field range queries use, and secondary indexes. */
export interface CollectionDef<T extends Doc> {
  name: string;
  /**
   * Field holding Unix ms used by `range` (indexed together with the `partitionFields`). Documents
   * written through a repository declaring it must hold a number there.
   */
  timeField?: keyof T & string;
  /** Equality fields that usually accompany a range query, e.g. ['exchange','symbol','timeframe']. */
  partitionFields?: readonly (keyof T & string)[];
  /** Extra indexes (each a list of fields, ascending). */
  indexes?: readonly (readonly (keyof T & string)[])[];
}

export interface RangeQuery<T> {
  /** Equality filter on top-level fields (MongoDB semantics: `null` also matches a missing field). */
  where?: Partial<Record<keyof T & string, Primitive>>;
  /** Inclusive lower bound on the time field. */
  from?: number;
  /** Exclusive upper bound on the time field. */
  to?: number;
  /** `desc` is the exact reverse of `asc`: time descending, then `_id` descending. */
  order?: 'asc' | 'desc';
  /** Maximum number of documents, applied after ordering: an integer >= 0 (0 returns nothing). */
  limit?: number;
}

export interface UpsertResult {
  /** Documents that did not exist before. */
  inserted: number;
  /** Documents that existed and changed. */
  modified: number;
  /** Documents that existed and were identical. */
  unchanged: number;
}

export interface Repository<T extends Doc> {
  readonly name: string;
  /** Creates indexes; idempotent. Called at start-up. */
  init(): Promise<void>;
  /** Inserts or replaces by `_id`. */
  upsert(doc: T): Promise<void>;
  /**
   * Inserts or replaces many by `_id`, in one round trip per batch. If `docs` repeat an `_id`, the
   * last one wins and counts once. Every document is validated before anything is written.
   */
  upsertMany(docs: readonly T[]): Promise<UpsertResult>;
  /** Inserts only if `_id` is new: true if inserted, false if it existed (idempotency guard). */
  insertIfAbsent(doc: T): Promise<boolean>;
  get(id: string): Promise<T | null>;
  getMany(ids: readonly string[]): Promise<T[]>;
  /**
   * Documents matching `where` with the time field in [from, to), sorted by time then `_id`.
   * Without a `timeField` in the definition: sorted by `_id`, and `from`/`to` throw.
   */
  range(q: RangeQuery<T>): Promise<T[]>;
  /** The same as `range`, in batches, for large scans. */
  iterate(q: RangeQuery<T>, batchSize?: number): AsyncIterable<T[]>;
  /** The document with the greatest time field matching `where` (e.g. the last stored candle). */
  last(where?: RangeQuery<T>['where']): Promise<T | null>;
  count(where?: RangeQuery<T>['where']): Promise<number>;
  deleteMany(where: RangeQuery<T>['where']): Promise<number>;
}

/** A service's persisted state, to resume after a restart without recomputing history. */
export interface Snapshot<S = unknown> {
  /** e.g. `features:binance:BTC/USDT:1h`. */
  _id: string;
  version: number;
  /** What the state includes, e.g. the last event time or bus offset applied. */
  position: string;
  state: S;
  savedAt: number;
}

export interface SnapshotStore {
  save<S>(snapshot: Snapshot<S>): Promise<void>;
  load<S>(id: string): Promise<Snapshot<S> | null>;
  delete(id: string): Promise<void>;
}

/** A database: a namespace of collections (one per service; a replay run id names its own). */
export interface Store {
  repository<T extends Doc>(def: CollectionDef<T>): Repository<T>;
  /** Snapshots in the owning service's `<prefix>snapshots` collection. */
  snapshots(prefix: string): SnapshotStore;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
