import type { Bar, IndicatorState, JsonValue, OhlcvSeries } from '../core/types';
import { columnNames, computeIndicator, createIndicator, restoreIndicator, type FeatureIndicator } from './registry';

/**
 * A named, versioned list of indicator specs. A published set never changes:
 * a different list is a new version (`default-v2`), so stored feature vectors
 * and trained models keep meaning what they meant.
 */
export interface FeatureSetDef {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly specs: readonly string[];
}

export const FEATURE_SETS: Readonly<Record<string, FeatureSetDef>> = Object.freeze({
  'default-v1': Object.freeze({
    name: 'default-v1',
    version: 1,
    description: 'Trend, momentum, volatility and volume basics on close/OHLCV, TA-Lib default periods where common.',
    specs: Object.freeze([
      'sma:20',
      'sma:50',
      'ema:12',
      'ema:26',
      'wma:20',
      'rsi:14',
      'bbands:20:2',
      'macd:12:26:9',
      'atr:14',
      'stoch:5:3:3',
      'stochf:5:3',
      'dmi:14',
      'obv',
      'cci:14',
      'roc:10',
      'stddev:20',
      'vwap',
      'donchian:20',
      'keltner:20:10:2',
      'zscore:20',
    ]),
  }),
});

export function featureSet(name: string): FeatureSetDef {
  const s = FEATURE_SETS[name];
  if (!s) throw new Error(`unknown feature set "${name}"; known: ${Object.keys(FEATURE_SETS).join(', ')}`);
  return s;
}

/**
 * All indicators of a feature set run together on one instrument: one row of
 * values (null while an output warms up) per bar, in `columns` order.
 */
export class FeatureSetRunner {
  readonly columns: readonly string[];
  /** bars needed before every column has a value */
  readonly warmup: number;
  private constructor(
    readonly set: FeatureSetDef,
    private readonly indicators: FeatureIndicator[],
  ) {
    this.columns = indicators.flatMap((i) => i.columns);
    this.warmup = Math.max(1, ...indicators.map((i) => i.warmup));
  }

  static create(setOrName: string | FeatureSetDef): FeatureSetRunner {
    const set = typeof setOrName === 'string' ? featureSet(setOrName) : setOrName;
    return new FeatureSetRunner(set, set.specs.map((s) => createIndicator(s)));
  }

  get isStable(): boolean {
    return this.indicators.every((i) => i.isStable);
  }

  update(bar: Bar): (number | null)[] {
    const row: (number | null)[] = new Array(this.columns.length);
    let o = 0;
    for (const ind of this.indicators) {
      ind.updateInto(bar, row, o);
      o += ind.outputs.length;
    }
    return row;
  }

  getState(): IndicatorState {
    return { kind: 'feature-set', version: 1, set: this.set.name, setVersion: this.set.version, indicators: this.indicators.map((i) => i.getState() as unknown as JsonValue) };
  }

  /**
   * Restores a runner from `getState()` output. `set` is the definition for a set that is not in
   * FEATURE_SETS (a spec list from configuration); it must have the state's name and version.
   */
  static restore(state: IndicatorState, set?: FeatureSetDef): FeatureSetRunner {
    if (state?.kind !== 'feature-set' || state.version !== 1 || typeof state['set'] !== 'string') throw new Error('feature-set state: bad kind/version');
    if (set && (set.name !== state['set'] || set.version !== state['setVersion'])) throw new Error(`feature-set state: saved for ${String(state['set'])} v${String(state['setVersion'])}, not ${set.name} v${set.version}`);
    set ??= featureSet(state['set']);
    const inds = state['indicators'];
    if (!Array.isArray(inds) || inds.length !== set.specs.length) throw new Error('feature-set state: indicator list does not match the set');
    return new FeatureSetRunner(set, inds.map((s) => restoreIndicator(s as IndicatorState)));
  }
}

/** Batch: every column of a feature set over a series (column name -> values). */
export function computeFeatureSet(setOrName: string | FeatureSetDef, series: OhlcvSeries): Record<string, Float64Array> {
  const set = typeof setOrName === 'string' ? featureSet(setOrName) : setOrName;
  const out: Record<string, Float64Array> = {};
  for (const spec of set.specs) {
    const cols = columnNames(spec);
    Object.values(computeIndicator(spec, series)).forEach((a, i) => (out[cols[i]] = a));
  }
  return out;
}
