import { Buffer } from 'node:buffer';
import Decimal from 'decimal.js';
import { intDigits, putDigits } from './digits';

/**
 * Numeric policy (ARCHITECTURE.md, "Numbers"):
 * - market data and indicators are float64;
 * - orders, fills, positions, cash, fees and P&L are exact decimals, carried on the wire as
 *   decimal strings (`DecimalString`, e.g. "0.00123000" is accepted, canonical output has no
 *   exponent and no trailing zeros), rounded to the market's precision where a venue needs it;
 * - every float-to-decimal conversion goes through {@link toDecimal}, which takes the float's
 *   shortest round-trip representation (what `String(x)` prints), so 0.1 becomes exactly "0.1"
 *   and never 0.1000000000000000055511151231257827.
 */
export type DecimalString = string;

/** A decimal.js constructor with enough precision that no arithmetic here ever rounds silently. */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 60 });
export type Dec = InstanceType<typeof Dec>;

const DECIMAL_RE = /^-?(?:\d+)(?:\.\d+)?$/;

/** toDecimal('0') and toDecimal(0): the Dec decimal.js parses from "0" (+0), shared (see toDecimal). */
const STR_ZERO = new Dec('0');

/** True when `s` is a plain decimal string: optional minus, digits, optional fraction; no exponent. */
export function isDecimalString(s: unknown): s is DecimalString {
  return typeof s === 'string' && DECIMAL_RE.test(s);
}

/**
 * The one float-to-decimal conversion. Throws on NaN and infinities: a non-finite amount is a bug
 * upstream and must not become money.
 */
export function toDecimal(x: number | string | Dec): Dec {
  if (typeof x === 'number') {
    for (let i = 0; i < MEMO; i++) if (numKeys[i] === x) return numVals[i]!;
    if (!Number.isFinite(x)) throw new RangeError(`toDecimal: non-finite number ${x}`);
    if (x === 0) return STR_ZERO; // the Dec of String(x), "0" for -0 too (so never remembered: 0 and -0 are equal keys)
    let d = shortFloat(x);
    if (d === undefined) {
      const str = String(x);
      const plain = str.indexOf('e') < 0;
      d = (plain ? parsePlain(str) : undefined) ?? new Dec(str);
      if (plain) {
        // A float's shortest form without an exponent is already canonical (no trailing zeros,
        // no "-0"): it is what decToString prints for the Dec just parsed from it, and the string
        // parses back to this Dec.
        strKeys[strNext] = str;
        strVals[strNext] = d;
        strNext = (strNext + 1) & (MEMO - 1);
      }
    }
    numKeys[numNext] = x;
    numVals[numNext] = d;
    numNext = (numNext + 1) & (MEMO - 1);
    return d;
  }
  if (typeof x === 'string') {
    // "0" (a fee rounded to nothing, a flat position, a zero P&L): decimal.js's own parse of it
    // (two regular expressions), made once; Decs are immutable values, like the memo's below
    if (x === '0') return STR_ZERO;
    for (let i = 0; i < MEMO; i++) if (strKeys[i] === x) return strVals[i]!;
    if (!isDecimalString(x)) throw new RangeError(`toDecimal: not a decimal string: ${JSON.stringify(x)}`);
    return parsePlain(x) ?? new Dec(x);
  }
  return x;
}

/**
 * The Dec of `String(x)` for a non-zero float of at most 15 significant digits in [1e-6, 1e15)
 * (prices, closes, sizes: the usual floats made money), without the string: V8 prints a float by a
 * call into the runtime, the slowest part of the conversion. Undefined for anything else.
 *
 * Why it is the same value: m / 10^p (m < 10^15 and 10^p exact integers, so the division is
 * correctly rounded) equals |x| exactly when the decimal m x 10^-p rounds to |x|, i.e. when it
 * reads back as x. Such an m is unique for a given p (two would be 10^-p apart within one ulp of
 * x, which needs m > 2^52), and Math.round(|x| 10^p) finds it (|x| 10^p is within 0.33 of it).
 * The smallest p that has one gives the fewest significant digits, which is what String(x)
 * prints (ECMAScript Number::toString: the shortest digits that read back as x, fixed notation
 * in this range), and the Dec of m x 10^-p is the Dec parsed from that string.
 */
function shortFloat(x: number): Dec | undefined {
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-6 && a < 1e15)) return undefined;
  for (let p = 0; p <= 15; p++) {
    const m = Math.round(a * POW10[p]!);
    if (m >= 1e15) return undefined;
    if (m / POW10[p]! === a) return fromScaled(x < 0 ? -m : m, -p);
  }
  return undefined;
}

/** Canonical wire form: fixed notation, no trailing zeros, "-0" normalised to "0". */
export function decToString(d: Dec): DecimalString {
  if (d.isZero()) return '0';
  // a Dec printed a moment ago (the fill price again in its order event, the approved quantity in its event): the same string
  for (let i = 0; i < MEMO; i++) if (strVals[i] === d) return strKeys[i]!;
  const s = fixedOf(d);
  if (d.constructor !== Dec) return s; // another decimal.js configuration: never handed out as a Dec
  strKeys[strNext] = s;
  strVals[strNext] = d;
  strNext = (strNext + 1) & (MEMO - 1);
  return s;
}

/**
 * Where decimal strings are spelled out, one character code per byte, before one flat string is
 * made of them: V8 converts a number to a string by a call into the runtime whenever its small
 * number-string cache misses (always, for the limbs of fresh values), about 50-100 ns per limb,
 * and the concatenations then make a tree of pieces. Digits start at DIGITS_AT, leaving room in
 * front for a sign, "0." and up to 69 zeros.
 */
