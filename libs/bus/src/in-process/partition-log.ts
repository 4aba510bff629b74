import type { TSchema } from '@sinclair/typebox';
import type { MessageHeaders } from '@atp/contracts';
import type { CopyPlan } from './json-copy';

/** One retained record: the bytes as published (never a shared decoded object) and its produce time. */
export interface LogRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  /**
   * The schema the value was validated against when it was published through a contract
   * (`publish`/`publishBatch`): a delivery to a subscriber of that schema parses the bytes without
   * validating the value again.
   */
  readonly checked?: TSchema;
  /**
   * With `checked`: the value as the bytes decode, kept private to the bus (json-copy.ts
   * `jsonSnapshot`), so a delivery through that schema gets a copy of it (`copySnapshot`) instead of
   * parsing the bytes. Undefined: deliveries parse `value`.
   */
  readonly snapshot?: unknown;
  /** With `snapshot`: how to copy it (json-copy.ts `planned`). */
  readonly plan?: CopyPlan | null;
  readonly headers: MessageHeaders;
  /** Produce time, Unix ms (the bus's `now()` at publish). */
  readonly timestamp: number;
}

/**
 * A record published through a contract as plain JSON data: its snapshot (the value as its bytes
 * decode), and the bytes only when something asks for them (a subscriber through another schema,
 * a dead letter): `JSON.stringify` of the snapshot is the text `JSON.stringify` of the published
 * value was (json-copy.ts).
 */
export class SnapshotRecord implements LogRecord {
  private bytes: Buffer | undefined;

  constructor(
    readonly key: string | null,
    readonly snapshot: unknown,
    readonly plan: CopyPlan | null,
    readonly checked: TSchema,
    readonly headers: MessageHeaders,
    readonly timestamp: number,
  ) {}

  get value(): Buffer {
    return (this.bytes ??= Buffer.from(JSON.stringify(this.snapshot), 'utf8'));
  }
}

/**
 * The retained log of one partition: an append-only array addressed by offset. Offsets start at 0
 * and never repeat; trimming drops the oldest records (retention) and moves `start` forward, as
 * Kafka's log start offset does. Offsets are numbers here (2^53 records is out of reach in one
 * process) and strings at the port.
 */
export class PartitionLog {
  private records: (LogRecord | undefined)[] = [];
  private head = 0;
  private lastTimestamp = -Infinity;
  private monotonic = true;
  /** Offset of the oldest retained record (the log start offset). */
  start = 0;

  /** Offset the next record will get (Kafka's high watermark / log end offset). */
  get end(): number {
    return this.start + this.records.length - this.head;
  }

  get size(): number {
    return this.records.length - this.head;
  }

  append(r: LogRecord): number {
    if (r.timestamp < this.lastTimestamp) this.monotonic = false;
    this.lastTimestamp = r.timestamp;
    this.records.push(r);
    return this.end - 1;
  }

  /** The record at `offset`, or undefined when it is not retained (trimmed, or not written yet). */
  get(offset: number): LogRecord | undefined {
    if (offset < this.start || offset >= this.end) return undefined;
    return this.records[this.head + offset - this.start];
  }

  /** Drops every record below `offset` (clamped to the log). */
  trimBefore(offset: number): void {
    const n = Math.min(offset, this.end) - this.start;
    if (n <= 0) return;
    for (let i = this.head; i < this.head + n; i++) this.records[i] = undefined;
    this.head += n;
    this.start += n;
    // Compact once most of the array is dead, so trimming stays amortised O(1) per record.
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * First offset whose record was produced at or after `time` (Unix ms), or `end` when none was:
   * what Kafka's ListOffsets by timestamp answers. Binary search while produce times are
   * monotonic; a linear scan once the injected clock has ever stepped back.
   */
  offsetAtTime(time: number): number {
    if (!this.monotonic) {
      for (let o = this.start; o < this.end; o++) if (this.get(o)!.timestamp >= time) return o;
      return this.end;
    }
    let lo = this.start;
    let hi = this.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.get(mid)!.timestamp >= time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
