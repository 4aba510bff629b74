import type { AuditRecord } from './record';

/** True when the record is about `id` (its subject or ids) or was caused by it, or refers to it as an input. */
export function recordMentions(r: AuditRecord, id: string): boolean {
  return r.subject === id || r.ids.includes(id) || r.causes.some((c) => c.id === id) || r.refs.includes(id);
}

/** Records across chains in one order: event time, then chain, then seq. */
export function compareRecords(a: AuditRecord, b: AuditRecord): number {
  return a.time - b.time || (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0) || a.seq - b.seq;
}
