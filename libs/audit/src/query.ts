import { AUDIT_KINDS, type AuditKind, type AuditRecord } from './record';

/** True when the record is about `id` (its subject or ids) or was caused by it, or refers to it as an input. */
export function recordMentions(r: AuditRecord, id: string): boolean {
  return r.subject === id || r.ids.includes(id) || r.causes.some((c) => c.id === id) || r.refs.includes(id);
}

const RANK = new Map<AuditKind, number>(AUDIT_KINDS.map((k, i) => [k, i]));

/**
 * Records across chains in one order: event time, then the kind's place on the trade path
 * (intent, approval, order, order update, fill, pnl: a cause before its effects at one event
 * time), then chain, then seq.
 */
export function compareRecords(a: AuditRecord, b: AuditRecord): number {
  return a.time - b.time || (RANK.get(a.kind) ?? 99) - (RANK.get(b.kind) ?? 99) || (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0) || a.seq - b.seq;
}
