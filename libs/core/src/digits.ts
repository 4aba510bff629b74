/**
 * Decimal digits of integers spelled as character codes into byte buffers: the number printing of
 * decimal.ts and ids.ts, which make their strings from bytes because V8 turns a number into a
 * string through a runtime call whenever its small number-string cache misses.
 */

const POW10: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** The number of decimal digits of a safe integer `a` >= 0 (1 for 0; at most 16). */
export function intDigits(a: number): number {
  let n = 1;
  while (n < 16 && a >= POW10[n]!) n++;
  return n;
}

/** Writes the `n` decimal digits of the integer `w` (0 <= w < 2^31, leading zeros when it has fewer) at b[p, p + n). */
export function putDigits(b: Uint8Array, p: number, n: number, w: number): void {
  for (let j = p + n - 1; j >= p; j--) {
    const q = (w / 10) | 0;
    b[j] = 48 + w - q * 10;
    w = q;
  }
}
