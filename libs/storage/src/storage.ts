/**
 * Storage ports (ARCHITECTURE.md, "Ownership"): each service owns its collections and reaches them
 * only through these ports; implementations are in-memory (embedded mode, tests) and MongoDB
 * (official driver; FerretDB in local tests). Neither offers multi-document transactions, so every
 * write is idempotent, keyed by the document's natural key `_id`.
 */

export type Primitive = string | number | boolean | null;

/** A stored document: `_id` is the natural key, e.g. `binance:BTC/USDT:1h:1609459200000`. */
export interface Doc {
  _id: string;
}

/** Declares a collection: name, the numeric time field range queries use, and secondary indexes. */
export interface CollectionDef<T extends Doc> {
  name: string;
  /** Field holding Unix ms used by `range` (indexed together with the `partitionFields`). */
  timeField?: keyof T & string;
  /** Equality fields that usually accompany a range query, e.g. ['exchange','symbol','timeframe']. */
  partitionFields?: readonly (keyof T & string)[];
  /** Extra indexes (each a list of fields, ascending). */
  indexes?: readonly (readonly (keyof T & string)[])[];
}

export interface RangeQuery<T> {
  /** Equality filter on top-level fields. */
  where?: Partial<Record<keyof T & string, Primitive>>;
  /** Inclusive lower bound on the time field. */
  from?: number;
  /** Exclusive upper bound on the time field. */
  to?: number;
  order?: 'asc' | 'desc';
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
  /** Inserts or replaces many by `_id`, in one round trip per batch. */
  upsertMany(docs: readonly T[]): Promise<UpsertResult>;
  /** Inserts only if `_id` is new: true if inserted, false if it existed (idempotency guard). */
  insertIfAbsent(doc: T): Promise<boolean>;
  get(id: string): Promise<T | null>;
  getMany(ids: readonly string[]): Promise<T[]>;
  /** Documents matching `where` with the time field in [from, to), sorted by time then `_id`. */
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
