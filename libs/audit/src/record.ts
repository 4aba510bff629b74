/**
 * The audit record model (ARCHITECTURE.md, "Audit"): each service appends records to one chain it
 * owns; every record names what it is about (`subject`, `ids`), what caused it (`causes`, typed
 * references to records of other chains) and the data it was decided on (`inputs`, `refs`).
 */

/** What a record attests. The first six form the trade path: signal/intent -> approval -> order -> fill -> pnl. */
export const AUDIT_KINDS = ['noop', 'intent', 'approval', 'rejection', 'order', 'order-event', 'fill', 'pnl', 'command', 'alert'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export type AuditValue = string | number | boolean | null;

/** A link to another audit record: the record of `kind` whose subject (or one of whose ids) is `id`. */
export interface AuditRef {
  readonly kind: AuditKind;
  readonly id: string;
}

/** What a service hands to the appender: a record without its chain position and hashes. */
export interface AuditEntry {
  readonly kind: AuditKind;
  /** The primary id the record is about (decision id, client order id, fill id, event id). */
  readonly subject: string;
  /** Other ids of the same thing (e.g. an approval's decision id and event id). */
  readonly ids?: readonly string[];
  /** Records of other chains (or this one) that caused this one; `audit verify` checks each exists. */
  readonly causes?: readonly AuditRef[];
  /** Event ids of inputs that are not audited themselves (candles, feature vectors, signals). */
  readonly refs?: readonly string[];
  /** The outcome in a word or code: `long`, `approved`, `MAX_POSITION`, `filled` ... */
  readonly decision: string;
  /** The values decided on, flat; money as decimal strings. */
  readonly inputs?: Readonly<Record<string, AuditValue>>;
  /** Code and parameter versions: strategy id + version, model version, service version. */
  readonly versions?: Readonly<Record<string, string>>;
  /** Event time of what is recorded, Unix ms (never the wall clock: replays give the same chain). */
  readonly time: number;
  /** Set when the record starts a path of its own (e.g. risk's stop monitor approves an exit without an intent). */
  readonly origin?: string;
}

/** A stored record: the entry at position `seq` of `chain`, hash-chained to the one before. */
export interface AuditRecord {
  /** `${chain}:${seq}` with `seq` zero-padded to 12 digits, so ids sort like positions. */
  readonly _id: string;
  readonly chain: string;
  readonly seq: number;
  /** Producing service. */
  readonly service: string;
  /** Idempotency key `${kind}:${subject}`: a chain holds each key once (a replayed input appends nothing). */
  readonly key: string;
  readonly kind: AuditKind;
  readonly subject: string;
  readonly ids: readonly string[];
  readonly causes: readonly AuditRef[];
  readonly refs: readonly string[];
  readonly decision: string;
  readonly inputs: Readonly<Record<string, AuditValue>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly time: number;
  readonly origin: string | null;
  /** Hash of the previous record of the chain (64 zeros for the first). */
  readonly prevHash: string;
  /** SHA-256 (hex) of the canonical JSON of every field above except `_id`. */
  readonly hash: string;
}

/** The position to append at: the next sequence number and the hash of the last record. */
export interface ChainHead {
  readonly chain: string;
  readonly nextSeq: number;
  readonly lastHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

const PAD = 12;

/** Store id of the record at `seq` of `chain`. */
export function auditRecordId(chain: string, seq: number): string {
  return `${chain}:${String(seq).padStart(PAD, '0')}`;
}

/** Idempotency key of an entry: one record per (kind, subject) in a chain. */
export function auditKey(e: Pick<AuditEntry, 'kind' | 'subject'>): string {
  return `${e.kind}:${e.subject}`;
}
