import { samePlain } from '../internal/plain-data';
import { TimeIndex, type StoredDoc } from './time-index';

export type WriteOutcome = 'inserted' | 'modified' | 'unchanged';

/**
 * One in-memory collection: documents by `_id` plus the time indexes its repositories declared.
 * Stored documents are validated copies and are never mutated: a write replaces the object, so a
 * reader holding an old reference (an `iterate` in progress) keeps a consistent view.
 */
export class MemoryCollection {
  readonly docs = new Map<string, StoredDoc>();
  private readonly indexes = new Map<string, TimeIndex>();

  constructor(readonly name: string) {}

  /** The time index on (partitionFields..., timeField), built from the current documents on first use. */
  timeIndex(timeField: string, partitionFields: readonly string[]): TimeIndex {
    const key = JSON.stringify([timeField, ...partitionFields]);
    let index = this.indexes.get(key);
    if (!index) {
      index = new TimeIndex(timeField, partitionFields);
      for (const doc of this.docs.values()) index.put(doc);
      this.indexes.set(key, index);
    }
    return index;
  }

  /** Inserts or replaces; `doc` must be a validated copy the caller no longer touches. */
  put(doc: StoredDoc): WriteOutcome {
    const prev = this.docs.get(doc._id);
    if (prev !== undefined && samePlain(prev, doc)) return 'unchanged';
    this.docs.set(doc._id, doc);
    for (const index of this.indexes.values()) index.put(doc);
    return prev === undefined ? 'inserted' : 'modified';
  }

  delete(id: string): boolean {
    if (!this.docs.delete(id)) return false;
    for (const index of this.indexes.values()) index.delete(id);
    return true;
  }
}