const CHARS = Buffer.alloc(512);
const DIGITS_AT = 80;
/** Most limbs fixedOf spells in CHARS: 7 digits each, with up to 71 zeros after the digits of an integer. */
const MAX_FIXED_LIMBS = 60;

/**
 * The string of CHARS[DIGITS_AT, end): the significant digits (`nd` of them, the leading one not
 * 0) of a value whose leading digit is of the power 10^e, laid out as decToString prints it (fixed
 * notation, no trailing zeros beyond the units), with a minus when `neg`. |e| <= 70.
 */
function layoutFixed(neg: boolean, e: number, nd: number): string {
  const b = CHARS;
  let start = DIGITS_AT;
  let end = DIGITS_AT + nd;
  if (e < 0) {
    // 0.00ddd: the point and -e - 1 zeros in front of the digits
    start = DIGITS_AT - 1 + e;
    b[start] = 48;
    b[start + 1] = 46;
    b.fill(48, start + 2, DIGITS_AT);
  } else if (e + 1 >= nd) {
    // an integer: zeros after the digits up to the units
    b.fill(48, end, DIGITS_AT + e + 1);
    end = DIGITS_AT + e + 1;
  } else {
    // ddd.ddd: the integer digits moved one place to the front, the point behind them
    start = DIGITS_AT - 1;
    for (let i = DIGITS_AT - 1; i < DIGITS_AT + e; i++) b[i] = b[i + 1]!;
    b[DIGITS_AT + e] = 46;
  }
  if (neg) b[--start] = 45;
  return b.toString('latin1', start, end);
}

/**
 * `d.toFixed()` (normal notation, every digit, no trailing zero) for a finite non-zero Dec with
 * an exponent within +-70 and at most MAX_FIXED_LIMBS limbs, spelled from its base-1e7 limbs
 * into CHARS (see there): decimal.js's own path goes through a generic digits string, a
 * number-to-string conversion per limb and a second pass. Anything else: toFixed.
 */
function fixedOf(d: Dec): string {
  const f = d as unknown as DecFields;
  const x = f.d;
  const e = f.e;
  if (x === null || x[0] === 0 || e > 70 || e < -70 || x.length > MAX_FIXED_LIMBS) return flat(d.toFixed());
  // the digits: the leading limb without leading zeros, every other one as 7 digits
  const w0 = x[0]!;
  const k = digits(w0);
  putDigits(CHARS, DIGITS_AT, k, w0);
  let p = DIGITS_AT + k;
  for (let i = 1; i < x.length; i++) {
    putDigits(CHARS, p, 7, x[i]!);
    p += 7;
  }
  while (CHARS[p - 1] === 48) p--; // the last limb's trailing zeros (it is not 0)
  return layoutFixed(f.s < 0, e, p - DIGITS_AT);
}

/**
 * `s` flattened: decimal.js concatenates a long value's digits limb by limb, and V8 keeps such a
 * string (13 characters or more) as a tree of its pieces, which results keep alive (a 60-digit
 * quantity: ~600 bytes instead of ~100) and every later read walks. Reading a character flattens
 * it in place into one string, its pieces becoming garbage at once.
 */
function flat(s: string): string {
  if (s.length > 12) _flatReads += s.charCodeAt(0); // (a used read: never optimised away)
  return s;
}

/** Sum of the characters `flat` read to flatten its strings (kept only so that the reads stay). */
let _flatReads = 0;

// Small memos of the last conversions: a decimal string made by decToString is parsed back by the
// next stage (a fill's price, quantity and fee by the portfolio, an approved quantity by the paper
// exchange), and a float close is converted for the mark and again for risk. Dec values are
// immutable and a canonical string denotes exactly the value of the Dec it was printed from
// (zero, whose sign the string loses, is never remembered), so returning the remembered Dec gives
// the same value, digits and sign as parsing.
const MEMO = 16; // a power of two
const strKeys: (string | undefined)[] = new Array<string | undefined>(MEMO).fill(undefined);
const strVals: (Dec | undefined)[] = new Array<Dec | undefined>(MEMO).fill(undefined);
let strNext = 0;
const numKeys: number[] = new Array<number>(MEMO).fill(NaN);
const numVals: (Dec | undefined)[] = new Array<Dec | undefined>(MEMO).fill(undefined);
let numNext = 0;

/**
 * Sign tests against zero: the same answers as `d.gt(0)`, `d.lt(0)` and `d.lte(0)` (-0 counts as
 * 0, NaN answers false), without the Dec that decimal.js builds for the 0 on every comparison.
 */
export function gtZero(d: Dec): boolean {
  return d.isPositive() && !d.isZero();
}
export function ltZero(d: Dec): boolean {
  return d.isNegative() && !d.isZero();
}
export function lteZero(d: Dec): boolean {
  return d.isZero() || d.isNegative();
}

/** Decimal string -> float64, for charts and metrics only (never for accounting). */
export function decToNumber(d: Dec | DecimalString): number {
  return typeof d === 'string' ? Number(d) : d.toNumber();
}

/** Rounding modes used when snapping to exchange precision. */
export type RoundingMode = 'down' | 'up' | 'half-away-from-zero' | 'half-even';

const MODES: Record<RoundingMode, Decimal.Rounding> = {
  down: Decimal.ROUND_DOWN,
  up: Decimal.ROUND_UP,
  'half-away-from-zero': Decimal.ROUND_HALF_UP,
  'half-even': Decimal.ROUND_HALF_EVEN,
};

/**
 * Rounds to `places` decimal places (ccxt "DECIMAL_PLACES" precision mode) with the given mode.
 * Quantities are rounded `down` (never more than approved), fees `half-away-from-zero`.
 */
export function roundToPlaces(d: Dec, places: number, mode: RoundingMode): Dec {
  if (!Number.isInteger(places) || places < 0) throw new RangeError(`roundToPlaces: bad places ${places}`);
  return roundScaled(d, places, mode) ?? (mode === 'down' ? truncated(d, places) : undefined) ?? d.toDecimalPlaces(places, MODES[mode]);
}

