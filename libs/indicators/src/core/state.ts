import type { IndicatorState, JsonValue } from './types';

/** A float64 as JSON: finite numbers as themselves, NaN/±Infinity/-0 as strings. */
export type EncodedNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/**
 * Encodes a float64 for JSON without loss. `JSON.stringify` writes the shortest
 * decimal that parses back to the same double, so finite numbers round-trip bit
 * for bit; NaN, ±Infinity and -0 would not (they become `null` or `0`).
 */
export function encodeNumber(x: number): EncodedNumber {
  if (Number.isFinite(x)) return Object.is(x, -0) ? '-0' : x;
  if (Number.isNaN(x)) return 'NaN';
  return x > 0 ? 'Infinity' : '-Infinity';
}

/** Inverse of `encodeNumber`. Throws on anything else (a corrupt state). */
export function decodeNumber(v: JsonValue | undefined, field = 'value'): number {
  if (typeof v === 'number') return v;
  switch (v) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    default:
      throw new Error(`indicator state: ${field} is not an encoded number: ${JSON.stringify(v)}`);
  }
}

export function encodeArray(a: ArrayLike<number>): EncodedNumber[] {
  const out: EncodedNumber[] = new Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = encodeNumber(a[i]);
  return out;
}

export function decodeArray(v: JsonValue | undefined, length: number, field: string): Float64Array {
  if (!Array.isArray(v) || v.length !== length) {
    throw new Error(`indicator state: ${field} must be an array of ${length} numbers`);
  }
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = decodeNumber(v[i], field);
  return out;
}

/**
 * Checks `state.kind`/`state.version` before a restore; throws when a state of
 * another indicator or layout is handed in.
 */
export function expectState(state: IndicatorState, kind: string, version: number): IndicatorState {
  if (state === null || typeof state !== 'object' || state.kind !== kind || state.version !== version) {
    throw new Error(`indicator state: expected ${kind} v${version}, got ${JSON.stringify({ kind: state?.kind, version: state?.version })}`);
  }
  return state;
}

/** Reads a non-negative integer field (counts, positions, periods). */
export function intField(state: IndicatorState, field: string): number {
  const v = state[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new Error(`indicator state: ${field} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function numField(state: IndicatorState, field: string): number {
  return decodeNumber(state[field], field);
}

export function stateObject(state: IndicatorState, field: string): IndicatorState {
  const v = state[field];
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`indicator state: ${field} must be a nested state object`);
  }
  return v as IndicatorState;
}
