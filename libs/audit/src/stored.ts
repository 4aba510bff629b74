import { type AuditKind, type AuditRecord, type AuditRef, type AuditValue } from './record';

/**
 * An audit record as the services store it: the fields a store orders and selects by (`_id`,
 * `chain`, `seq`, `time`) as fields, everything else as ONE JSON string (`body`). A document of
 * five fields instead of seventeen, nested ones included, costs the database (FerretDB above all)
 * about half the CPU per write; the record and its hash are unchanged (the hash is over the
 * record's canonical JSON, not over the stored shape).
 */
export interface StoredAuditRecord {
  readonly _id: string;
  readonly chain: string;
  readonly seq: number;
  readonly time: number;
  /** JSON of the record's other fields: service, key, kind, subject, ids, causes, refs, decision, inputs, versions, origin, prevHash, hash. */
  readonly body: string;
}

/** The fields of a record held in `body`. */
type Body = Omit<AuditRecord, '_id' | 'chain' | 'seq' | 'time'>;

/** The stored shape of a record. */
export function toStoredRecord(r: AuditRecord): StoredAuditRecord {
  const body: Body = {
    service: r.service,
    key: r.key,
    kind: r.kind,
    subject: r.subject,
    ids: r.ids,
    causes: r.causes,
    refs: r.refs,
    decision: r.decision,
    inputs: r.inputs,
    versions: r.versions,
    origin: r.origin,
    prevHash: r.prevHash,
    hash: r.hash,
  };
  return { _id: r._id, chain: r.chain, seq: r.seq, time: r.time, body: JSON.stringify(body) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isRefs = (v: unknown): v is AuditRef[] => Array.isArray(v) && v.every((c) => isObject(c) && typeof c.kind === 'string' && typeof c.id === 'string');

/** True when a parsed body has every field of the type the verifiers read it as (values are not judged: the hash does). */
function wellTyped(b: Record<string, unknown>): boolean {
  return (
    typeof b.service === 'string' &&
    typeof b.key === 'string' &&
    typeof b.kind === 'string' &&
    typeof b.subject === 'string' &&
    isStrings(b.ids) &&
    isRefs(b.causes) &&
    isStrings(b.refs) &&
    typeof b.decision === 'string' &&
    isObject(b.inputs) &&
    isObject(b.versions) &&
    (b.origin === null || typeof b.origin === 'string') &&
    typeof b.prevHash === 'string' &&
    typeof b.hash === 'string'
  );
}

/**
 * The record a stored document holds: a {@link StoredAuditRecord} is decoded, a document without
 * a string `body` is taken as a record as it is (the full shape: an export, a chain stored before
 * the compact shape). Never throws: the values are taken as stored (a changed value changes the
 * hash); a body that does not parse, or a field of the wrong type, gives a record with every body
 * field empty and no hash, which `verifyChain` reports as modified (and the next record's
 * `prevHash` as not matching it).
 */
export function fromStoredRecord(doc: StoredAuditRecord | AuditRecord): AuditRecord {
  if (typeof (doc as Partial<StoredAuditRecord>).body !== 'string') return doc as AuditRecord;
  const d = doc as StoredAuditRecord;
  let b: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(d.body);
    if (isObject(parsed) && wellTyped(parsed)) b = parsed;
  } catch {
    // an unparsable body: reported by the hash check
  }
  if (!b) return { _id: d._id, chain: d.chain, seq: d.seq, service: '', key: '', kind: 'noop', subject: '', ids: [], causes: [], refs: [], decision: '', inputs: {}, versions: {}, time: d.time, origin: null, prevHash: '', hash: '' };
  return {
    _id: d._id,
    chain: d.chain,
    seq: d.seq,
    service: b.service as string,
    key: b.key as string,
    kind: b.kind as AuditKind,
    subject: b.subject as string,
    ids: b.ids as string[],
    causes: b.causes as AuditRef[],
    refs: b.refs as string[],
    decision: b.decision as string,
    inputs: b.inputs as Record<string, AuditValue>,
    versions: b.versions as Record<string, string>,
    time: d.time,
    origin: b.origin as string | null,
    prevHash: b.prevHash as string,
    hash: b.hash as string,
  };
}