/**
 * `d.toDecimalPlaces(places, ROUND_DOWN)` for a long value, by cutting its base-1e7 limbs below
 * 10^-places (a sized quantity of 60 digits to the amount step): undefined for zeros, non-finite
 * values and a cut leaving zero (decimal.js keeps the sign of a zero it rounds to).
 */
function truncated(d: Dec, places: number): Dec | undefined {
  const f = d as unknown as DecFields;
  const x = f.d;
  if (x === null || x[0] === 0) return undefined;
  const top = Math.floor(f.e / 7); // limb i holds the digits 10^(7 (top - i)) .. 10^(7 (top - i) + 6)
  const i = top - Math.floor(-places / 7); // the limb holding 10^-places
  if (i >= x.length) return d; // no digit below 10^-places: the value itself (Dec values are immutable)
  if (i < 0) return undefined; // everything is cut
  const cut = -places - 7 * (top - i); // low digits of limb i to drop, 0..6
  const kept = x.slice(0, i + 1);
  if (cut > 0) kept[i] = (Math.floor(kept[i]! / POW10[cut]!) * POW10[cut]!) | 0;
  while (kept.length > 1 && kept[kept.length - 1] === 0) kept.pop();
  if (kept[0] === 0) return undefined;
  return built(f.s, f.e, kept);
}

/**
 * `d.toDecimalPlaces(places, mode)` in integer arithmetic for a short non-zero `d` (a result of
 * zero has the sign of `d`, as decimal.js's): undefined otherwise.
 */
function roundScaled(d: Dec, places: number, mode: RoundingMode): Dec | undefined {
  if (!scaled(d)) return undefined;
  const k = -places - sq; // digits to drop
  if (k <= 0) return fromScaled(sm, sq); // already within `places`: a copy, as decimal.js returns
  if (k > 15) return undefined;
  const p = POW10[k]!;
  const neg = sm < 0;
  const a = neg ? -sm : sm;
  const rem = a % p;
  let q = (a - rem) / p;
  if (rem !== 0) {
    if (mode === 'up') q += 1;
    else if (mode === 'half-away-from-zero') {
      if (rem * 2 >= p) q += 1;
    } else if (mode === 'half-even') {
      if (rem * 2 > p || (rem * 2 === p && q % 2 === 1)) q += 1;
    }
  }
  // rounded to nothing (a fee of a tiny fill): decimal.js's zero, which keeps the sign of `d`
  if (q === 0) return built(neg ? -1 : 1, 0, [0]);
  return fromScaled(neg ? -q : q, -places);
}

/** Rounds to a multiple of `step` (ccxt "TICK_SIZE" precision mode), e.g. step "0.001". */
export function roundToStep(d: Dec, step: Dec | DecimalString, mode: RoundingMode): Dec {
  const s = toDecimal(step);
  const places = powerOfTenPlaces(s);
  // A step of 10^-k (1, 0.1, ..., the usual amount steps and ticks): the same value as the
  // division below, without a 60-digit division (d / 10^-k is exact, so nothing rounds before the
  // integer rounding, which is rounding to k places).
  if (places >= 0) return roundToPlaces(d, places, mode);
  if (s.lte(0)) throw new RangeError(`roundToStep: step must be positive, got ${s.toString()}`);
  return d.div(s).toDecimalPlaces(0, MODES[mode]).mul(s);
}

let lastStep: Dec | undefined;
let lastStepPlaces = -1;
const POW10_STEP_RE = /^(?:1|0\.0*1)$/;

/** k when `s` is exactly 10^-k for k >= 0 (1, 0.1, 0.01, ...), else -1. Remembers the last step (Dec values are immutable). */
function powerOfTenPlaces(s: Dec): number {
  if (s === lastStep) return lastStepPlaces;
  const places = s.sd() === 1 && POW10_STEP_RE.test(s.toFixed()) ? s.decimalPlaces() : -1;
  lastStep = s;
  lastStepPlaces = places;
  return places;
}

/** Number of decimal places of a tick size such as "0.01" (2) or "1" (0). */
export function placesOfStep(step: DecimalString | Dec): number {
  return toDecimal(step).decimalPlaces();
}

// ---------------------------------------------------------------- exact fast paths
//
// decimal.js spends most of a cheap operation on copies and limb loops. The values a backtest
// books (prices, quantities, fees, cash) have a few significant digits, so their sums, differences
// and products fit a float64 integer exactly: the helpers below compute those in integer
// arithmetic and build the Dec decimal.js would have built (the same sign, exponent and base-1e7
// limbs: every later operation and string is then the same), and hand anything else (zeros, long
// values, results that could round) to decimal.js itself.

/** decimal.js's internal fields of a Dec: sign, base-10 exponent of the leading digit, base-1e7 limbs aligned to the point. */
interface DecFields {
  s: number;
  e: number;
  d: number[] | null;
}

const MAX_INT = 9007199254740991; // 2^53 - 1
const WORD = 1e7;
const POW10: number[] = [];
for (let i = 0, p = 1; i <= 22; i++, p *= 10) POW10.push(p);

// The last `scaled` read: value = sm x 10^sq, sm a non-zero integer with |sm| <= 2^53 - 1.
let sm = 0;
let sq = 0;

