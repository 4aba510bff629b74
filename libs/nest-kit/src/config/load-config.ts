import { Kind, OptionalKind, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { REDACTED, redact, redactUrlCredentials, SECRET_KEY_PATTERN } from '@atp/observability';
import { ConfigError, type ConfigIssue } from './config-error';
import { X_ENV, X_RULE, X_SECRET, type EnvKind } from './env-schema';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/** A cross-key rule: returns an issue when the (already typed) configuration breaks it. */
export type ConfigCheck<T> = (config: T, keyName: (key: string) => string) => ConfigIssue | undefined;

/** A configuration schema with its cross-key rules. */
export interface ConfigSpec<S extends TObject = TObject> {
  readonly schema: S;
  readonly checks: readonly ConfigCheck<Static<S>>[];
}

export function defineConfig<S extends TObject>(schema: S, checks: readonly ConfigCheck<Static<S>>[] = []): ConfigSpec<S> {
  return Object.freeze({ schema, checks: Object.freeze([...checks]) });
}

function isSpec<S extends TObject>(x: S | ConfigSpec<S>): x is ConfigSpec<S> {
  return (x as { [Kind]?: unknown })[Kind] === undefined && (x as { schema?: unknown }).schema !== undefined;
}

/**
 * Loads one service's configuration from the environment: every property of the schema is an
 * environment variable of the same name. With a `prefix` (e.g. `RISK_` in the embedded launcher),
 * `RISK_LOG_LEVEL` is read first and `LOG_LEVEL` is the fallback. Empty strings count as unset;
 * unset keys take the schema default. Values are parsed (ints, bools, comma lists), validated,
 * then cross-checked; the result is deeply frozen.
 *
 * @throws ConfigError with ONE message naming every bad key and its rule.
 */
export function loadConfig<S extends TObject>(specOrSchema: S | ConfigSpec<S>, env: EnvSource, prefix = ''): Readonly<Static<S>> {
  const spec: ConfigSpec<S> = isSpec(specOrSchema) ? specOrSchema : defineConfig(specOrSchema as S);
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  const usedName = new Map<string, string>();
  const keyName = (key: string) => usedName.get(key) ?? (prefix ? `${prefix}${key}` : key);

  for (const [key, prop] of Object.entries(spec.schema.properties) as [string, TSchema][]) {
    const prefixed = prefix ? env[`${prefix}${key}`] : undefined;
    const name = prefix && nonEmpty(prefixed) ? `${prefix}${key}` : key;
    usedName.set(key, name);
    const raw = prefix && nonEmpty(prefixed) ? prefixed : env[key];
    const secret = isSecret(key, prop);
    const rule = `must be ${(prop[X_RULE] as string | undefined) ?? 'valid'}`;

    if (!nonEmpty(raw)) {
      if (prop['default'] !== undefined) out[key] = copyDefault(prop['default']);
      else if (prop[OptionalKind] !== 'Optional') issues.push({ key: name, rule: `is required and ${rule}` });
      continue;
    }
    const value = parse(raw.trim(), (prop[X_ENV] as EnvKind | undefined) ?? 'string');
    if (value === INVALID || !Value.Check(prop, value)) {
      issues.push({ key: name, rule, got: secret ? REDACTED : redactUrlCredentials(raw) });
      continue;
    }
    out[key] = value;
  }

  if (issues.length === 0) {
    for (const check of spec.checks) {
      const issue = check(out as Static<S>, keyName);
      if (issue) issues.push(issue);
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return deepFreeze(out) as Readonly<Static<S>>;
}

/** The configuration with secrets (keys marked secret or looking secret, URL passwords) redacted. */
export function printableConfig<S extends TObject>(specOrSchema: S | ConfigSpec<S>, config: Readonly<Static<S>>): Record<string, unknown> {
  const schema = isSpec(specOrSchema) ? specOrSchema.schema : specOrSchema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    const prop = schema.properties[key] as TSchema | undefined;
    out[key] = prop && isSecret(key, prop) && value !== undefined ? REDACTED : redact(value);
  }
  return out;
}

function isSecret(key: string, prop: TSchema): boolean {
  return prop[X_SECRET] === true || SECRET_KEY_PATTERN.test(key);
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

const INVALID = Symbol('invalid');

function parse(raw: string, kind: EnvKind): unknown {
  switch (kind) {
    case 'int':
    case 'number': {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return INVALID;
      return Number(raw);
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      return INVALID;
    }
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'string':
      return raw;
  }
}

/** Schema defaults are shared: copy arrays and objects before freezing them into a config. */
function copyDefault(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? (JSON.parse(JSON.stringify(v)) as unknown) : v;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
