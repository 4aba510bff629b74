/**
 * A map from ids (client order ids, fill ids) to values, for a set that only grows and is looked
 * up mostly for ids it does not hold: the paper exchange's final orders, which every new order is
 * checked against (duplicate submits), and a portfolio's fill ids (every fill is checked against
 * them: duplicate deliveries).
 *
 * Why not a Map: a long backtest holds tens of thousands of final orders, and between two orders
 * the rest of the run pushes that table out of the caches. A Map miss then reads a bucket, its
 * entries and the key strings they point to (to compare their hashes): several cache misses per
 * lookup, a few percent of a run with ~1 round trip per 50 bars. Here the hashes sit next to the
 * entry indexes in one Int32Array (open addressing, linear probing, at most half full), so a miss
 * is usually one cache line, and a key string is read only when its 32-bit hash matches.
 */
export class IdTable<V> {
  /** Per slot: [hash | 1 (0 = empty), index of the entry + 1]. */
  private table = new Int32Array(2 * 1024);
  private mask = 1024 - 1;
  private readonly keys: string[] = [];
  private readonly vals: V[] = [];
  /** The entries' hashes (growing places them again without reading their keys). */
  private readonly hashes: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  /**
   * The last id hashed and its hash: a caller that checks an id then sets it (a portfolio checks
   * each fill id, validates the fill, then records the id) hashes it once.
   */
  private lastId: string | undefined = undefined;
  private lastHash = 0;

  get(id: string): V | undefined {
    const e = this.find(id, this.hashOf(id));
    return e < 0 ? undefined : this.vals[e];
  }

  has(id: string): boolean {
    return this.find(id, this.hashOf(id)) >= 0;
  }

  /** The ids held, in the order they were first set. */
  ids(): readonly string[] {
    return this.keys;
  }

  /** Sets the value of `id` (replaced when it is already held). */
  set(id: string, value: V): void {
    const h = this.hashOf(id);
    const e = this.find(id, h);
    if (e >= 0) {
      this.vals[e] = value;
      return;
    }
    this.keys.push(id);
    this.vals.push(value);
    this.hashes.push(h);
    if (2 * this.keys.length > this.mask + 1) this.grow();
    else this.place(h, this.keys.length);
  }

  /** hashOf(id), remembered for the next call with the same id. */
  private hashOf(id: string): number {
    if (id === this.lastId) return this.lastHash;
    const h = hashOf(id);
    this.lastId = id;
    this.lastHash = h;
    return h;
  }

  /** The entry index of `id` (hash `h`), or -1. */
  private find(id: string, h: number): number {
    const t = this.table;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slotHash = t[2 * i]!;
      if (slotHash === 0) return -1;
      if (slotHash === h && this.keys[t[2 * i + 1]! - 1] === id) return t[2 * i + 1]! - 1;
    }
  }

  /** Puts entry `entry1` (index + 1) of hash `h` in the first free slot of its probe sequence. */
  private place(h: number, entry1: number): void {
    const t = this.table;
    const mask = this.mask;
    let i = h & mask;
    while (t[2 * i] !== 0) i = (i + 1) & mask;
    t[2 * i] = h;
    t[2 * i + 1] = entry1;
  }

  /** Doubles the slots and places every entry again. */
  private grow(): void {
    const slots = 2 * (this.mask + 1);
    this.table = new Int32Array(2 * slots);
    this.mask = slots - 1;
    for (let e = 0; e < this.hashes.length; e++) this.place(this.hashes[e]!, e + 1);
  }
}

/** 32-bit FNV-1a of the UTF-16 code units of `s`, with the low bit set (never 0: 0 marks a free slot). */
function hashOf(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 1;
}