/** Reads a finite non-zero Dec as an exact float64 integer times a power of ten; false when it does not fit. */
function scaled(x: Dec): boolean {
  const f = x as unknown as DecFields;
  const d = f.d;
  if (d === null) return false;
  const n = d.length;
  if (n > 3) return false;
  let w = d[n - 1]!;
  if (w === 0) return false; // zero (decimal.js keeps no trailing zero limb otherwise)
  let tz = 0;
  while (w % 10 === 0) {
    w /= 10;
    tz++;
  }
  let m = 0;
  for (let i = 0; i < n - 1; i++) m = m * WORD + d[i]!;
  m = m * POW10[7 - tz]! + w;
  if (m > MAX_INT) return false;
  sm = f.s < 0 ? -m : m;
  // Limbs are aligned to the decimal point: the last one holds the digits 10^q .. 10^(q+6),
  // q = 7 x (floor(e / 7) - n + 1).
  sq = 7 * (Math.floor(f.e / 7) - n + 1) + tz;
  return true;
}

function digits(w: number): number {
  return w < 1e3 ? (w < 10 ? 1 : w < 100 ? 2 : 3) : w < 1e5 ? (w < 1e4 ? 4 : 5) : w < 1e6 ? 6 : 7;
}

/**
 * A Dec with the given fields. Made by decimal.js's own constructor then set, so that every Dec
 * has the one object shape decimal.js's code is optimised for (a second shape would make all of
 * its property reads polymorphic). Constructed from 0, its shortest path (the same fields in the
 * same order as from 1, without the check of 1 for a Decimal's tag, the digit count and the
 * exponent limits): ~39 instead of ~49 ns per Dec, and the fast paths make some 19 per fill of
 * a backtest (740k in the 1M synthetic bars MA 10/30 run).
 */
function built(s: number, e: number, d: number[]): Dec {
  const out = new Dec(0);
  const f = out as unknown as DecFields;
  f.s = s;
  f.e = e;
  f.d = d;
  return out;
}

/** The Dec of m x 10^q (m a non-zero integer, |m| <= 2^53 - 1), as decimal.js represents it. */
function fromScaled(m: number, q: number): Dec {
  const s = m < 0 ? -1 : 1;
  let a = m < 0 ? -m : m;
  // limbs aligned to the point, least significant first; zero limbs at the end are dropped
  const r = q - 7 * Math.floor(q / 7);
  let base = q - r;
  const p = r > 0 ? POW10[7 - r]! : WORD;
  // a = hi x p + lo by a float division and a correction (a float64 % is a slow library call)
  let hi = Math.floor(a / p);
  let lo = a - hi * p;
  if (lo < 0) {
    hi--;
    lo += p;
  } else if (lo >= p) {
    hi++;
    lo -= p;
  }
  a = hi;
  let w = r > 0 ? lo * POW10[r]! : lo;
  while (w === 0) {
    base += 7;
    hi = Math.floor(a / WORD);
    lo = a - hi * WORD;
    if (lo < 0) {
      hi--;
      lo += WORD;
    } else if (lo >= WORD) {
      hi++;
      lo -= WORD;
    }
    a = hi;
    w = lo;
  }
  return limbs(s, base, w, a);
}

/** The Dec of sign x (a x 10^7 + w) x 10^base, w the non-zero least significant limb. (Limbs below 1e7 stored as int32: small-integer arrays, as decimal.js's own, not float ones.) */
function limbs(s: number, base: number, w: number, a: number): Dec {
  if (a === 0) return built(s, base + digits(w) - 1, [w | 0]);
  const w1 = a % WORD;
  a = (a - w1) / WORD;
  if (a === 0) return built(s, base + 7 + digits(w1) - 1, [w1 | 0, w | 0]);
  const w2 = a % WORD;
  a = (a - w2) / WORD;
  if (a === 0) return built(s, base + 14 + digits(w2) - 1, [w2 | 0, w1 | 0, w | 0]);
  return built(s, base + 21 + digits(a) - 1, [a | 0, w2 | 0, w1 | 0, w | 0]);
}

/**
 * The value of `d` as an exact float64 integer coefficient and a power of ten, for compact
 * storage (typed arrays, no Dec object): writes `m[i]` and `q[i]` (value = m x 10^q, m without
 * trailing zeros; m = 0, q = 0 for a zero of either sign) and returns true, or false when `d` is
 * not finite or its coefficient passes 2^53 - 1. {@link scaledToString} prints it as decToString
 * prints `d`.
 */
export function decScaledInto(d: Dec, m: Float64Array, q: Int32Array, i: number): boolean {
  const x = (d as unknown as DecFields).d;
  if (x !== null && x[0] === 0) {
    m[i] = 0;
    q[i] = 0;
    return true;
  }
  if (!scaled(d)) return false;
  m[i] = sm;
  q[i] = sq;
  return true;
}

/** decToString of the value m x 10^q written by {@link decScaledInto} (m an integer within +-(2^53 - 1) without trailing zeros, or 0). */
export function scaledToString(m: number, q: number): DecimalString {
  if (m === 0) return '0';
  const neg = m < 0;
  const a = neg ? -m : m;
  const nd = intDigits(a); // (an integer below 2^53: at most 16 digits)
  const e = nd - 1 + q; // the power of ten of the leading digit
  if (e > 70 || e < -70) return flat(new Dec(`${neg ? '-' : ''}${String(a)}e${q}`).toFixed());
  // spelled in CHARS as fixedOf spells a Dec (see there): a = hi x 10^7 + lo, both below 2^31
  const hi = Math.floor(a / WORD);
  const lo = a - hi * WORD;
  if (hi > 0) {
    putDigits(CHARS, DIGITS_AT, nd - 7, hi);
    putDigits(CHARS, DIGITS_AT + nd - 7, 7, lo);
  } else putDigits(CHARS, DIGITS_AT, nd, lo);
  return layoutFixed(neg, e, nd);
}

