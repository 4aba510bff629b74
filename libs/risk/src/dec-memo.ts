import { toDecimal, type Dec } from '@atp/core';

const SIZE = 8;
const keys: (string | undefined)[] = new Array<string | undefined>(SIZE).fill(undefined);
const vals: (Dec | undefined)[] = new Array<Dec | undefined>(SIZE).fill(undefined);
let next = 0;

/**
 * `toDecimal` with a small memo of the last decimal strings parsed: a decision reads the same
 * equity, cash and close strings several times (view, watermarks, sizing), and parsing is most of
 * the cost of a cheap decimal operation. Dec values are immutable, so sharing one is safe; same
 * results and same errors as `toDecimal`.
 */
export function decOf(x: string | number | Dec): Dec {
  if (typeof x !== 'string') return toDecimal(x);
  for (let i = 0; i < SIZE; i++) if (keys[i] === x) return vals[i]!;
  const d = toDecimal(x);
  keys[next] = x;
  vals[next] = d;
  next = (next + 1) % SIZE;
  return d;
}
