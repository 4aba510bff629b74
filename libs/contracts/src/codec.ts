import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TopicContract } from './contract';

/** Result of decoding bytes from a topic: the typed value, or why it is unusable. */
export type DecodeResult<T> =
  | { ok: true; value: T }
  | { ok: false; errorKind: 'decode' | 'schema'; reason: string };

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerFor<S extends TSchema>(schema: S): TypeCheck<S> {
  let c = compiled.get(schema);
  if (!c) {
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c as TypeCheck<S>;
}

/** The first few schema violations as one readable line, e.g. `/close: Expected number > 0`. */
export function describeErrors(schema: TSchema, value: unknown, max = 3): string {
  const out: string[] = [];
  for (const e of checkerFor(schema).Errors(value)) {
    out.push(`${e.path || '/'}: ${e.message}`);
    if (out.length >= max) break;
  }
  return out.join('; ') || 'invalid';
}

/** Validates a value against a contract's schema. */
export function validate<S extends TSchema>(contract: TopicContract<S>, value: unknown): DecodeResult<Static<S>> {
  const c = checkerFor(contract.schema);
  if (c.Check(value)) return { ok: true, value: value as Static<S> };
  return { ok: false, errorKind: 'schema', reason: `schema ${contract.name}: ${describeErrors(contract.schema, value)}` };
}

/** Validates and throws a clear error: for producers, where an invalid value is a bug. */
export function assertValid<S extends TSchema>(contract: TopicContract<S>, value: unknown): Static<S> {
  const r = validate(contract, value);
  if (!r.ok) throw new ContractViolationError(r.reason);
  return r.value;
}

export class ContractViolationError extends Error {
  override name = 'ContractViolationError';
}

/** Serialises a value for the wire (JSON, UTF-8), validating it first. */
export function encode<S extends TSchema>(contract: TopicContract<S>, value: Static<S>): Buffer {
  assertValid(contract, value);
  return wireBytes(value);
}

/** The wire form of a value already checked with `assertValid` (what `encode` writes, without checking it again). */
export function wireBytes(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Parses and validates bytes from the wire. Never throws: bad input is a result, for the DLQ. */
export function decode<S extends TSchema>(contract: TopicContract<S>, bytes: Buffer | Uint8Array | null): DecodeResult<Static<S>> {
  if (!bytes || bytes.length === 0) return { ok: false, errorKind: 'decode', reason: `decode ${contract.name}: empty value` };
  let parsed: unknown;
  try {
    parsed = JSON.parse((Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8'));
  } catch (e) {
    return { ok: false, errorKind: 'decode', reason: `decode ${contract.name}: not JSON (${(e as Error).message})` };
  }
  return validate(contract, parsed);
}