/** `d.toNumber()` (the float nearest the exact value), faster for short values. */
export function decNumber(d: Dec): number {
  if (!scaled(d)) {
    // a zero (a flat position's quantity): toNumber's, through its string ("-0" for -0), without the string
    const f = d as unknown as DecFields;
    if (f.d !== null && f.d[0] === 0) return f.s < 0 ? -0 : 0;
    return d.toNumber();
  }
  // both operands exact: one correctly rounded operation gives the float nearest the value, as Number(string) does
  if (sq >= 0) return sq <= 22 ? sm * POW10[sq]! : d.toNumber();
  return sq >= -22 ? sm / POW10[-sq]! : d.toNumber();
}

/**
 * A float within a relative 1e-13 of `d` (from its leading 15 to 21 digits), far cheaper than
 * `decNumber` for a long value: for estimates that allow for the error (e.g. to tell two clearly
 * different quantities apart), never for accounting, charts or metrics. 0 for zeros, NaN and the
 * infinities as decimal.js's.
 */
export function decApprox(d: Dec): number {
  const f = d as unknown as DecFields;
  const x = f.d;
  if (x === null) return d.toNumber();
  const n = x.length < 3 ? x.length : 3;
  let m = 0;
  for (let i = 0; i < n; i++) m = m * WORD + x[i]!; // a leading limb >= 1: what is dropped is below 1e-14 of m
  const q = 7 * (Math.floor(f.e / 7) - n + 1);
  return f.s * (q >= 0 ? m * 10 ** q : m / 10 ** -q);
}

const BIG_POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 160; i++, p *= 10n) BIG_POW10.push(p);

/**
 * `a.div(b)`: the same Dec (decimal.js divides to `Dec.precision` significant digits, correctly
 * rounded half up), computed as one integer division when both operands are short. Division by
 * zero and zero dividends go to decimal.js.
 */
export function decDiv(a: Dec, b: Dec): Dec {
  if (Dec.precision !== 60 || Dec.rounding !== Decimal.ROUND_HALF_UP) return a.div(b);
  if (scaled(b) && sm <= MAX_SHORT_DIVISOR && sm >= -MAX_SHORT_DIVISOR) {
    const q = shortDivisorDiv(a, sm, sq);
    if (q !== undefined) return q;
  }
  if (!scaled(a)) return wideDiv(a, b);
  const ma = sm;
  const qa = sq;
  if (!scaled(b)) return wideDiv(a, b);
  const mb = sm;
  const x = ma < 0 ? -ma : ma;
  const y = mb < 0 ? -mb : mb;
  return quotient(ma < 0 !== mb < 0, BigInt(x), intDigits(x), qa, BigInt(y), intDigits(y), sq);
}

/** 10^7 x this stays below 2^53: the long division's remainders times 10^7 are exact float64 integers. */
const MAX_SHORT_DIVISOR = 9e8;
/** The quotient's digits (61 significant) of the last `shortDivisorDiv`. */
const quotientDigits = new Int8Array(68);
/** Limbs being made (fromDigits, shortDivisorDiv), sliced into the Dec's own array. Small integers only (packed, as decimal.js's arrays). */
const LIMB_SCRATCH = 24;
const limbScratch: number[] = [];
for (let i = 0; i < LIMB_SCRATCH; i++) limbScratch.push(0);

/**
 * `a / (mb x 10^qb)` for a divisor of at most 9 digits (0 < |mb| <= 9e8) and a finite non-zero
 * `a`: schoolbook long division of a's base-1e7 limbs in float64 integers (every remainder times
 * 10^7 stays below 2^53), to 60 significant digits and the next one, rounded half up: the Dec
 * decimal.js divides to, without BigInts or digit strings. Undefined for a zero or non-finite `a`.
 */
function shortDivisorDiv(a: Dec, mb: number, qb: number): Dec | undefined {
  const f = a as unknown as DecFields;
  const limbs = f.d;
  if (limbs === null || limbs[0] === 0) return undefined;
  const y = mb < 0 ? -mb : mb;
  const n = limbs.length;
  let r = 0;
  let nq = 0; // quotient digits written, from the first non-zero one
  let lead = 0; // place of the leading quotient digit, in digits above the dividend's last one
  for (let j = 0; nq < 61; j++) {
    r = r * WORD + (j < n ? limbs[j]! : 0);
    // r / y < 1e7 lies at least 1/y >= 1.1e-9 below the next integer, more than half an ulp
    // (<= 2^-30, 9.3e-10) of a float below 2^24: the float quotient never rounds up to it
    const c = Math.floor(r / y);
    r -= c * y;
    if (nq === 0) {
      if (c === 0) continue;
      const k = digits(c);
      lead = 7 * (n - 1 - j) + k - 1;
      for (let p = POW10[k - 1]!; p >= 1; p /= 10) quotientDigits[nq++] = Math.floor(c / p) % 10;
    } else {
      for (let p = 1e6; p >= 1; p /= 10) quotientDigits[nq++] = Math.floor(c / p) % 10;
    }
  }
  // a = (its limbs as a base-1e7 integer) x 10^qa
  const qa = 7 * (Math.floor(f.e / 7) - n + 1);
  let e = lead + qa - qb; // exponent of the leading digit
  if (quotientDigits[60]! >= 5) {
    // half up: add one at the 60th digit, carrying
    let i = 59;
    while (i >= 0 && quotientDigits[i] === 9) quotientDigits[i--] = 0;
    if (i >= 0) quotientDigits[i]!++;
    else {
      quotientDigits[0] = 1; // 999...9 rounded up to 1000...0
      e++;
    }
  }
  // base-1e7 limbs aligned to the point: the leading one holds the digits down to 10^(7 floor(e / 7))
  const first = e - 7 * Math.floor(e / 7) + 1;
  const out = limbScratch;
  let nl = 0;
  let w = 0;
  for (let i = 0; i < first; i++) w = w * 10 + quotientDigits[i]!;
  out[nl++] = w | 0;
  for (let i = first; i < 60; i += 7) {
    w = 0;
    for (let k = i; k < i + 7; k++) w = w * 10 + (k < 60 ? quotientDigits[k]! : 0);
    out[nl++] = w | 0;
  }
  while (nl > 1 && out[nl - 1] === 0) nl--;
  return built(f.s * (mb < 0 ? -1 : 1), e, out.slice(0, nl));
}

