/**
 * What importers write to: structurally the `upsertMany` of `@atp/storage`'s `Repository<T>`, so a
 * MemoryStore or MongoStore repository is passed in directly while this domain lib stays free of
 * the storage adapter (Nx boundary: domain does not import adapters).
 */
export interface UpsertSink<T extends { _id: string }> {
  upsertMany(docs: readonly T[]): Promise<{ inserted: number; modified: number; unchanged: number }>;
}

export interface UpsertTotals {
  inserted: number;
  modified: number;
  unchanged: number;
}

export function addTotals(a: UpsertTotals, b: UpsertTotals): UpsertTotals {
  return { inserted: a.inserted + b.inserted, modified: a.modified + b.modified, unchanged: a.unchanged + b.unchanged };
}

/** A row that did not import, and why. `line` is 1-based; for JSON it is the line the element starts on. */
export interface BadRow {
  file: string;
  line: number;
  /** 1-based element index for JSON arrays. */
  element?: number;
  reason: string;
}

/** Progress of one file, reported after every written batch and at the end. */
export interface ImportProgress {
  file: string;
  rowsRead: number;
  rowsWritten: number;
  badRows: number;
  bytesRead: number;
  totalBytes: number;
  done: boolean;
}

export type ProgressCallback = (p: ImportProgress) => void;
