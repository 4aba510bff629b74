import { hashRecord } from './chain';
import { auditRecordId, GENESIS_HASH, type AuditKind, type AuditRecord } from './record';

/** One break found by a verifier, naming the record. */
export interface AuditIssue {
  readonly chain: string;
  readonly seq: number;
  /** The record's store id (`chain:seq`) or key. */
  readonly record: string;
  readonly reason: string;
}

export interface ChainReport {
  readonly chain: string;
  readonly records: number;
  readonly issues: readonly AuditIssue[];
}

/**
 * Verifies one chain given in stored order (by `_id`). Detects:
 * - a modified record (its hash no longer matches its content),
 * - a modified record whose hash was recomputed (the next record's `prevHash` no longer matches),
 * - a deleted record (a gap in `seq` and a broken `prevHash`),
 * - reordered or inserted records (`seq` out of order, duplicated, or an `_id` not matching `seq`),
 * - a truncated tail, when the expected head (`expectLast`: count and last hash, e.g. from a log line or an export) is given.
 * Every record is checked; after a break it goes on from the stored values.
 */
export function verifyChain(records: readonly AuditRecord[], expectLast?: { records: number; hash: string }): ChainReport {
  const chain = records[0]?.chain ?? '';
  const issues: AuditIssue[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 0;
  for (const r of records) {
    const issue = (reason: string) => issues.push({ chain, seq: r.seq, record: r._id, reason });
    if (r.chain !== chain) issue(`belongs to chain ${JSON.stringify(r.chain)}`);
    if (r.seq !== expectedSeq) issue(r.seq > expectedSeq ? `seq ${r.seq} where ${expectedSeq} was expected: record(s) deleted` : `seq ${r.seq} where ${expectedSeq} was expected: reordered or inserted`);
    if (r._id !== auditRecordId(chain, r.seq)) issue(`_id ${r._id} does not match seq ${r.seq}`);
    let h: string;
    try {
      h = hashRecord(r);
    } catch (e) {
      h = '';
      issue(`content not hashable: ${(e as Error).message}`);
    }
    if (h && h !== r.hash) issue('hash mismatch: record modified');
    if (r.prevHash !== prevHash) issue('prevHash does not match the previous record: a record before it was modified, deleted or inserted');
    prevHash = r.hash;
    expectedSeq = r.seq + 1;
  }
  if (expectLast) {
    if (records.length !== expectLast.records) issues.push({ chain, seq: expectedSeq, record: auditRecordId(chain, expectedSeq), reason: `${records.length} records where ${expectLast.records} were expected: truncated or extended` });
    else if (prevHash !== expectLast.hash) issues.push({ chain, seq: expectedSeq - 1, record: auditRecordId(chain, expectedSeq - 1), reason: 'last hash differs from the expected head' });
  }
  return { chain, records: records.length, issues };
}

/**
 * Which causes each kind must have (one of the listed kinds, at least once), unless the record
 * has an `origin` (it starts a path of its own). The trade path: intent -> approval/rejection ->
 * order -> fill -> pnl; a bracket's stop-loss/take-profit order is caused by its entry order.
 */
export const REQUIRED_CAUSES: Readonly<Partial<Record<AuditKind, readonly AuditKind[]>>> = {
  approval: ['intent'],
  rejection: ['intent'],
  order: ['approval', 'order'],
  'order-event': ['order'],
  fill: ['order'],
  pnl: ['fill'],
};

export interface LinkReport {
  /** Cause references checked. */
  readonly links: number;
  readonly issues: readonly AuditIssue[];
}

/**
 * Verifies the links between chains: every cause a record names exists (a record of that kind
 * whose subject or ids hold the id, in any chain), and every record has the causes its kind
 * requires ({@link REQUIRED_CAUSES}). Reports each dangling or missing link naming the record.
 */
export function verifyLinks(chains: readonly (readonly AuditRecord[])[], required = REQUIRED_CAUSES): LinkReport {
  const known = new Set<string>();
  for (const c of chains) {
    for (const r of c) {
      known.add(`${r.kind}\u0000${r.subject}`);
      for (const id of r.ids) known.add(`${r.kind}\u0000${id}`);
    }
  }
  const issues: AuditIssue[] = [];
  let links = 0;
  for (const c of chains) {
    for (const r of c) {
      for (const cause of r.causes) {
        links++;
        if (!known.has(`${cause.kind}\u0000${cause.id}`)) issues.push({ chain: r.chain, seq: r.seq, record: r._id, reason: `${r.key}: dangling link to ${cause.kind} ${cause.id}` });
      }
      const need = required[r.kind];
      if (need && r.origin === null && !r.causes.some((x) => need.includes(x.kind))) {
        issues.push({ chain: r.chain, seq: r.seq, record: r._id, reason: `${r.key}: no ${need.join(' or ')} cause` });
      }
    }
  }
  return { links, issues };
}

export interface AuditReport {
  readonly chains: readonly ChainReport[];
  readonly records: number;
  readonly links: number;
  readonly issues: readonly AuditIssue[];
  readonly ok: boolean;
}

/** Groups records by chain (each sorted by `_id`), verifies every chain and every link. */
export function verifyAudit(records: readonly AuditRecord[]): AuditReport {
  const byChain = new Map<string, AuditRecord[]>();
  for (const r of records) {
    let c = byChain.get(r.chain);
    if (!c) byChain.set(r.chain, (c = []));
    c.push(r);
  }
  const chains = [...byChain.keys()].sort().map((k) => byChain.get(k)!.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)));
  const reports = chains.map((c) => verifyChain(c));
  const links = verifyLinks(chains);
  const issues = [...reports.flatMap((r) => r.issues), ...links.issues];
  return { chains: reports, records: records.length, links: links.links, issues, ok: issues.length === 0 };
}