/** `decDiv` for operands that do not fit a float64 integer: their coefficients as BigInts (at most 60 digits each; zeros and longer values go to decimal.js). */
function wideDiv(a: Dec, b: Dec): Dec {
  if (!coefficient(a)) return a.div(b);
  const A = wc;
  const na = wn;
  const qa = wq;
  const sa = ws;
  if (!coefficient(b)) return a.div(b);
  return quotient(sa !== ws, A, na, qa, wc, wn, wq);
}

// The last `coefficient` read: value = ws x wc x 10^wq, wc a positive integer of wn digits (last digit not 0).
let wc = 0n;
let wn = 0;
let wq = 0;
let ws = 1;

/** Reads a finite non-zero Dec of at most 60 significant digits as a BigInt coefficient and a power of ten; false otherwise. */
function coefficient(x: Dec): boolean {
  const f = x as unknown as DecFields;
  const d = f.d;
  if (d === null || d[0] === 0) return false; // infinities, NaN, zeros (only a zero has a leading 0 limb)
  const n = d.length;
  let str = String(d[0]);
  for (let i = 1; i < n; i++) {
    const w = String(d[i]);
    str += w.length === 7 ? w : '0000000'.slice(w.length) + w;
  }
  let end = str.length;
  while (str.charCodeAt(end - 1) === 48) end--;
  if (end > 60) return false;
  wc = BigInt(end === str.length ? str : str.slice(0, end));
  wn = end;
  wq = 7 * (Math.floor(f.e / 7) - n + 1) + (str.length - end);
  ws = f.s;
  return true;
}

/**
 * sign x (A x 10^qa) / (B x 10^qb), A of na digits and B of nb digits, positive: correctly rounded
 * to 60 significant digits, half up (away from zero), as the Dec decimal.js represents it.
 */
function quotient(neg: boolean, A: bigint, na: number, qa: number, B: bigint, nb: number, qb: number): Dec {
  // A 10^k / B in [10^58, 10^60) for this k; one more digit when below 10^59: 60 digits before rounding
  let k = 59 - na + nb;
  let num = A * BIG_POW10[k]!;
  let q = num / B;
  if (q < BIG_POW10[59]!) {
    k++;
    num *= 10n;
    q = num / B;
  }
  const rem = num - q * B;
  if (rem * 2n >= B) q += 1n; // half up (away from zero)
  return fromDigits(neg ? -1 : 1, q.toString(), qa - qb - k);
}

/** The integer that the decimal digits str[from, to) spell (at most 7 of them): char codes, no substring and parseInt. */
function digitsValue(str: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (str.charCodeAt(i) - 48);
  return v;
}

/** The Dec of sign x digits x 10^exp (digits: a positive integer's decimal digits), as decimal.js represents it. */
function fromDigits(sign: number, str: string, exp: number): Dec {
  const nd = str.length;
  const e = exp + nd - 1; // exponent of the leading digit
  const lead = e - 7 * Math.floor(e / 7) + 1; // digits in the leading limb (aligned to the point)
  // (limbs written to the scratch array, then sliced: an array of exactly their number; one made
  // by pushes keeps room for 17 elements, ~110 bytes more per Dec that results keep)
  const long = nd > lead + 7 * (LIMB_SCRATCH - 1);
  const r = long ? [] : limbScratch;
  let n = 0;
  r[n++] = (nd >= lead ? digitsValue(str, 0, lead) : digitsValue(str, 0, nd) * POW10[lead - nd]!) | 0; // (int32: a small-integer array, as decimal.js's)
  for (let i = lead; i < nd; i += 7) {
    const end = i + 7 < nd ? i + 7 : nd;
    const w = digitsValue(str, i, end);
    r[n++] = (end - i === 7 ? w : w * POW10[7 - (end - i)]!) | 0;
  }
  while (n > 1 && r[n - 1] === 0) n--;
  return built(sign, e, long ? (n === r.length ? r : r.slice(0, n)) : r.slice(0, n));
}

const POS_ZERO = new Dec(0);

// The last products decMul made, by operand identity (either order).
const MUL_MEMO = 4; // a power of two
const mulA: (Dec | undefined)[] = new Array<Dec | undefined>(MUL_MEMO).fill(undefined);
const mulB: (Dec | undefined)[] = new Array<Dec | undefined>(MUL_MEMO).fill(undefined);
const mulP: (Dec | undefined)[] = new Array<Dec | undefined>(MUL_MEMO).fill(undefined);
let mulNext = 0;

/**
 * `a.mul(b)`, remembering the last few products: the same two Dec objects multiplied again, in
 * either order, give the Dec made the first time (a fill's notional: price x quantity at the venue
 * for the fee, quantity x price in the portfolio, whose parsed strings are the venue's Decs).
 * decimal.js rounds the exact product, so a x b and b x a are the same value; Decs are immutable.
 */
export function decMul(a: Dec, b: Dec): Dec {
  for (let i = 0; i < MUL_MEMO; i++) {
    const x = mulA[i];
    if ((x === a && mulB[i] === b) || (x === b && mulB[i] === a)) return mulP[i]!;
  }
  const p = productScaled(a, b) ?? a.mul(b);
  mulA[mulNext] = a;
  mulB[mulNext] = b;
  mulP[mulNext] = p;
  mulNext = (mulNext + 1) & (MUL_MEMO - 1);
  return p;
}

