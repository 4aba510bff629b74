import { TIMEFRAMES, type Timeframe } from '@atp/core';
import { Type, type TArray, type TBoolean, type TInteger, type TNumber, type TSchema, type TString, type TUnion, type TLiteral } from '@sinclair/typebox';

/**
 * Schema builders for environment variables. Each one records how the raw string is parsed
 * (`x-env`), the rule a user reads when the value is wrong (`x-rule`, completing the sentence
 * "KEY must be ...") and whether the value is a secret (`x-secret`: redacted when printed).
 */
export type EnvKind = 'string' | 'int' | 'number' | 'bool' | 'list';

export interface EnvOptions<T> {
  default?: T;
  /** Completes "KEY must be ..."; a sensible one is derived from the schema when omitted. */
  rule?: string;
  /** Redact the value in printed configuration and logs. */
  secret?: boolean;
  description?: string;
}

export const X_ENV = 'x-env';
export const X_RULE = 'x-rule';
export const X_SECRET = 'x-secret';

function meta<T>(kind: EnvKind, rule: string, o: EnvOptions<T>): Record<string, unknown> {
  const m: Record<string, unknown> = { [X_ENV]: kind, [X_RULE]: o.rule ?? rule };
  if (o.default !== undefined) m['default'] = o.default;
  if (o.secret) m[X_SECRET] = true;
  if (o.description) m['description'] = o.description;
  return m;
}

const HOST_PORT = '^[A-Za-z0-9.-]+:[0-9]{1,5}$';
/** A ccxt unified spot symbol, e.g. `BTC/USDT`. */
export const SYMBOL = '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}$';
const DECIMAL = '^[0-9]+(\\.[0-9]+)?$';

export const Env = {
  /** Any non-empty string (optionally matching `pattern`). */
  string(o: EnvOptions<string> & { pattern?: string; minLength?: number } = {}): TString {
    return Type.String({ minLength: o.minLength ?? 1, ...(o.pattern ? { pattern: o.pattern } : {}), ...meta('string', o.pattern ? `a string matching ${o.pattern}` : 'a non-empty string', o) });
  },
  int(o: EnvOptions<number> & { minimum?: number; maximum?: number } = {}): TInteger {
    const range = o.minimum !== undefined && o.maximum !== undefined ? ` between ${o.minimum} and ${o.maximum}` : o.minimum !== undefined ? ` >= ${o.minimum}` : '';
    return Type.Integer({ minimum: o.minimum, maximum: o.maximum, ...meta('int', `an integer${range}`, o) });
  },
  number(o: EnvOptions<number> & { minimum?: number; maximum?: number; exclusiveMinimum?: number } = {}): TNumber {
    const parts = [o.exclusiveMinimum !== undefined ? `> ${o.exclusiveMinimum}` : '', o.minimum !== undefined ? `>= ${o.minimum}` : '', o.maximum !== undefined ? `<= ${o.maximum}` : ''].filter(Boolean);
    return Type.Number({ minimum: o.minimum, maximum: o.maximum, exclusiveMinimum: o.exclusiveMinimum, ...meta('number', `a number${parts.length ? ' ' + parts.join(' and ') : ''}`, o) });
  },
  /** true/false, 1/0, yes/no, on/off. */
  bool(o: EnvOptions<boolean> = {}): TBoolean {
    return Type.Boolean(meta('bool', 'one of true|false|1|0|yes|no', o));
  },
  oneOf<const V extends readonly string[]>(values: V, o: EnvOptions<V[number]> = {}): TUnion<TLiteral<V[number]>[]> {
    return Type.Union(values.map((v) => Type.Literal(v as V[number])), meta('string', `one of ${values.join('|')}`, o));
  },
  /** TCP port; 0 asks the OS for a free one. */
  port(o: EnvOptions<number> = {}): TInteger {
    return Env.int({ minimum: 0, maximum: 65535, rule: 'a TCP port (an integer between 0 and 65535)', ...o });
  },
  /** Comma-separated list; each item validated by `item`. */
  list<I extends TSchema>(item: I, o: EnvOptions<string[]> & { minItems?: number } = {}): TArray<I> {
    return Type.Array(item, { minItems: o.minItems ?? 1, ...meta('list', 'a comma-separated list', o) });
  },
  /** Kafka bootstrap servers: `host:port[,host:port...]`. */
  hostPorts(o: EnvOptions<string[]> = {}): TArray<TString> {
    return Env.list(Type.String({ pattern: HOST_PORT }), { rule: 'a comma-separated list of host:port', ...o });
  },
  /** A URL whose scheme is one of `schemes`, e.g. mongodb / mongodb+srv. */
  url(schemes: readonly string[], o: EnvOptions<string> = {}): TString {
    const esc = schemes.map((s) => s.replace(/[+.]/g, (c) => `\\${c}`)).join('|');
    return Type.String({ pattern: `^(${esc})://[^\\s]+$`, ...meta('string', `a ${schemes.join(' or ')}:// URL`, o) });
  },
  /** ccxt unified symbols: `BASE/QUOTE[,BASE/QUOTE...]`, e.g. `BTC/USDT,ETH/USDT`. */
  symbols(o: EnvOptions<string[]> = {}): TArray<TString> {
    return Env.list(Type.String({ pattern: SYMBOL }), { rule: 'a comma-separated list of BASE/QUOTE symbols such as BTC/USDT', ...o });
  },
  /** Bar timeframes, e.g. `1m,1h`. */
  timeframes(o: EnvOptions<Timeframe[]> = {}): TArray<TUnion<TLiteral<Timeframe>[]>> {
    return Env.list(Type.Union(TIMEFRAMES.map((t) => Type.Literal(t))), { rule: `a comma-separated list of timeframes (${TIMEFRAMES.join('|')})`, ...o });
  },
  /** Exact decimal (money, quantities, rates): digits with an optional fraction, no exponent. */
  decimal(o: EnvOptions<string> = {}): TString {
    return Type.String({ pattern: DECIMAL, ...meta('string', 'a non-negative decimal number such as 0.001', o) });
  },
} as const;
