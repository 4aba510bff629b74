import { fillEntry, orderEntries, type AuditEntry } from '@atp/audit';
import type { ExecutionCore, ExecutionOutput } from './execution-core';

/**
 * Execution's audit records of a published batch: each order (once, caused by its approval or, for
 * a bracket leg, by its entry order), each order update, each fill (caused by its order).
 * Bar-matched markers and submissions are not recorded (the order's `new` update records the submission).
 */
export function executionAuditEntries(core: ExecutionCore): (out: readonly ExecutionOutput[]) => AuditEntry[] {
  const parentOf = (clientOrderId: string): string | undefined => core.venue.order(clientOrderId)?.parentClientOrderId;
  return (out) => executionAuditEntriesOf(out, parentOf);
}

function executionAuditEntriesOf(out: readonly ExecutionOutput[], parentOf: (clientOrderId: string) => string | undefined): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const o of out) {
    if (o.kind === 'fill') entries.push(fillEntry(o.fill));
    else if (o.kind === 'order' && o.event.kind === 'order') entries.push(...orderEntries(o.event, parentOf));
  }
  return entries;
}

/**
 * {@link executionAuditEntries} for `AuditLog.alongsidePrepared`: on the publish path only the
 * parents of the batch's order events are read from the venue (a bracket leg's entry order: the
 * state that may change later); the entries are built from the outputs and those parents when the
 * audit group is written. Undefined for a batch without orders or fills (markers only): no entries.
 */
export function executionAuditPreparer(core: ExecutionCore): (out: readonly ExecutionOutput[]) => (() => AuditEntry[]) | undefined {
  return (out) => {
    let any = false;
    let parents: Map<string, string | undefined> | undefined;
    for (const o of out) {
      if (o.kind === 'fill') any = true;
      else if (o.kind === 'order' && o.event.kind === 'order') {
        any = true;
        const id = o.event.clientOrderId;
        // orderEntries asks for the parent of bracket legs (every role but entry and exit): those are taken now.
        if (o.event.role !== 'entry' && o.event.role !== 'exit') (parents ??= new Map()).set(id, core.venue.order(id)?.parentClientOrderId);
      }
    }
    if (!any) return undefined;
    return () => executionAuditEntriesOf(out, (id) => parents?.get(id));
  };
}
