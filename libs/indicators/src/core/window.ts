/**
 * Ring-buffer bookkeeping for window indicators run chunk by chunk.
 *
 * A window indicator keeps the last `n` inputs in a ring whose slot for the input
 * with global index g is g % n. Inside one `run` over input[from..to), a value
 * that lies in the chunk is read from the input array directly (the fast batch
 * path); only the first values of a chunk look back into the ring (the streaming
 * path, and the seam between a seeded history and new data). After the chunk,
 * `saveTail` stores its last values so the next chunk can look back.
 */
export function saveTail(ring: Float64Array, input: Float64Array, from: number, to: number, gFrom: number): void {
  const n = ring.length;
  const start = to - from > n ? to - n : from;
  let slot = (gFrom + (start - from)) % n;
  for (let i = start; i < to; i++) {
    ring[slot] = input[i];
    slot = slot + 1 === n ? 0 : slot + 1;
  }
}

/** The input `lag` steps before input i of the chunk (global index gFrom + i - from). */
export function lagged(ring: Float64Array, input: Float64Array, from: number, i: number, gFrom: number, lag: number): number {
  const j = i - lag;
  return j >= from ? input[j] : ring[(gFrom + j - from) % ring.length];
}
