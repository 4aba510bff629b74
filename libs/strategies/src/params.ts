/** Declared strategy parameters: typed, ranged, with defaults (the optimiser searches these ranges). */
export type ParamValue = number | string | boolean;
export type ParamValues = Readonly<Record<string, ParamValue>>;

export type ParamSpec =
  | {
      readonly name: string;
      readonly type: 'int' | 'float';
      readonly default: number;
      /** Inclusive range the optimiser searches and `resolveParams` enforces. */
      readonly min: number;
      readonly max: number;
      /** Grid step for the optimiser. */
      readonly step: number;
      readonly description: string;
    }
  | { readonly name: string; readonly type: 'enum'; readonly default: string; readonly values: readonly string[]; readonly description: string }
  | { readonly name: string; readonly type: 'bool'; readonly default: boolean; readonly description: string };

/**
 * Fills defaults and checks every given value against its declaration. Throws a RangeError naming
 * the strategy, the key and the allowed range on an unknown key or a bad value.
 */
export function resolveParams(strategy: string, specs: readonly ParamSpec[], given: Readonly<Record<string, unknown>> = {}): ParamValues {
  const known = new Set(specs.map((s) => s.name));
  for (const k of Object.keys(given)) {
    if (!known.has(k)) throw new RangeError(`${strategy}: unknown parameter "${k}"; known: ${[...known].join(', ')}`);
  }
  const out: Record<string, ParamValue> = {};
  for (const s of specs) {
    const v = given[s.name] ?? s.default;
    if (s.type === 'int' || s.type === 'float') {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n) || (s.type === 'int' && !Number.isInteger(n)) || n < s.min || n > s.max) {
        throw new RangeError(`${strategy}: parameter ${s.name} must be ${s.type === 'int' ? 'an integer' : 'a number'} in [${s.min}, ${s.max}], got ${JSON.stringify(v)}`);
      }
      out[s.name] = n;
    } else if (s.type === 'enum') {
      if (typeof v !== 'string' || !s.values.includes(v)) throw new RangeError(`${strategy}: parameter ${s.name} must be one of ${s.values.join(', ')}, got ${JSON.stringify(v)}`);
      out[s.name] = v;
    } else {
      const b = v === 'true' ? true : v === 'false' ? false : v;
      if (typeof b !== 'boolean') throw new RangeError(`${strategy}: parameter ${s.name} must be a boolean, got ${JSON.stringify(v)}`);
      out[s.name] = b;
    }
  }
  return Object.freeze(out);
}

/** Canonical `k=v,k=v` form of parameters (sorted keys): part of a strategy instance's version. */
export function formatParams(p: ParamValues): string {
  return Object.keys(p)
    .sort()
    .map((k) => `${k}=${String(p[k])}`)
    .join(',');
}