/**
 * `a.mul(b)` (the same Dec), in float64 integers when the exact product of two short values fits
 * one; unlike {@link decMul} it remembers nothing (for products not multiplied again).
 */
export function decProduct(a: Dec, b: Dec): Dec {
  return productScaled(a, b) ?? a.mul(b);
}

/**
 * `a.cmp(b)` for two Decs: 1, -1 or 0 as decimal.js's comparedTo answers (-0 equals 0), reading
 * both values' fields without the copy of `b` that decimal.js makes on every comparison. NaN and
 * the infinities go to decimal.js.
 */
export function decCmp(a: Dec, b: Dec): number {
  const fa = a as unknown as DecFields;
  const fb = b as unknown as DecFields;
  const xd = fa.d;
  const yd = fb.d;
  if (xd === null || yd === null) return a.cmp(b);
  const xz = xd[0] === 0;
  const yz = yd[0] === 0;
  if (xz || yz) return xz ? (yz ? 0 : -fb.s) : fa.s;
  const xs = fa.s;
  if (xs !== fb.s) return xs;
  // same sign: the larger exponent, then the first different limb (both aligned to the point), then the longer one
  if (fa.e !== fb.e) return fa.e > fb.e ? xs : -xs;
  const xl = xd.length;
  const yl = yd.length;
  const n = xl < yl ? xl : yl;
  for (let i = 0; i < n; i++) if (xd[i] !== yd[i]) return xd[i]! > yd[i]! ? xs : -xs;
  return xl === yl ? 0 : xl > yl ? xs : -xs;
}

/**
 * `a.mul(b)` for two finite non-zero Decs that fit float64 integers whose exact product is an
 * integer of at most 2^53 - 1 (then exact in float64, and decimal.js, rounding only beyond
 * `Dec.precision` >= 16 digits, gives that product): built as decimal.js represents it.
 * Undefined otherwise.
 */
function productScaled(a: Dec, b: Dec): Dec | undefined {
  const ad = (a as unknown as DecFields).d;
  const bd = (b as unknown as DecFields).d;
  if (ad === null || bd === null || ad.length + bd.length > 8 || ad[0] === 0 || bd[0] === 0) return undefined;
  if (ad.length + bd.length <= 4 && scaled(a)) {
    const ma = sm;
    const qa = sq;
    if (scaled(b)) {
      const m = ma * sm;
      // (a float product above 2^53 - 1 is no exact integer; one at most that is the exact product)
      if (m <= MAX_INT && m >= -MAX_INT && Dec.precision >= 16) return fromScaled(m, qa + sq);
    }
  }
  return productLimbs(a, b);
}

/**
 * a x b for two finite non-zero Decs of at most 8 base-1e7 limbs between them: schoolbook
 * multiplication of the limbs (each partial product below 1e14, at most 4 summed per place, all
 * exact in float64), then the carries. The exact product has at most 56 digits, fewer than
 * `Dec.precision` (60): decimal.js's product is this value, built as it represents it.
 */
function productLimbs(a: Dec, b: Dec): Dec | undefined {
  if (Dec.precision !== 60) return undefined;
  const fa = a as unknown as DecFields;
  const fb = b as unknown as DecFields;
  const xd = fa.d!;
  const yd = fb.d!;
  const na = xd.length;
  const nb = yd.length;
  const n = na + nb;
  const acc = productAcc;
  acc.fill(0, 0, n);
  // limb i of x holds 1e7^(kx - i): x_i y_j adds to acc[i + j + 1], which holds 1e7^(kx + ky + 1 - (i + j + 1))
  for (let i = 0; i < na; i++) {
    const xi = xd[i]!;
    for (let j = 0; j < nb; j++) acc[i + j + 1] += xi * yd[j]!;
  }
  for (let k = n - 1; k > 0; k--) {
    const v = acc[k]!;
    if (v >= WORD) {
      const c = Math.floor(v / WORD);
      acc[k] = v - c * WORD;
      acc[k - 1] += c;
    }
  }
  let lead = 0;
  while (acc[lead] === 0) lead++;
  let end = n;
  while (acc[end - 1] === 0) end--;
  // the limbs (below 1e7) as small integers in a packed array of exactly their number (see fromDigits)
  const r = sumScratch;
  for (let k = lead; k < end; k++) r[k] = acc[k]! | 0;
  const d = r.slice(lead, end);
  const topK = Math.floor(fa.e / 7) + Math.floor(fb.e / 7) + 1 - lead;
  return built(fa.s * fb.s, 7 * topK + digits(d[0]!) - 1, d);
}

/**
 * `a.plus(b)` without the work when one side is zero and the other is not: decimal.js then returns
 * a copy of the non-zero side (rounded to the precision, a no-op for at most 56 digits), and Dec
 * values are immutable, so the side itself is the same value, sign and digits. Two zeros of the
 * same sign likewise give a copy of `a` (a round trip's fees when every fee is 0: the tiny
 * quantities at the end of a long losing run round their fees to 0); zeros of opposite signs go
 * to decimal.js (their sum's sign follows the rounding mode).
 */
export function decAdd(a: Dec, b: Dec): Dec {
  const ad = (a as unknown as DecFields).d;
  const bd = (b as unknown as DecFields).d;
  if (ad !== null && bd !== null) {
    if (bd[0] === 0) {
      if (ad[0] !== 0 ? ad.length <= 8 : (a as unknown as DecFields).s === (b as unknown as DecFields).s) return a;
    } else if (ad[0] === 0) {
      if (bd.length <= 8) return b;
    } else {
      const r = sumLimbs(a, b, 1);
      if (r !== undefined) return r;
    }
  }
  return a.plus(b);
}

