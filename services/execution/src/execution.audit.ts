import { fillEntry, orderEntries, type AuditEntry } from '@atp/audit';
import type { ExecutionCore, ExecutionOutput } from './execution-core';

/**
 * Execution's audit records of a published batch: each order (once, caused by its approval or, for
 * a bracket leg, by its entry order), each order update, each fill (caused by its order).
 * Bar-matched markers and submissions are not recorded (the order's `new` update records the submission).
 */
export function executionAuditEntries(core: ExecutionCore): (out: readonly ExecutionOutput[]) => AuditEntry[] {
  const parentOf = (clientOrderId: string): string | undefined => core.venue.order(clientOrderId)?.parentClientOrderId;
  return (out) => {
    const entries: AuditEntry[] = [];
    for (const o of out) {
      if (o.kind === 'fill') entries.push(fillEntry(o.fill));
      else if (o.kind === 'order' && o.event.kind === 'order') entries.push(...orderEntries(o.event, parentOf));
    }
    return entries;
  };
}
