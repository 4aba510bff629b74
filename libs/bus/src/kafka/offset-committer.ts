import type { Offsets } from 'kafkajs';
import type { BusLogger } from '../logging';
import { describeError } from '../retry';

/** kafkajs's commit of explicit offsets (the eachBatch payload's `commitOffsetsIfNecessary`). */
export type CommitFn = (offsets: Offsets) => Promise<void>;

/**
 * Commits the acknowledged offsets of one consumer off the fetch loop. The batch loop only marks
 * "partition p is acknowledged up to offset o" (after the handler resolved); one commit request is
 * in flight at a time and carries the latest mark of every partition, so commits keep up with any
 * rate without a round trip per message or per batch blocking the next fetch, and `lag()` reaches 0
 * one round trip after the last handler. `minIntervalMs` spaces commits out (0: back to back).
 *
 * A commit that fails (typically a rebalance in progress) is logged and dropped: those records are
 * redelivered to whoever owns the partition next — at-least-once, never a skipped record, since
 * only offsets whose handlers resolved are ever marked.
 */
export class OffsetCommitter {
  /** partition -> last acknowledged offset (the commit is that + 1). */
  private readonly pending = new Map<number, string>();
  private running: Promise<void> | undefined;
  private commitFn: CommitFn | undefined;
  private lastCommitAt = 0;

  constructor(
    private readonly topic: string,
    private readonly group: string,
    private readonly minIntervalMs: number,
    private readonly log: BusLogger,
  ) {}

  /** The commit function of the consumer's current generation (kafkajs recreates it on restart). */
  use(fn: CommitFn): void {
    this.commitFn = fn;
  }

  mark(partition: number, offset: string): void {
    this.pending.set(partition, offset);
    // Started on the next turn: the partitions of one fetch resolve their records in the same turn
    // (one journal group commit), and their marks then go out in one commit request, not one each.
    if (!this.running) this.running = new Promise<void>((r) => setImmediate(r)).then(() => this.loop());
  }

  /** Drops marks of partitions this member no longer owns (after a rebalance). */
  keepOnly(owned: ReadonlySet<number>): void {
    for (const p of [...this.pending.keys()]) if (!owned.has(p)) this.pending.delete(p);
  }

  /** Resolves once everything marked so far has been committed (or has failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending.size > 0 && this.commitFn) {
        const wait = this.lastCommitAt + this.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const partitions = [...this.pending].map(([partition, offset]) => ({ partition, offset: (BigInt(offset) + 1n).toString() }));
        this.pending.clear();
        try {
          await this.commitFn({ topics: [{ topic: this.topic, partitions }] });
        } catch (e) {
          this.log({ level: 'warn', namespace: 'bus.kafka', message: 'offset commit failed; those records will be delivered again', group: this.group, topic: this.topic, partitions, error: describeError(e) });
        }
        this.lastCommitAt = Date.now();
      }
    } finally {
      this.running = undefined;
    }
  }
}
