/**
 * Ring-buffer bookkeeping for window indicators run chunk by chunk.
 *
 * A window indicator keeps the last `n` inputs in a ring whose slot for the input
 * with global index g is g % n; `pos` below is the slot of the chunk's first
 * input (kept incrementally by each indicator, so the per-update streaming path
 * does no integer division). Inside one `run` over input[from..to), a value that
 * lies in the chunk is read from the input array directly (the fast batch path);
 * only the first values of a chunk look back into the ring (the streaming path,
 * and the seam between a seeded history and new data). After the chunk,
 * `saveTail` stores its last values so the next chunk can look back.
 */
export function saveTail(ring: Float64Array, input: Float64Array, from: number, to: number, pos: number): void {
  const n = ring.length;
  const start = to - from > n ? to - n : from;
  let slot = advance(pos, start - from, n);
  for (let i = start; i < to; i++) {
    ring[slot] = input[i];
    slot = slot + 1 === n ? 0 : slot + 1;
  }
}

/** The input `lag` (<= n) steps before input i of the chunk whose first input sits in slot `pos`. */
export function lagged(ring: Float64Array, input: Float64Array, from: number, i: number, pos: number, lag: number): number {
  const j = i - lag;
  if (j >= from) return input[j];
  const slot = pos + (j - from);
  return ring[slot < 0 ? slot + ring.length : slot];
}

/** (pos + steps) mod n for pos in [0, n), steps >= 0, without a division in the common cases. */
export function advance(pos: number, steps: number, n: number): number {
  const p = pos + steps;
  if (p < n) return p;
  return steps < n ? p - n : p % n;
}
