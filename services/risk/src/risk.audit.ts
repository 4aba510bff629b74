import { alertEntry, approvalEntry, commandEntry, rejectionEntry, type AuditEntry } from '@atp/audit';
import type { RiskOutput } from './risk-core';

/** Risk's audit records of a published batch: approvals (with the sizing), rejections (rule and reason), alerts, cancel commands. */
export function riskAuditEntries(out: readonly RiskOutput[]): AuditEntry[] {
  return out.map((o) => (o.kind === 'approved' ? approvalEntry(o.event) : o.kind === 'rejected' ? rejectionEntry(o.event) : o.kind === 'alert' ? alertEntry(o.event) : commandEntry(o.event)));
}
