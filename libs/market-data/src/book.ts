import { eventIdFrom } from '@atp/core';
import type { BookEvent } from '@atp/contracts';

/** `[price, quantity]`; in a diff a quantity of 0 deletes the level. Float64. */
export type BookLevel = readonly [price: number, qty: number];

/** Best bid and offer (Binance `bookTicker`, Tardis `quotes`). */
export interface TopOfBook {
  readonly exchange: string;
  readonly symbol: string;
  /** Venue time, Unix ms (may be fractional when the source has microseconds). */
  readonly ts: number;
  readonly bidPrice: number;
  readonly bidQty: number;
  readonly askPrice: number;
  readonly askQty: number;
  /** Venue update id where the venue gives one (Binance `u`). */
  readonly updateId?: number | null;
}

/** A stored quote: natural key `exchange:symbol:ts:seq` (seq disambiguates equal timestamps). */
export interface QuoteDoc extends TopOfBook {
  _id: string;
}

/** A full L2 snapshot (Binance REST `/depth`: `lastUpdateId`, bids best first, asks best first). */
export interface L2Snapshot {
  readonly lastUpdateId: number;
  readonly ts: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/**
 * A Binance-style depth diff. `firstUpdateId` = U, `lastUpdateId` = u; futures streams also carry
 * `prevLastUpdateId` = pu (the u of the previous event of the stream).
 */
export interface L2Diff {
  readonly firstUpdateId: number;
  readonly lastUpdateId: number;
  readonly prevLastUpdateId?: number | null;
  readonly ts: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/**
 * One side of an L2 book. Levels live in a Map (O(1) update); the sorted view is rebuilt lazily
 * only when asked for, so applying thousands of diffs between two reads costs no sorting.
 */
export class BookSide {
  private readonly levels = new Map<number, number>();
  private sorted: number[] | null = [];

  constructor(readonly side: 'bid' | 'ask') {}

  /** Sets a level; qty 0 removes it. Throws on a negative or non-finite qty or price. */
  set(price: number, qty: number): void {
    if (!(Number.isFinite(price) && price > 0) || !(Number.isFinite(qty) && qty >= 0)) {
      throw new RangeError(`bad ${this.side} level [${price}, ${qty}]`);
    }
    if (qty === 0) {
      if (this.levels.delete(price)) this.sorted = null;
      return;
    }
    if (!this.levels.has(price)) this.sorted = null;
    this.levels.set(price, qty);
  }

  clear(): void {
    this.levels.clear();
    this.sorted = [];
  }

  get size(): number {
    return this.levels.size;
  }

  qtyAt(price: number): number {
    return this.levels.get(price) ?? 0;
  }

  private prices(): number[] {
    if (this.sorted === null) {
      const p = [...this.levels.keys()];
      p.sort(this.side === 'bid' ? (a, b) => b - a : (a, b) => a - b);
      this.sorted = p;
    }
    return this.sorted;
  }

  /** The best `n` levels, best first. */
  top(n = Infinity): BookLevel[] {
    const p = this.prices();
    const out: BookLevel[] = [];
    for (let i = 0; i < p.length && i < n; i++) out.push([p[i]!, this.levels.get(p[i]!)!]);
    return out;
  }

  best(): BookLevel | null {
    const p = this.prices();
    return p.length ? [p[0]!, this.levels.get(p[0]!)!] : null;
  }
}

/** An L2 order book: two sides and the last applied update id. */
export class OrderBookL2 {
  readonly bids = new BookSide('bid');
  readonly asks = new BookSide('ask');
  lastUpdateId: number | null = null;
  ts = 0;

  reset(s: L2Snapshot): void {
    this.bids.clear();
    this.asks.clear();
    for (const [p, q] of s.bids) this.bids.set(p, q);
    for (const [p, q] of s.asks) this.asks.set(p, q);
    this.lastUpdateId = s.lastUpdateId;
    this.ts = s.ts;
  }

  apply(d: L2Diff): void {
    for (const [p, q] of d.bids) this.bids.set(p, q);
    for (const [p, q] of d.asks) this.asks.set(p, q);
    this.lastUpdateId = d.lastUpdateId;
    this.ts = d.ts;
  }

  /** Best bid and ask, or null while either side is empty. */
  top(): { bid: BookLevel; ask: BookLevel } | null {
    const bid = this.bids.best();
    const ask = this.asks.best();
    return bid && ask ? { bid, ask } : null;
  }

  /** True when the best bid is below the best ask (an empty side counts as not crossed). */
  isConsistent(): boolean {
    const t = this.top();
    return t === null || t.bid[0] < t.ask[0];
  }

  snapshot(depth = Infinity): L2Snapshot {
    return { lastUpdateId: this.lastUpdateId ?? 0, ts: this.ts, bids: this.bids.top(depth), asks: this.asks.top(depth) };
  }
}

/** The `md.book.v1` value of a snapshot, diff or top-of-book. */
export function toBookEvent(
  inst: { exchange: string; symbol: string },
  e: { kind: 'snapshot'; book: L2Snapshot } | { kind: 'diff'; diff: L2Diff } | { kind: 'top'; top: TopOfBook },
  opts: { tsInit: number; source: string },
): BookEvent {
  const base = { tsInit: opts.tsInit, source: opts.source, exchange: inst.exchange, symbol: inst.symbol };
  if (e.kind === 'snapshot') {
    const ts = Math.floor(e.book.ts);
    return {
      ...base, eventId: eventIdFrom('book', inst.exchange, inst.symbol, 'snapshot', e.book.lastUpdateId), tsEvent: ts, ts,
      kind: 'snapshot', firstSeq: null, lastSeq: e.book.lastUpdateId, bids: e.book.bids.map((l) => [l[0], l[1]]), asks: e.book.asks.map((l) => [l[0], l[1]]),
    };
  }
  if (e.kind === 'diff') {
    const ts = Math.floor(e.diff.ts);
    return {
      ...base, eventId: eventIdFrom('book', inst.exchange, inst.symbol, 'diff', e.diff.firstUpdateId, e.diff.lastUpdateId), tsEvent: ts, ts,
      kind: 'diff', firstSeq: e.diff.firstUpdateId, lastSeq: e.diff.lastUpdateId, bids: e.diff.bids.map((l) => [l[0], l[1]]), asks: e.diff.asks.map((l) => [l[0], l[1]]),
    };
  }
  const ts = Math.floor(e.top.ts);
  return {
    ...base, eventId: eventIdFrom('book', inst.exchange, inst.symbol, 'top', e.top.ts, e.top.updateId ?? ''), tsEvent: ts, ts,
    kind: 'top', firstSeq: null, lastSeq: e.top.updateId ?? null, bids: [[e.top.bidPrice, e.top.bidQty]], asks: [[e.top.askPrice, e.top.askQty]],
  };
}
