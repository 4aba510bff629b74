/**
 * A map from ids (client order ids, fill ids) to values, for a set that only grows and is looked
 * up mostly for ids it does not hold: the paper exchange's final orders, which every new order is
 * checked against (duplicate submits), and a portfolio's fill ids (every fill is checked against
 * them: duplicate deliveries).
 *
 * Why not a Map: a long backtest holds tens of thousands of final orders, and between two orders
 * the rest of the run pushes that table out of the caches. A Map miss then reads a bucket, its
 * entries and the key strings they point to (to compare their hashes): several cache misses per
 * lookup, a few percent of a run with ~1 round trip per 50 bars. Here a miss reads 16-bit tags of
 * the slots' hashes, adjacent in one Uint16Array (open addressing, linear probing, at most half
 * full): usually one cache line of a small array; an entry index and its key string are read only
 * when a tag matches.
 */
export class IdTable<V> {
  /**
   * Per slot, 16 bits of the hash of the id it holds (bits 16-31, never 0: 0 = empty): all that a
   * miss reads, 2 bytes a slot (a 64k-entry table's misses touch 256 KB rather than the 1 MB of
   * [hash, index] pairs, which a long run's other memory traffic kept pushing out of the caches).
   */
  private tags = new Uint16Array(1024);
  /** Per slot: the index of its entry + 1, read only when the tag matches. */
  private entries = new Int32Array(1024);
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
    const tags = this.tags;
    const mask = this.mask;
    const tag = tagOf(h);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slotTag = tags[i]!;
      if (slotTag === 0) return -1;
      if (slotTag === tag) {
        const e = this.entries[i]! - 1;
        if (this.keys[e] === id) return e;
      }
    }
  }

  /** Puts entry `entry1` (index + 1) of hash `h` in the first free slot of its probe sequence. */
  private place(h: number, entry1: number): void {
    const tags = this.tags;
    const mask = this.mask;
    let i = h & mask;
    while (tags[i] !== 0) i = (i + 1) & mask;
    tags[i] = tagOf(h);
    this.entries[i] = entry1;
  }

  /** Doubles the slots and places every entry again. */
  private grow(): void {
    const slots = 2 * (this.mask + 1);
    this.tags = new Uint16Array(slots);
    this.entries = new Int32Array(slots);
    this.mask = slots - 1;
    for (let e = 0; e < this.hashes.length; e++) this.place(this.hashes[e]!, e + 1);
  }
}

/** A slot's tag of hash `h`: its bits 16-31, never 0 (0 marks a free slot). */
function tagOf(h: number): number {
  return (h >>> 16) | 1;
}

/** 32-bit FNV-1a of the UTF-16 code units of `s` (its low bits pick the slot, its high bits make the tag). */
function hashOf(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}
