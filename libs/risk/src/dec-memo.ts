import { decToString, toDecimal, type Dec } from '@atp/core';

const SIZE = 8;
const keys: (string | undefined)[] = new Array<string | undefined>(SIZE).fill(undefined);
const vals: (Dec | undefined)[] = new Array<Dec | undefined>(SIZE).fill(undefined);
/** True where keys[i] is decToString(vals[i]) (made by decString, not parsed from any string). */
const canonical: boolean[] = new Array<boolean>(SIZE).fill(false);
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
  canonical[next] = false;
  next = (next + 1) % SIZE;
  return d;
}

/**
 * `decToString(d)`, remembering the pair both ways: the string for the same Dec object (views of
 * an unchanged equity or cash), and the Dec for the string (the decision that parses it next).
 * The string denotes exactly the value of `d`, so either stands for the other.
 */
export function decString(d: Dec): string {
  for (let i = 0; i < SIZE; i++) if (vals[i] === d && canonical[i]) return keys[i]!;
  const str = decToString(d);
  keys[next] = str;
  vals[next] = d;
  canonical[next] = true;
  next = (next + 1) % SIZE;
  return str;
}