/**
 * a + sign x b for two finite non-zero Decs of at most 56 digits between them: their base-1e7
 * limbs (aligned to the decimal point) added or subtracted with carries. The exact result has at
 * most 57 significant digits, fewer than `Dec.precision` (60), so decimal.js, which rounds only
 * beyond that, gives exactly this value: built as it represents it (leading limb non-zero, no zero
 * limb at the end). Undefined for a zero result (its sign follows the rounding mode), longer
 * operands, or another precision.
 */
function sumLimbs(a: Dec, b: Dec, sign: number): Dec | undefined {
  const fa = a as unknown as DecFields;
  const fb = b as unknown as DecFields;
  const xd = fa.d!;
  const yd = fb.d!;
  // limb i of x holds the digits of 1e7^(kx - i)
  const kx = Math.floor(fa.e / 7);
  const ky = Math.floor(fb.e / 7);
  const lx = kx - xd.length + 1;
  const ly = ky - yd.length + 1;
  const top = kx > ky ? kx : ky;
  const low = lx < ly ? lx : ly;
  const n = top - low + 1;
  if (n > 8 || Dec.precision !== 60) return undefined;
  const xs = fa.s;
  const ys = sign < 0 ? -fb.s : fb.s;
  // the result's limbs, most significant first, from r[1] (r[0]: a carry limb)
  const r = sumScratch;
  r[0] = 0;
  let rs = xs;
  if (xs === ys) {
    // magnitudes added, least significant limb first
    let carry = 0;
    for (let k = low, i = n; k <= top; k++, i--) {
      const v = (k >= lx && k <= kx ? xd[kx - k]! : 0) + (k >= ly && k <= ky ? yd[ky - k]! : 0) + carry;
      if (v >= WORD) {
        r[i] = v - WORD;
        carry = 1;
      } else {
        r[i] = v;
        carry = 0;
      }
    }
    r[0] = carry;
  } else {
    // |x| - |y|, or |y| - |x| when that is the larger: compare from the top limb
    let cmp = 0;
    for (let k = top; k >= low && cmp === 0; k--) {
      const u = k >= lx && k <= kx ? xd[kx - k]! : 0;
      const v = k >= ly && k <= ky ? yd[ky - k]! : 0;
      if (u !== v) cmp = u > v ? 1 : -1;
    }
    // x - x: +0 (decimal.js signs an exact zero sum by the rounding mode: - only when rounding to -Infinity)
    if (cmp === 0) return Dec.rounding === Decimal.ROUND_FLOOR ? undefined : POS_ZERO;
    const bigD = cmp > 0 ? xd : yd;
    const bigK = cmp > 0 ? kx : ky;
    const bigL = cmp > 0 ? lx : ly;
    const smallD = cmp > 0 ? yd : xd;
    const smallK = cmp > 0 ? ky : kx;
    const smallL = cmp > 0 ? ly : lx;
    rs = cmp > 0 ? xs : ys;
    let borrow = 0;
    for (let k = low, i = n; k <= top; k++, i--) {
      const v = (k >= bigL && k <= bigK ? bigD[bigK - k]! : 0) - (k >= smallL && k <= smallK ? smallD[smallK - k]! : 0) - borrow;
      if (v < 0) {
        r[i] = v + WORD;
        borrow = 1;
      } else {
        r[i] = v;
        borrow = 0;
      }
    }
  }
  // leading zero limbs out (no carry, a difference), then zero limbs at the end; a fresh array
  // made by pushes, the elements kind of decimal.js's own arrays
  let lead = 0;
  while (r[lead] === 0) lead++;
  let end = n + 1;
  while (r[end - 1] === 0) end--;
  const d = r.slice(lead, end); // (exactly its limbs: see fromDigits)
  const topK = top + 1 - lead; // power of 1e7 of the leading limb (r[0] stands for 1e7^(top + 1))
  return built(rs, 7 * topK + digits(d[0]!) - 1, d);
}

/** sumLimbs' working limbs (a carry limb and up to 8 more). */
const sumScratch: number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0];
/** productLimbs' partial sums (up to 4e14: float64). */
const productAcc = new Float64Array(8);

/**
 * `a.minus(b)` without the work when `b` is zero and `a` is not (a copy of `a`), or `b` is `a`
 * itself (decimal.js gives +0 for x - x, its rounding being half up).
 */
export function decSub(a: Dec, b: Dec): Dec {
  const ad = (a as unknown as DecFields).d;
  const bd = (b as unknown as DecFields).d;
  if (ad !== null && bd !== null) {
    if (a === b && Dec.rounding !== Decimal.ROUND_FLOOR) return POS_ZERO;
    if (bd[0] === 0) {
      if (ad[0] !== 0 && ad.length <= 8) return a;
    } else if (ad[0] !== 0) {
      const r = sumLimbs(a, b, -1);
      if (r !== undefined) return r;
    }
  }
  return a.minus(b);
}

/**
 * `new Dec(s)` for a plain decimal string (optional minus, digits, optional fraction): the same
 * fields decimal.js's parser makes (every digit kept, none rounded), without its regular
 * expressions. Zeros (whose sign decimal.js keeps) are left to decimal.js: undefined.
 */
function parsePlain(s: string): Dec | undefined {
  let i = 0;
  let sign = 1;
  if (s.charCodeAt(0) === 45) {
    sign = -1;
    i = 1;
  }
  const dot = s.indexOf('.', i);
  const digits = dot < 0 ? s.slice(i) : s.slice(i, dot) + s.slice(dot + 1);
  let exp = dot < 0 ? 0 : dot + 1 - s.length;
  let a = 0;
  while (a < digits.length && digits.charCodeAt(a) === 48) a++;
  let b = digits.length;
  while (b > a && digits.charCodeAt(b - 1) === 48) {
    b--;
    exp++;
  }
  if (b === a) return undefined;
  return fromDigits(sign, a === 0 && b === digits.length ? digits : digits.slice(a, b), exp);
}
