import type { Offsets } from 'kafkajs';
import type { BusLogger } from '../logging';
import { describeError } from '../retry';

/** kafkajs's commit of explicit offsets (the eachBatch payload's `commitOffsetsIfNecessary`). */
export type CommitFn = (offsets: Offsets) => Promise<void>;

/**
 * The offset commits of one consumer group's members in one bus (one per subscribed topic): every
 * member's marks made up to a commit go out in ONE OffsetCommit request, sent with the commit
 * function of one of those members (the broker checks the group's member id and generation, not
 * which member owns a partition). A service whose members acknowledge in the same turn (inputs
 * journaled in one write, e.g. a candle held for execution's marker of its bar) then commits once,
 * not once per topic. One request in flight; `minIntervalMs` spaces requests out (0: back to back).
 * (kafkajs keeps a per-consumer cache of committed offsets, updated only by that consumer's own
 * requests; it is read when a member rejoins, so after a rebalance a member may resume from an
 * older commit than the group's: records redelivered, never skipped.)
 *
 * A commit that fails (typically a rebalance in progress) is logged and dropped: those records are
 * redelivered to whoever owns the partition next — at-least-once, never a skipped record, since
 * only offsets whose handlers resolved are ever marked.
 */
export class GroupCommits {
  private readonly members = new Set<OffsetCommitter>();
  private running: Promise<void> | undefined;
  private lastCommitAt = 0;
  /** Marks made so far (a flush waits for the requests that carry the marks made before it). */
  private marks = 0;
  private readonly waiters: { upTo: number; wake: () => void }[] = [];

  constructor(
    readonly group: string,
    private readonly minIntervalMs: number,
    private readonly log: BusLogger,
  ) {}

  /** A member's committer (one per subscription); `release` it when the subscription closed. */
  member(topic: string): OffsetCommitter {
    const m = new OffsetCommitter(topic, this);
    this.members.add(m);
    return m;
  }

  release(m: OffsetCommitter): void {
    this.members.delete(m);
  }

  /** A member marked an offset: a commit starts on the next turn (marks of the same turn join it). */
  due(): void {
    this.marks++;
    if (!this.running) this.running = new Promise<void>((r) => setImmediate(r)).then(() => this.loop());
  }

  /**
   * Resolves once everything marked so far has been committed (or has failed, or has no consumer to
   * commit it with) — not the marks other members make meanwhile.
   */
  flush(): Promise<void> {
    if (!this.running) return Promise.resolve();
    const upTo = this.marks;
    return new Promise((wake) => this.waiters.push({ upTo, wake }));
  }

  private settle(upTo: number): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i]!.upTo > upTo) continue;
      this.waiters[i]!.wake();
      this.waiters.splice(i, 1);
    }
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        // The commit function of a member with marks (its own consumer's generation), else of any member.
        let fn: CommitFn | undefined;
        let any = false;
        for (const m of this.members) {
          if (m.pending.size === 0) continue;
          any = true;
          if (m.commitFn) {
            fn = m.commitFn;
            break;
          }
        }
        if (!any) break;
        if (!fn) for (const m of this.members) fn ??= m.commitFn;
        if (!fn) break;
        const wait = this.lastCommitAt + this.minIntervalMs - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const upTo = this.marks;
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const m of this.members) {
          if (m.pending.size === 0) continue;
          let partitions = byTopic.get(m.topic);
          if (!partitions) byTopic.set(m.topic, (partitions = []));
          for (const [partition, offset] of m.pending) partitions.push({ partition, offset: (BigInt(offset) + 1n).toString() });
          m.pending.clear();
        }
        const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
        try {
          await fn({ topics });
        } catch (e) {
          this.log({ level: 'warn', namespace: 'bus.kafka', message: 'offset commit failed; those records will be delivered again', group: this.group, topics, error: describeError(e) });
        }
        this.lastCommitAt = Date.now();
        this.settle(upTo);
      }
    } finally {
      this.running = undefined;
      this.settle(this.marks);
    }
  }
}

/**
 * Commits the acknowledged offsets of one consumer off the fetch loop, through its group's
 * {@link GroupCommits}. The batch loop only marks "partition p is acknowledged up to offset o"
 * (after the handler resolved); a commit request carries the latest mark of every partition, so
 * commits keep up with any rate without a round trip per message or per batch blocking the next
 * fetch, and `lag()` reaches 0 one round trip after the last handler.
 */
export class OffsetCommitter {
  /** partition -> last acknowledged offset (the commit is that + 1). */
  readonly pending = new Map<number, string>();
  /** The commit function of the consumer's current generation (kafkajs recreates it on restart). */
  commitFn: CommitFn | undefined;

  constructor(
    readonly topic: string,
    private readonly group: GroupCommits,
  ) {}

  use(fn: CommitFn): void {
    this.commitFn = fn;
  }

  mark(partition: number, offset: string): void {
    this.pending.set(partition, offset);
    // Started on the next turn: the partitions of one fetch resolve their records in the same turn
    // (one journal group commit), and their marks then go out in one commit request, not one each.
    this.group.due();
  }

  /** Drops marks of partitions this member no longer owns (after a rebalance). */
  keepOnly(owned: ReadonlySet<number>): void {
    for (const p of [...this.pending.keys()]) if (!owned.has(p)) this.pending.delete(p);
  }

  /** Resolves once everything marked so far has been committed (or has failed). */
  flush(): Promise<void> {
    return this.group.flush();
  }

  /** The subscription closed: its committer leaves the group's (after its flush). */
  release(): void {
    this.group.release(this);
  }
}
