import type { Bar, IndicatorState, JsonValue, OhlcvSeries } from '../core/types';
import { INDICATORS, type IndicatorDef } from './definitions';
import { formatIndicatorSpec, resolveParams, splitSpec, type IndicatorSpec } from './spec';

const BY_NAME = new Map(INDICATORS.map((d) => [d.name, d]));

/** Names the registry accepts, in registry order. */
export function indicatorNames(): string[] {
  return INDICATORS.map((d) => d.name);
}

export function indicatorDefinition(name: string): IndicatorDef {
  const def = BY_NAME.get(name);
  if (!def) throw new Error(`unknown indicator "${name}"; known: ${indicatorNames().join(', ')}`);
  return def;
}

/**
 * Parses `name[:p1[:p2...]]` (e.g. `rsi:14`, `macd:12:26:9`, `bbands:20:2`) into
 * a spec with every parameter filled in (defaults for omitted ones). Throws with
 * a message naming the problem on an unknown name or a bad parameter.
 */
export function parseIndicatorSpec(spec: string): IndicatorSpec {
  const { name, raw } = splitSpec(spec);
  const def = indicatorDefinition(name);
  return { name, params: resolveParams(spec, name, def.params, raw) };
}

function resolve(spec: string | IndicatorSpec): IndicatorSpec {
  return typeof spec === 'string' ? parseIndicatorSpec(spec) : parseIndicatorSpec(formatIndicatorSpec(spec));
}

/**
 * Column names of a spec's outputs: output name plus the parameters, e.g.
 * `rsi_14`, `macd_signal_12_26_9`, `bb_upper_20_2_2`; parameterless indicators
 * keep the bare output name (`obv`, `vwap`).
 */
export function columnNames(spec: string | IndicatorSpec): string[] {
  const s = resolve(spec);
  const suffix = s.params.map((p) => `_${p}`).join('');
  return indicatorDefinition(s.name).outputs.map((o) => o + suffix);
}

/**
 * One indicator built from a spec, behind a uniform bar-in, row-out interface
 * for the features service and the CLI. `update` writes one value (or null
 * during that output's warm-up) per output.
 */
export interface FeatureIndicator {
  /** canonical spec string, all parameters written out */
  readonly spec: string;
  readonly outputs: readonly string[];
  readonly columns: readonly string[];
  /** bars needed before every output has a value */
  readonly warmup: number;
  readonly isStable: boolean;
  /** Feeds one bar; returns the outputs in `outputs` order. */
  update(bar: Bar): (number | null)[];
  /** Same, writing into row[offset..offset + outputs.length). */
  updateInto(bar: Bar, row: (number | null)[], offset: number): void;
  /** Same, writing into out[offset..offset + outputs.length), NaN where `updateInto` writes null (allocation-free for most indicators). */
  updateFloat(bar: Bar, out: Float64Array, offset: number): void;
  getState(): IndicatorState;
}

class RegisteredIndicator implements FeatureIndicator {
  readonly spec: string;
  readonly outputs: readonly string[];
  readonly columns: readonly string[];
  readonly warmup: number;
  private count = 0;
  private scratch: (number | null)[] | undefined = undefined;

  constructor(
    private readonly def: IndicatorDef,
    params: readonly number[],
    private readonly engine: ReturnType<IndicatorDef['create']>,
  ) {
    const s = { name: def.name, params };
    this.spec = formatIndicatorSpec(s);
    this.outputs = def.outputs;
    this.columns = columnNames(s);
    this.warmup = def.warmup(params);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  update(bar: Bar): (number | null)[] {
    const row: (number | null)[] = new Array(this.outputs.length);
    this.updateInto(bar, row, 0);
    return row;
  }

  updateInto(bar: Bar, row: (number | null)[], offset: number): void {
    this.def.update(this.engine, bar, row, offset);
    this.count++;
  }

  updateFloat(bar: Bar, out: Float64Array, offset: number): void {
    const def = this.def;
    if (def.updateFloat !== undefined) def.updateFloat(this.engine, bar, out, offset);
    else {
      const row = (this.scratch ??= new Array<number | null>(this.outputs.length).fill(null));
      def.update(this.engine, bar, row, 0);
      for (let k = 0; k < row.length; k++) {
        const x = row[k];
        out[offset + k] = x === null ? NaN : x;
      }
    }
    this.count++;
  }

  getState(): IndicatorState {
    return { kind: 'indicator', version: 1, spec: this.spec, count: this.count, engine: this.engine.getState() as unknown as JsonValue };
  }

  static restore(state: IndicatorState): RegisteredIndicator {
    if (state?.kind !== 'indicator' || state.version !== 1 || typeof state['spec'] !== 'string') {
      throw new Error('indicator state: expected a registry indicator state (kind "indicator", v1)');
    }
    const s = parseIndicatorSpec(state['spec']);
    const def = indicatorDefinition(s.name);
    const r = new RegisteredIndicator(def, s.params, def.restore(state['engine'] as IndicatorState));
    const count = state['count'];
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error('indicator state: bad count');
    r.count = count;
    return r;
  }
}

/** Builds a streaming indicator from a spec string such as `macd:12:26:9`. */
export function createIndicator(spec: string | IndicatorSpec): FeatureIndicator {
  const s = resolve(spec);
  const def = indicatorDefinition(s.name);
  return new RegisteredIndicator(def, s.params, def.create(s.params));
}

/** Restores an indicator from `getState()` output (after a JSON round trip). */
export function restoreIndicator(state: IndicatorState): FeatureIndicator {
  return RegisteredIndicator.restore(state);
}

/** Batch computation of a spec over a series: output name -> values (NaN during warm-up). */
export function computeIndicator(spec: string | IndicatorSpec, series: OhlcvSeries): Record<string, Float64Array> {
  const s = resolve(spec);
  const def = indicatorDefinition(s.name);
  const arrays = def.batch(series, s.params);
  const out: Record<string, Float64Array> = {};
  def.outputs.forEach((o, i) => (out[o] = arrays[i]));
  return out;
}
