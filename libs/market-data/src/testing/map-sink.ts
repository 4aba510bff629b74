import type { UpsertSink } from '../sink';

/** A minimal in-memory `UpsertSink` for the domain lib's own tests (storage implementations are tested elsewhere). */
export class MapSink<T extends { _id: string }> implements UpsertSink<T> {
  readonly docs = new Map<string, T>();
  calls = 0;

  async upsertMany(docs: readonly T[]) {
    this.calls++;
    let inserted = 0, modified = 0, unchanged = 0;
    for (const d of docs) {
      const prev = this.docs.get(d._id);
      if (!prev) inserted++;
      else if (JSON.stringify(prev) === JSON.stringify(d)) unchanged++;
      else modified++;
      this.docs.set(d._id, d);
    }
    return { inserted, modified, unchanged };
  }
}
