import type { OrderEvent } from '@atp/contracts';

interface Instrument {
  /** Fill transitions (order updates to partially-filled / filled) seen on orders.events.v1. */
  fillsEmitted: number;
  /** Fills of the instrument applied from fills.v1. */
  fillsApplied: number;
  /** Bar-matched markers seen: bar event time -> fills emitted before the marker (cumulative). */
  readonly markers: Map<number, number>;
  /** Latest bar time whose marker was seen. */
  lastMarker: number;
}

/**
 * The consumer side of execution's `bar-matched` protocol (ARCHITECTURE.md, "Order within one
 * event time T", step 1): fills travel on fills.v1, order updates and markers on orders.events.v1,
 * so a consumer may see the marker of bar T before the fills it announces. Every fill is also one
 * order update to `partially-filled` or `filled`, published before the marker on the same
 * partition (key `exchange:symbol`); counting them tells how many fills of the instrument exist
 * up to the marker, whatever their origin (bar matching, cheat-on-close, a late order's catch-up).
 * Bar T of an instrument is *matched* for the consumer once its marker arrived and at least that
 * many fills of the instrument have been applied.
 *
 * Callers deliver each order event and each fill once (dedupe by event id / fill id first).
 */
export class MatchedBarTracker {
  /**
   * Instruments by exchange, then symbol: looked up with the message's own strings (their hashes
   * kept by V8), where an `exchange:symbol` key would be built, flattened and hashed on every call
   * (risk, strategy and pnl ask for every instrument at every event time).
   */
  private readonly byExchange = new Map<string, Map<string, Instrument>>();

  /** An order update or a marker from orders.events.v1. */
  onOrderEvent(e: OrderEvent): void {
    const s = this.of(e.exchange, e.symbol);
    if (e.kind === 'bar-matched') {
      s.markers.set(e.barTime, s.fillsEmitted);
      if (e.barTime > s.lastMarker) s.lastMarker = e.barTime;
    } else if (e.status === 'partially-filled' || e.status === 'filled') {
      s.fillsEmitted++;
    }
  }

  /** A fill from fills.v1 has been applied by the consumer. */
  onFillApplied(exchange: string, symbol: string): void {
    this.of(exchange, symbol).fillsApplied++;
  }

  /** True once bar `barTime` of the instrument was matched by execution and its fills were applied here. */
  isMatched(exchange: string, symbol: string, barTime: number): boolean {
    const s = this.byExchange.get(exchange)?.get(symbol);
    if (s === undefined) return false;
    const need = s.markers.get(barTime);
    return need !== undefined && s.fillsApplied >= need;
  }

  /** True when every fill announced so far for the instrument (by order updates) has been applied. */
  fillsSettled(exchange: string, symbol: string): boolean {
    const s = this.byExchange.get(exchange)?.get(symbol);
    return s === undefined || s.fillsApplied >= s.fillsEmitted;
  }

  /** Event time of the latest marker seen for the instrument (-Infinity before any). */
  lastMatched(exchange: string, symbol: string): number {
    return this.byExchange.get(exchange)?.get(symbol)?.lastMarker ?? -Infinity;
  }

  /** Forgets markers of bars before `barTime` (bounded memory in long runs). */
  prune(barTime: number): void {
    for (const bySymbol of this.byExchange.values()) for (const s of bySymbol.values()) for (const t of s.markers.keys()) if (t < barTime) s.markers.delete(t);
  }

  private of(exchange: string, symbol: string): Instrument {
    let bySymbol = this.byExchange.get(exchange);
    if (bySymbol === undefined) this.byExchange.set(exchange, (bySymbol = new Map()));
    let s = bySymbol.get(symbol);
    if (s === undefined) bySymbol.set(symbol, (s = { fillsEmitted: 0, fillsApplied: 0, markers: new Map(), lastMarker: -Infinity }));
    return s;
  }
}
