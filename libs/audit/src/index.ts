/**
 * @atp/audit — hash-chained audit records (ARCHITECTURE.md, "Audit"): the record model, canonical
 * JSON and SHA-256 chaining, an appender keeping a chain's head, and the verifiers of chains and
 * of the links between them. Pure and deterministic: times come from the records.
 */
export * from './record';
export { canonicalJson } from './canonical';
export { AuditChain, emptyHead, hashRecord, headAfter, nextRecord } from './chain';
export { REQUIRED_CAUSES, verifyAudit, verifyChain, verifyLinks, type AuditIssue, type AuditReport, type ChainReport, type LinkReport } from './verify';
export { compareRecords, recordMentions } from './query';
export { alertEntry, approvalEntry, commandEntry, decisionEntry, fillEntry, orderEntries, pnlFillEntry, rejectionEntry } from './entries';
export { fromStoredRecord, toStoredRecord, type StoredAuditRecord } from './stored';
