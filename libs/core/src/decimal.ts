import Decimal from 'decimal.js';

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
    const d = new Dec(String(x));
    if (x !== 0) {
      // (0 and -0 are equal numbers but distinct Decs: never remembered)
      numKeys[numNext] = x;
      numVals[numNext] = d;
      numNext = (numNext + 1) & (MEMO - 1);
    }
    return d;
  }
  if (typeof x === 'string') {
    for (let i = 0; i < MEMO; i++) if (strKeys[i] === x) return strVals[i]!;
    if (!isDecimalString(x)) throw new RangeError(`toDecimal: not a decimal string: ${JSON.stringify(x)}`);
    return new Dec(x);
  }
  return x;
}

/** Canonical wire form: fixed notation, no trailing zeros, "-0" normalised to "0". */
export function decToString(d: Dec): DecimalString {
  if (d.isZero()) return '0';
  const s = d.toFixed();
  if (d.constructor !== Dec) return s; // another decimal.js configuration: never handed out as a Dec
  strKeys[strNext] = s;
  strVals[strNext] = d;
  strNext = (strNext + 1) & (MEMO - 1);
  return s;
}

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
  return d.toDecimalPlaces(places, MODES[mode]);
}

/** Rounds to a multiple of `step` (ccxt "TICK_SIZE" precision mode), e.g. step "0.001". */
export function roundToStep(d: Dec, step: Dec | DecimalString, mode: RoundingMode): Dec {
  const s = toDecimal(step);
  const places = powerOfTenPlaces(s);
  // A step of 10^-k (1, 0.1, ..., the usual amount steps and ticks): the same value as the
  // division below, without a 60-digit division (d / 10^-k is exact, so nothing rounds before the
  // integer rounding, which is rounding to k places).
  if (places >= 0) return d.toDecimalPlaces(places, MODES[mode]);
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
