/**
 * Shared shapes of the indicators lib. Prices are in the quote currency of the
 * instrument, volume in base units, times in Unix milliseconds (UTC).
 */

/** One OHLCV candle. `openTime` is the bar's open time in Unix ms, UTC. */
export interface Bar {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The part of a bar that range-based indicators (ATR, ADX, STOCH, CCI) read. */
export interface HlcBar {
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** Column-oriented candles for the batch functions (all arrays of equal length). */
export interface OhlcvSeries {
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** A JSON value, as produced by `JSON.parse`. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialised state of a streaming indicator: a plain JSON object, safe through
 * `JSON.stringify`/`JSON.parse` bit for bit (non-finite numbers and -0 are encoded
 * as strings, see `encodeNumber`). `kind` names the class, `version` its state layout.
 */
export interface IndicatorState {
  readonly kind: string;
  readonly version: number;
  readonly [field: string]: JsonValue;
}

/**
 * The streaming contract every indicator class implements.
 *
 * - `update` takes one input (a price, or a bar for range/volume indicators) in O(1)
 *   and returns the output for that input, or `null` while the indicator warms up.
 * - `warmup` is the number of inputs needed before the first output
 *   (TA-Lib's lookback + 1).
 * - `getState()` returns a JSON-serialisable snapshot; the class's static
 *   `fromState` restores an instance that continues exactly (bit for bit).
 */
export interface StreamingIndicator<TInput, TOutput> {
  readonly warmup: number;
  readonly isStable: boolean;
  update(input: TInput): TOutput | null;
  getState(): IndicatorState;
}
