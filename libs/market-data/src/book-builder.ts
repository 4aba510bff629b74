import { OrderBookL2, type L2Diff, type L2Snapshot } from './book';

/**
 * Sequencing rules of Binance's "how to manage a local order book correctly":
 * - `spot`: drop diffs with u <= lastUpdateId; the first applied diff has U <= lastUpdateId+1 <= u;
 *   then every diff's U == previous u + 1.
 * - `futures` (USDT-M / COIN-M): drop diffs with u < lastUpdateId; the first applied diff has
 *   U <= lastUpdateId <= u; then every diff's pu == previous u.
 */
export type BookSequencing = 'spot' | 'futures';

export type BuilderState = 'awaiting-snapshot' | 'synced' | 'needs-resync';

/** Why the builder stopped applying diffs: the caller must fetch a new snapshot (`resync`). */
export interface BookGap {
  reason: string;
  /** The update id the next diff had to continue from (previous u, or the snapshot's lastUpdateId). */
  expectedAfter: number;
  /** U (spot) or pu (futures) of the diff that broke the chain. */
  got: number;
  diff: { firstUpdateId: number; lastUpdateId: number; prevLastUpdateId?: number | null };
}

export type DiffOutcome =
  | { kind: 'buffered' }
  | { kind: 'stale' }
  | { kind: 'applied' }
  | { kind: 'gap'; gap: BookGap }
  | { kind: 'ignored'; reason: string };

export interface BookBuilderOptions {
  sequencing: BookSequencing;
  /** Diffs kept while waiting for a snapshot (oldest dropped first). Default 10,000. */
  maxBuffered?: number;
  /** Called once per gap; the owner fetches a REST snapshot and calls `onSnapshot`. */
  onResync?: (gap: BookGap) => void;
}

/**
 * Builds an L2 book from a REST snapshot plus a diff stream, with sequence checks. Before a snapshot
 * arrives (and after a gap) diffs are buffered; `onSnapshot` replays the buffer against the new
 * snapshot. A broken chain moves the builder to `needs-resync`, reports the gap once through
 * `onResync` and in the outcome, and keeps buffering until the next snapshot.
 */
export class L2BookBuilder {
  readonly book = new OrderBookL2();
  private stateValue: BuilderState = 'awaiting-snapshot';
  private buffer: L2Diff[] = [];
  private readonly maxBuffered: number;
  /** Diffs applied since construction. */
  applied = 0;
  /** Gaps seen since construction. */
  readonly gaps: BookGap[] = [];
  /** True once the first diff after the current snapshot was applied. */
  private bridged = false;

  constructor(private readonly opts: BookBuilderOptions) {
    this.maxBuffered = opts.maxBuffered ?? 10_000;
  }

  get state(): BuilderState {
    return this.stateValue;
  }

  /** Installs a snapshot and replays buffered diffs. Returns the outcome of each replayed diff. */
  onSnapshot(s: L2Snapshot): DiffOutcome[] {
    this.book.reset(s);
    this.stateValue = 'synced';
    this.bridged = false;
    const pending = this.buffer;
    this.buffer = [];
    const out: DiffOutcome[] = [];
    for (const d of pending) {
      const r = this.onDiff(d);
      out.push(r);
    }
    return out;
  }

  onDiff(d: L2Diff): DiffOutcome {
    if (this.stateValue !== 'synced') {
      this.buffer.push(d);
      if (this.buffer.length > this.maxBuffered) this.buffer.shift();
      return { kind: 'buffered' };
    }
    const last = this.book.lastUpdateId!;
    const futures = this.opts.sequencing === 'futures';
    if (futures ? d.lastUpdateId < last : d.lastUpdateId <= last) return { kind: 'stale' };
    if (!this.bridged) {
      const target = futures ? last : last + 1;
      if (d.firstUpdateId <= target && target <= d.lastUpdateId) return this.apply(d);
      // Futures: a diff whose pu is exactly the snapshot's id also continues it.
      if (futures && d.prevLastUpdateId === last) return this.apply(d);
      return this.gap(d, last, d.firstUpdateId, `first diff after the snapshot must have U <= ${target} <= u`);
    }
    if (futures) {
      if (d.prevLastUpdateId == null) return { kind: 'ignored', reason: 'futures diff without pu' };
      if (d.prevLastUpdateId === last) return this.apply(d);
      return this.gap(d, last, d.prevLastUpdateId, `pu ${d.prevLastUpdateId} != previous u ${last}`);
    }
    if (d.firstUpdateId === last + 1) return this.apply(d);
    return this.gap(d, last, d.firstUpdateId, `U ${d.firstUpdateId} != previous u + 1 (${last + 1})`);
  }

  private apply(d: L2Diff): DiffOutcome {
    this.book.apply(d);
    this.bridged = true;
    this.applied++;
    return { kind: 'applied' };
  }

  private gap(d: L2Diff, expectedAfter: number, got: number, reason: string): DiffOutcome {
    const gap: BookGap = {
      reason,
      expectedAfter,
      got,
      diff: { firstUpdateId: d.firstUpdateId, lastUpdateId: d.lastUpdateId, prevLastUpdateId: d.prevLastUpdateId },
    };
    this.gaps.push(gap);
    this.stateValue = 'needs-resync';
    this.buffer = [d];
    this.opts.onResync?.(gap);
    return { kind: 'gap', gap };
  }
}
