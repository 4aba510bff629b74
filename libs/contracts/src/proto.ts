import type { TSchema } from '@sinclair/typebox';
import { ALL_TOPICS } from './registry';
import { DeadLetter } from './dead-letter';

/**
 * Generates `.proto` files (proto3) mirroring the JSON schemas of `libs/contracts`, for non-TS
 * consumers. The JSON schema is the source of truth; `proto/` is generated, never edited by hand
 * (a test fails when it differs from a fresh generation). Mapping:
 * string -> string (decimal strings stay strings: exact money), integer -> int64,
 * number -> double, boolean -> bool, X | null -> optional X (map values: google.protobuf
 * wrappers / Value), literal unions -> string (allowed values in a comment), unions of objects
 * -> oneof, arrays -> repeated, tuples and nested objects -> nested messages, records -> map.
 */

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  const?: unknown;
  items?: JsonSchema | JsonSchema[];
  patternProperties?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  pattern?: string;
}

const HEADER = '// Generated from libs/contracts by `npm run proto`. Do not edit.\n';

function pascal(s: string): string {
  return s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

function isNull(s: JsonSchema): boolean {
  return s.type === 'null';
}

function literalValues(s: JsonSchema): unknown[] | null {
  if (s.const !== undefined) return [s.const];
  if (!s.anyOf) return null;
  const out: unknown[] = [];
  for (const x of s.anyOf) {
    if (isNull(x)) continue;
    const inner = literalValues(x);
    if (!inner) return null;
    out.push(...inner);
  }
  return out;
}

class MessageWriter {
  private readonly nested: string[] = [];
  usesWrappers = false;
  usesStruct = false;

  constructor(private readonly indent: string) {}

  /** Returns the proto type for `s`, emitting nested messages as needed. */
  typeOf(fieldName: string, s: JsonSchema): { type: string; optional: boolean; repeated: boolean; comment?: string } {
    const lits = literalValues(s);
    if (lits) {
      const nullable = !!s.anyOf?.some(isNull);
      const kind = typeof lits[0] === 'boolean' ? 'bool' : typeof lits[0] === 'number' ? 'double' : 'string';
      return { type: kind, optional: nullable, repeated: false, comment: `one of: ${lits.map((l) => JSON.stringify(l)).join(', ')}` };
    }
    if (s.anyOf) {
      const nonNull = s.anyOf.filter((x) => !isNull(x));
      const nullable = nonNull.length !== s.anyOf.length;
      if (nonNull.length === 1) {
        const t = this.typeOf(fieldName, nonNull[0]!);
        return { ...t, optional: nullable || t.optional };
      }
      if (nonNull.every((x) => x.type === 'object' && x.properties)) {
        const name = pascal(s.title ?? fieldName);
        this.nested.push(renderOneOf(name, nonNull, this.indent + '  ', this));
        return { type: name, optional: false, repeated: false };
      }
      this.usesStruct = true;
      return { type: 'google.protobuf.Value', optional: false, repeated: false, comment: 'number, string, bool or null' };
    }
    switch (s.type) {
      case 'string':
        return { type: 'string', optional: false, repeated: false, comment: s.pattern?.includes('[0-9]+(\\.') ? 'exact decimal string' : undefined };
      case 'integer':
        return { type: 'int64', optional: false, repeated: false };
      case 'number':
        return { type: 'double', optional: false, repeated: false };
      case 'boolean':
        return { type: 'bool', optional: false, repeated: false };
      case 'array': {
        if (Array.isArray(s.items)) {
          const name = pascal(fieldName) + 'Item';
          const props: Record<string, JsonSchema> = {};
          s.items.forEach((it, i) => (props[`v${i}`] = it));
          this.nested.push(renderMessage(name, { type: 'object', properties: props, required: Object.keys(props), description: s.description }, this.indent + '  ', this));
          return { type: name, optional: false, repeated: true };
        }
        const inner = this.typeOf(fieldName.replace(/s$/, ''), s.items as JsonSchema);
        return { type: inner.type, optional: false, repeated: true, comment: inner.comment };
      }
      case 'object': {
        if (s.patternProperties) {
          const v = Object.values(s.patternProperties)[0]!;
          const nullableNumber = v.anyOf && v.anyOf.length === 2 && v.anyOf.some(isNull) && v.anyOf.some((x) => x.type === 'number');
          if (nullableNumber) {
            this.usesWrappers = true;
            return { type: 'map<string, google.protobuf.DoubleValue>', optional: false, repeated: false, comment: 'unset = null' };
          }
          const t = this.typeOf(fieldName, v);
          return { type: `map<string, ${t.type}>`, optional: false, repeated: false, comment: t.comment };
        }
        const name = pascal(s.title ?? fieldName);
        this.nested.push(renderMessage(name, s, this.indent + '  ', this));
        return { type: name, optional: false, repeated: false };
      }
      default:
        throw new Error(`proto: unsupported schema for ${fieldName}: ${JSON.stringify(s).slice(0, 120)}`);
    }
  }

  takeNested(): string[] {
    return this.nested.splice(0);
  }
}

function renderFields(s: JsonSchema, indent: string, w: MessageWriter): string[] {
  const lines: string[] = [];
  const required = new Set(s.required ?? []);
  let n = 1;
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const t = w.typeOf(name, prop);
    const opt = (t.optional || !required.has(name)) && !t.repeated && !t.type.startsWith('map<') ? 'optional ' : '';
    const rep = t.repeated ? 'repeated ' : '';
    const doc = [...new Set([prop.description, t.comment].filter(Boolean))].join('; ');
    lines.push(`${indent}${rep}${opt}${t.type} ${snake(name)} = ${n++};${doc ? ` // ${doc}` : ''}`);
  }
  return lines;
}

function renderMessage(name: string, s: JsonSchema, indent: string, parent?: MessageWriter): string {
  const w = parent ? new MessageWriter(indent) : new MessageWriter(indent);
  const fields = renderFields(s, indent + '  ', w);
  const nested = w.takeNested();
  if (parent) {
    parent.usesWrappers ||= w.usesWrappers;
    parent.usesStruct ||= w.usesStruct;
  }
  const doc = s.description ? `${indent}// ${s.description}\n` : '';
  return `${doc}${indent}message ${name} {\n${nested.map((x) => x + '\n').join('')}${fields.join('\n')}\n${indent}}`;
}

function renderOneOf(name: string, variants: JsonSchema[], indent: string, parent: MessageWriter): string {
  const inner = variants.map((v, i) => renderMessage(pascal(v.title ?? `Variant${i}`), v, indent + '  ', parent));
  const cases = variants.map((v, i) => `${indent}    ${pascal(v.title ?? `Variant${i}`)} ${snake(v.title ?? `variant${i}`)} = ${i + 1};`);
  return `${indent}message ${name} {\n${inner.join('\n')}\n${indent}  oneof value {\n${cases.join('\n')}\n${indent}  }\n${indent}}`;
}

function renderFile(pkg: string, message: string, schema: TSchema, comment: string): string {
  const w = new MessageWriter('');
  const s = schema as unknown as JsonSchema;
  const body = s.anyOf ? renderOneOf(message, s.anyOf, '', w) : renderMessage(message, s, '', w);
  const imports: string[] = [];
  if (w.usesWrappers) imports.push('import "google/protobuf/wrappers.proto";');
  if (w.usesStruct) imports.push('import "google/protobuf/struct.proto";');
  return `${HEADER}// ${comment}\nsyntax = "proto3";\n\npackage ${pkg};\n${imports.length ? '\n' + imports.join('\n') + '\n' : ''}\n${body}\n`;
}

/** Every generated file: path relative to `proto/` -> content. */
export function generateProtoFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const t of ALL_TOPICS) {
    const s = t.schema as unknown as JsonSchema;
    const message = s.title ?? pascal(t.name);
    files.set(`${t.name}.proto`, renderFile(`atp.${t.name}`, message, t.schema, `Topic ${t.name}: ${t.description} Key: see libs/contracts.`));
  }
  files.set('dead-letter.v1.proto', renderFile('atp.dlq.v1', 'DeadLetter', DeadLetter, 'Value of every <topic>.dlq record.'));
  return files;
}
