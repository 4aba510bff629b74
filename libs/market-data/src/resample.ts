import { floorToTimeframe, timeframeMs, type Timeframe } from '@atp/core';
import type { Candle } from './candle';

/**
 * A bar produced by resampling. `status` is `closed` only when every source bar of the target
 * period was present (and itself complete); otherwise it is `partial` — emitted when a later
 * period starts (a gap in the source) or on an explicit `flush()`. A partial bar is never closed.
 */
export interface ResampledBar {
  candle: Candle;
  status: 'closed' | 'partial';
  /** Source bars aggregated. */
  sourceBars: number;
  /** Source bars a complete target bar has (target / source timeframe). */
  expectedBars: number;
}

export interface ResamplerOptions {
  /** Emit incomplete periods as `partial` bars (default true); false drops them. */
  emitPartial?: boolean;
}

/**
 * Streaming resampler (O(1) per source bar): open = first open, high = max, low = min,
 * close = last close, volume = sum (in source order). Target periods are aligned to the Unix
 * epoch (UTC days for 1d). Source bars must arrive in strictly ascending open-time order;
 * `push` throws a RangeError otherwise (validate first).
 */
export class Resampler {
  readonly ratio: number;
  private readonly fromMs: number;
  private bucket = -1;
  private o = 0;
  private h = 0;
  private l = 0;
  private c = 0;
  private v = 0;
  private n = 0;
  private allComplete = true;
  private lastOpen = -Infinity;
  private readonly emitPartial: boolean;

  constructor(
    readonly from: Timeframe | string,
    readonly to: Timeframe | string,
    opts: ResamplerOptions = {},
  ) {
    this.fromMs = timeframeMs(from);
    const toMs = timeframeMs(to);
    if (toMs <= this.fromMs || toMs % this.fromMs !== 0) throw new RangeError(`cannot resample ${from} to ${to}: target must be a multiple of the source`);
    this.ratio = toMs / this.fromMs;
    this.emitPartial = opts.emitPartial ?? true;
  }

  /** Adds a source bar; returns the target bars it completes (0, 1 or 2 of them). */
  push(bar: Candle, complete = true): ResampledBar[] {
    if (bar.openTime <= this.lastOpen) throw new RangeError(`Resampler: source bar ${bar.openTime} not after ${this.lastOpen}`);
    if (bar.openTime % this.fromMs !== 0) throw new RangeError(`Resampler: source bar ${bar.openTime} not aligned to ${this.from}`);
    this.lastOpen = bar.openTime;
    const out: ResampledBar[] = [];
    const b = floorToTimeframe(bar.openTime, this.to);
    if (this.n > 0 && b !== this.bucket) {
      const p = this.take();
      if (this.emitPartial) out.push(p);
    }
    if (this.n === 0) {
      this.bucket = b;
      this.o = bar.open;
      this.h = bar.high;
      this.l = bar.low;
      this.v = 0;
      this.allComplete = true;
    } else {
      if (bar.high > this.h) this.h = bar.high;
      if (bar.low < this.l) this.l = bar.low;
    }
    this.c = bar.close;
    this.v += bar.volume;
    this.n++;
    if (!complete) this.allComplete = false;
    if (this.n === this.ratio) {
      const r = this.take();
      if (r.status === 'closed' || this.emitPartial) out.push(r);
    }
    return out;
  }

  /** Chains resamplers (5m -> 1h -> 1d): a partial source bar makes its target partial. */
  pushBar(r: ResampledBar): ResampledBar[] {
    return this.push(r.candle, r.status === 'closed');
  }

  /** Emits the period in progress as `partial` (if any, and if partials are emitted). */
  flush(): ResampledBar[] {
    if (this.n === 0) return [];
    const r = this.take();
    return this.emitPartial ? [r] : [];
  }

  /** Open time of the period in progress, or null. */
  get pendingOpenTime(): number | null {
    return this.n > 0 ? this.bucket : null;
  }

  private take(): ResampledBar {
    const status = this.n === this.ratio && this.allComplete ? 'closed' : 'partial';
    const r: ResampledBar = {
      candle: { openTime: this.bucket, open: this.o, high: this.h, low: this.l, close: this.c, volume: this.v },
      status,
      sourceBars: this.n,
      expectedBars: this.ratio,
    };
    this.n = 0;
    return r;
  }
}

/**
 * Batch resampling of an ascending series. The last period is flushed as `partial` unless it is
 * complete. With `emitPartial: false` only closed bars are returned.
 */
export function resample(bars: readonly Candle[], from: Timeframe | string, to: Timeframe | string, opts: ResamplerOptions = {}): ResampledBar[] {
  const r = new Resampler(from, to, opts);
  const out: ResampledBar[] = [];
  for (const b of bars) for (const x of r.push(b)) out.push(x);
  for (const x of r.flush()) out.push(x);
  return out;
}

/** Batch resampling of already resampled bars (keeps partial-ness: 5m -> 1h -> 1d). */
export function resampleBars(bars: readonly ResampledBar[], from: Timeframe | string, to: Timeframe | string, opts: ResamplerOptions = {}): ResampledBar[] {
  const r = new Resampler(from, to, opts);
  const out: ResampledBar[] = [];
  for (const b of bars) for (const x of r.pushBar(b)) out.push(x);
  for (const x of r.flush()) out.push(x);
  return out;
}
