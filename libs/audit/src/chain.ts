import * as crypto from 'node:crypto';
import { canonicalJson, canonicalRecordBody } from './canonical';
import { auditKey, auditRecordId, GENESIS_HASH, type AuditEntry, type AuditRecord, type ChainHead } from './record';

/** SHA-256 (hex) of the canonical JSON of a record without `_id` and `hash`. */
export function hashRecord(r: Omit<AuditRecord, '_id' | 'hash'> & { _id?: string; hash?: string }): string {
  const { _id: _ignoredId, hash: _ignoredHash, ...body } = r;
  return hashBody(body);
}

/** Node's one-shot hash (20.12+), else createHash: the same digest, without a Hash object per record. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
const sha256Hex: (s: string) => string = oneShot ? (s) => oneShot('sha256', s, 'hex') : (s) => crypto.createHash('sha256').update(s).digest('hex');

/** SHA-256 (hex) of the canonical JSON of a record's body (a record without `_id` and `hash`). */
function hashBody(body: Readonly<Record<string, unknown>>): string {
  return sha256Hex(canonicalRecordBody(body) ?? canonicalJson(body));
}

/** The head of an empty chain. */
export function emptyHead(chain: string): ChainHead {
  return { chain, nextSeq: 0, lastHash: GENESIS_HASH };
}

/** The head after `last` (the chain's last record), or the empty head. */
export function headAfter(chain: string, last: AuditRecord | null): ChainHead {
  return last ? { chain, nextSeq: last.seq + 1, lastHash: last.hash } : emptyHead(chain);
}

/**
 * Builds the next record of a chain. Pure: the same head and entry give the same record, so a
 * replay of the same inputs rebuilds the same chain bit for bit. Throws a TypeError when the entry
 * holds a value canonical JSON refuses (NaN, a class instance).
 */
export function nextRecord(head: ChainHead, service: string, e: AuditEntry): AuditRecord {
  const body: Omit<AuditRecord, '_id' | 'hash'> = {
    chain: head.chain,
    seq: head.nextSeq,
    service,
    key: auditKey(e),
    kind: e.kind,
    subject: e.subject,
    ids: [...(e.ids ?? [])],
    causes: (e.causes ?? []).map((c) => ({ kind: c.kind, id: c.id })),
    refs: [...(e.refs ?? [])],
    decision: e.decision,
    inputs: { ...(e.inputs ?? {}) },
    versions: { ...(e.versions ?? {}) },
    time: e.time,
    origin: e.origin ?? null,
    prevHash: head.lastHash,
  };
  return { _id: auditRecordId(head.chain, head.nextSeq), ...body, hash: hashBody(body) };
}

/**
 * An appender keeping the head of one chain and the keys it holds: `append` skips an entry whose
 * key (kind + subject) the chain already has, so reprocessing an input never forks the chain.
 */
export class AuditChain {
  private head: ChainHead;
  private readonly keys = new Set<string>();

  /** `existing`: the chain's records in sequence order (from the store), to resume after. */
  constructor(
    readonly chain: string,
    readonly service: string,
    existing: readonly AuditRecord[] = [],
  ) {
    this.head = emptyHead(chain);
    for (const r of existing) this.resume(r);
  }

  /** Continues after a stored record (records must come in sequence order); throws on a gap. */
  resume(r: AuditRecord): void {
    if (r.seq !== this.head.nextSeq) throw new Error(`audit chain ${this.chain}: expected seq ${this.head.nextSeq}, found ${r.seq}`);
    this.adopt(r);
  }

  /** Continues after a stored record whatever its position (a broken chain goes on from its last record; `verifyChain` reports the break). */
  adopt(r: AuditRecord): void {
    this.keys.add(r.key);
    this.head = headAfter(this.chain, r);
  }

  get current(): ChainHead {
    return this.head;
  }

  has(e: Pick<AuditEntry, 'kind' | 'subject'>): boolean {
    return this.keys.has(auditKey(e));
  }

  /** The new records for `entries` (duplicates, within the batch or of the chain, skipped); the head moves past them. */
  append(entries: readonly AuditEntry[]): AuditRecord[] {
    const out: AuditRecord[] = [];
    for (const e of entries) {
      const k = auditKey(e);
      if (this.keys.has(k)) continue;
      const r = nextRecord(this.head, this.service, e);
      this.keys.add(k);
      this.head = headAfter(this.chain, r);
      out.push(r);
    }
    return out;
  }
}
