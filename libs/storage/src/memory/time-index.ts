import type { Primitive } from '../storage';
import type { Where } from '../internal/rules';

/** A stored document: validated plain data, never mutated once stored (writes replace it). */
export type StoredDoc = Record<string, unknown> & { _id: string };

/** One document's position in a time index. */
export interface IndexEntry {
  readonly id: string;
  readonly t: number;
  /** Replaced in place when the document changes without moving (same time and partition). */
  doc: StoredDoc;
  live: boolean;
}

/** Orders entries by time, then `_id` (UTF-16 code units; the same as MongoDB's order for ASCII ids). */
export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  return a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The documents of one partition (one combination of partition field values, e.g. one
 * exchange/symbol/timeframe), kept sorted by (time, _id). Appends in time order — the usual case
 * for candles — keep it sorted at O(1); out-of-order appends and removals are settled lazily, once,
 * by the next read (one sort / one filter), so bulk loads in any order stay O(n log n).
 */
export class Partition {
  private entries: IndexEntry[] = [];
  private sorted = true;
  private dead = 0;

  get size(): number {
    return this.entries.length - this.dead;
  }

  add(e: IndexEntry): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined && compareEntries(last, e) > 0) this.sorted = false;
    this.entries.push(e);
  }

  remove(e: IndexEntry): void {
    e.live = false;
    this.dead++;
  }

  /** The live entries sorted by (time, _id). Do not modify the returned array. */
  view(): readonly IndexEntry[] {
    if (this.dead > 0) {
      this.entries = this.entries.filter((e) => e.live);
      this.dead = 0;
    }
    if (!this.sorted) {
      this.entries.sort(compareEntries);
      this.sorted = true;
    }
    return this.entries;
  }
}

/** Index of first entry with time >= t in a sorted view. */
export function lowerBound(entries: readonly IndexEntry[], t: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Nested maps, one level per partition field; leaves are partitions. Map keys tell 1 from '1'. */
type Level = Map<Primitive, Level | Partition>;

/**
 * A sorted index on (partition fields..., time field, _id) over one collection: the in-memory
 * counterpart of the compound index the Mongo adapter creates. A range query whose `where` fixes
 * every partition field reads one partition by binary search; otherwise it visits the partitions
 * matching the fields it does fix.
 */
export class TimeIndex {
  private readonly byId = new Map<string, { entry: IndexEntry; part: Partition }>();
  private readonly root: Level | Partition;

  constructor(
    readonly timeField: string,
    readonly partitionFields: readonly string[],
  ) {
    this.root = partitionFields.length === 0 ? new Partition() : new Map();
  }

  /** Number of indexed documents (those holding a numeric time field). */
  get size(): number {
    return this.byId.size;
  }

  /** Indexes a new or replaced document. Documents without a numeric time field are not indexed. */
  put(doc: StoredDoc): void {
    const t = doc[this.timeField];
    const prev = this.byId.get(doc._id);
    if (typeof t !== 'number') {
      if (prev) this.delete(doc._id);
      return;
    }
    const part = this.partitionOf(doc);
    if (prev && prev.part === part && prev.entry.t === t) {
      prev.entry.doc = doc;
      return;
    }
    if (prev) prev.part.remove(prev.entry);
    const entry: IndexEntry = { id: doc._id, t, doc, live: true };
    part.add(entry);
    this.byId.set(doc._id, { entry, part });
  }

  delete(id: string): void {
    const prev = this.byId.get(id);
    if (!prev) return;
    prev.part.remove(prev.entry);
    this.byId.delete(id);
  }

  /**
   * The partitions that may hold documents matching `where`, and the `where` fields the partition
   * choice did not settle (to be checked per document).
   */
  select(where: Where): { partitions: Partition[]; residual: [string, Primitive][] } {
    const residual = Object.entries(where).filter(([k]) => !this.partitionFields.includes(k));
    const partitions: Partition[] = [];
    const walk = (node: Level | Partition, depth: number): void => {
      if (node instanceof Partition) {
        if (node.size > 0) partitions.push(node);
        return;
      }
      const field = this.partitionFields[depth];
      if (Object.prototype.hasOwnProperty.call(where, field)) {
        const child = node.get(where[field]);
        if (child) walk(child, depth + 1);
      } else {
        for (const child of node.values()) walk(child, depth + 1);
      }
    };
    walk(this.root, 0);
    return { partitions, residual };
  }

  private partitionOf(doc: StoredDoc): Partition {
    let node = this.root;
    const fields = this.partitionFields;
    for (let i = 0; i < fields.length; i++) {
      const level = node as Level;
      const raw = doc[fields[i]];
      const key = raw === undefined ? null : (raw as Primitive);
      let child = level.get(key);
      if (!child) {
        child = i === fields.length - 1 ? new Partition() : new Map();
        level.set(key, child);
      }
      node = child;
    }
    return node as Partition;
  }
}

/**
 * MongoDB equality semantics for one top-level field: `null` matches a missing field, and a
 * value matches an array that contains it.
 */
export function fieldEquals(actual: unknown, expected: Primitive): boolean {
  if (actual === expected) return true;
  if (expected === null && actual === undefined) return true;
  if (Array.isArray(actual)) return actual.some((x) => x === expected);
  return false;
}

export function matchesAll(doc: StoredDoc, conditions: readonly [string, Primitive][]): boolean {
  for (let i = 0; i < conditions.length; i++) {
    const [k, v] = conditions[i];
    if (!fieldEquals(doc[k], v)) return false;
  }
  return true;
}
