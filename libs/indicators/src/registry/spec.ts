/**
 * Indicator specs as strings: `name[:param[:param...]]`, e.g. `rsi:14`,
 * `macd:12:26:9`, `bbands:20:2`, `stoch:5:3:3`, `obv`. Omitted trailing
 * parameters take the indicator's defaults; `formatIndicatorSpec` writes the
 * canonical form with every parameter.
 */
export interface IndicatorSpec {
  readonly name: string;
  readonly params: readonly number[];
}

/** One parameter of an indicator, as the registry declares it. */
export interface ParamDef {
  readonly name: string;
  readonly default: number;
  /** integer periods; false for multipliers such as bbands' 2 */
  readonly integer: boolean;
  readonly min: number;
  /** when set, the default is the value of the parameter at this index (bbands' devDown = devUp) */
  readonly defaultFrom?: number;
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Splits a spec string; throws with the offending part on malformed input. */
export function splitSpec(spec: string): { name: string; raw: number[] } {
  const parts = spec.trim().split(':');
  const name = parts[0].trim().toLowerCase();
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`indicator spec "${spec}": bad name "${parts[0]}"`);
  const raw = parts.slice(1).map((p) => {
    const t = p.trim();
    if (!NUMBER.test(t)) throw new Error(`indicator spec "${spec}": parameter "${p}" is not a number`);
    return Number(t);
  });
  return { name, raw };
}

/** Fills defaults and checks each parameter against its definition. */
export function resolveParams(spec: string, name: string, defs: readonly ParamDef[], raw: readonly number[]): number[] {
  if (raw.length > defs.length) {
    throw new Error(`indicator spec "${spec}": ${name} takes at most ${defs.length} parameter(s) (${defs.map((d) => d.name).join(', ')})`);
  }
  const out: number[] = [];
  defs.forEach((d, i) => {
    const v = i < raw.length ? raw[i] : d.defaultFrom !== undefined ? out[d.defaultFrom] : d.default;
    if (!Number.isFinite(v) || (d.integer && !Number.isInteger(v)) || v < d.min) {
      throw new Error(`indicator spec "${spec}": ${name} ${d.name} must be ${d.integer ? 'an integer' : 'a number'} >= ${d.min}, got ${v}`);
    }
    out.push(v);
  });
  return out;
}

export function formatIndicatorSpec(spec: IndicatorSpec): string {
  return [spec.name, ...spec.params.map((p) => String(p))].join(':');
}
