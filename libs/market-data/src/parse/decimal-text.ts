/** 10^k for k = 0..22: exactly representable doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * The number written in `s[from, to)` (surrounding spaces and tabs allowed), or NaN when that text
 * is not a plain decimal `-?digits(.digits)?` (optionally with an exponent) — no allocation on the
 * common path. Equal to `Number(text)` bit for bit: a mantissa of at most 15 digits and at most 22
 * fraction digits is divided once by an exact power of ten (correctly rounded, Clinger's fast
 * path); longer mantissas and exponents use `Number` on the slice. Empty text is NaN (unlike
 * `Number('')`).
 */
export function decimalAt(s: string, from: number, to: number): number {
  let i = from;
  let ch = s.charCodeAt(i);
  while (i < to && (ch === 32 || ch === 9)) ch = s.charCodeAt(++i);
  let end = to;
  while (end > i && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  if (i >= end) return NaN;
  const start = i;
  let neg = false;
  if (ch === 45) {
    neg = true;
    ch = s.charCodeAt(++i);
  }
  let m = 0;
  let digits = 0;
  let scale = 0;
  while (i < end && ch >= 48 && ch <= 57) {
    m = m * 10 + (ch - 48);
    digits++;
    ch = s.charCodeAt(++i);
  }
  if (i < end && ch === 46) {
    ch = s.charCodeAt(++i);
    while (i < end && ch >= 48 && ch <= 57) {
      m = m * 10 + (ch - 48);
      digits++;
      scale++;
      ch = s.charCodeAt(++i);
    }
  }
  if (digits === 0) return NaN;
  if (i < end) {
    if (ch !== 101 && ch !== 69) return NaN;
    return slowDecimal(s.slice(start, end));
  }
  if (digits > 15 || scale > 22) return slowDecimal(s.slice(start, end));
  const x = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -x : x;
}

const PLAIN = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function slowDecimal(text: string): number {
  return PLAIN.test(text) ? Number(text) : NaN;
}
