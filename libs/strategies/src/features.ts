import { columnNames, createIndicator, type Bar, type FeatureIndicator } from '@atp/indicators';

/**
 * The column layout of a strategy's features: the indicator specs it declares (`sma:10`,
 * `atr:14`, `donchian:20`), their registry column names (`sma_10`, `atr_14`, `dc_upper_20` ...)
 * and each column's slot. Duplicate specs are computed once.
 */
export class FeatureLayout {
  readonly specs: readonly string[];
  readonly columns: readonly string[];
  private readonly slots: ReadonlyMap<string, number>;

  constructor(specs: readonly string[]) {
    this.specs = [...new Set(specs)];
    this.columns = this.specs.flatMap((s) => columnNames(s));
    this.slots = new Map(this.columns.map((c, i) => [c, i]));
  }

  /** Slot of a column; throws naming the known columns when it is not in the layout. */
  index(column: string): number {
    const i = this.slots.get(column);
    if (i === undefined) throw new Error(`feature column "${column}" not in layout; columns: ${this.columns.join(', ')}`);
    return i;
  }

  /** Slot of output `k` of spec `spec` (e.g. `('donchian:20', 0)` -> dc_upper_20). */
  slot(spec: string, k = 0): number {
    return this.index(columnNames(spec)[k]!);
  }
}

/**
 * The feature vector of one bar as a strategy sees it: float64 values in layout order, NaN while
 * an output warms up (the wire's `null`), whether every column is past warm-up, and whether the bar
 * is the first after missing bars. The backtester reuses one instance per (strategy, symbol).
 */
export interface FeatureVector {
  readonly values: Float64Array;
  readonly stable: boolean;
  readonly gapBefore: boolean;
}

/**
 * Streaming computation of a layout on one instrument (the same registry code as the features
 * service, so values are bit-identical). O(1) per bar, no allocation per bar.
 */
export class FeatureComputer implements FeatureVector {
  readonly values: Float64Array;
  stable = false;
  gapBefore = false;
  private readonly indicators: FeatureIndicator[];

  constructor(readonly layout: FeatureLayout) {
    this.indicators = layout.specs.map((s) => createIndicator(s));
    this.values = new Float64Array(layout.columns.length).fill(NaN);
  }

  /** Feeds bar T; `gapBefore` flags the first bar after missing bars (indicators carry their state across). */
  update(bar: Bar, gapBefore: boolean): this {
    const v = this.values;
    const inds = this.indicators;
    let o = 0;
    let stable = true;
    for (let i = 0; i < inds.length; i++) {
      const ind = inds[i]!;
      // straight into the values: a generic row holding nulls would box every number it stores
      ind.updateFloat(bar, v, o);
      o += ind.outputs.length;
      if (!ind.isStable) stable = false;
    }
    this.stable = stable;
    this.gapBefore = gapBefore;
    return this;
  }
}

/** A feature vector from a `features.v1` record (strategy service): missing or null -> NaN. */
export function featureVectorFromRecord(layout: FeatureLayout, values: Readonly<Record<string, number | null>>, stable: boolean, gapBefore: boolean): FeatureVector {
  const v = new Float64Array(layout.columns.length);
  layout.columns.forEach((c, i) => {
    const x = values[c];
    v[i] = x === null || x === undefined ? NaN : x;
  });
  return { values: v, stable, gapBefore };
}
