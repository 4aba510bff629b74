/**
 * Key -> partition, the same function Kafka's Java client and kafkajs's DefaultPartitioner use:
 * `toPositive(murmur2(utf8(key))) % partitions`. The in-process bus uses it too, so a key lands on
 * the same partition number in both implementations (and a lockstep comparison between them
 * lines up partition by partition).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2) on 32-bit ints: a signed int32.
 * Reference values (Kafka's UtilsTest): murmur2("21") = -973932308, murmur2("foobar") = -790332482.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16) | ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length % 4;
  if (rest === 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Partition of a non-null key among `partitions` (Kafka's default partitioner). */
export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}

/**
 * Memoises {@link partitionForKey} for one topic: keys are few (`exchange:symbol`) and hashing
 * them once keeps publish cheap. Bounded so a topic with unbounded key space cannot leak memory.
 */
export class KeyPartitioner {
  private readonly cache = new Map<string, number>();
  private roundRobin = 0;

  constructor(readonly partitions: number, private readonly maxCached = 10_000) {}

  /** A null key is spread round-robin, as Kafka does. */
  partition(key: string | null): number {
    if (key === null) return this.roundRobin++ % this.partitions;
    let p = this.cache.get(key);
    if (p === undefined) {
      p = partitionForKey(key, this.partitions);
      if (this.cache.size >= this.maxCached) this.cache.clear();
      this.cache.set(key, p);
    }
    return p;
  }
}
