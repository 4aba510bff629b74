/** A live stream that went silent, or came back. Times are Unix ms of the monitor's clock. */
export interface StaleChange {
  readonly key: string;
  readonly kind: 'stale' | 'recovered';
  /** Last data seen on the stream (its watch start if it never delivered). */
  readonly lastSeen: number;
  /** How long it had been silent when this was detected. */
  readonly silentMs: number;
  readonly at: number;
}

/**
 * Tracks when each live stream (e.g. `candles:binance:BTC/USDT:1h`) last delivered data. `check`
 * reports each stream silent for longer than `staleAfterMs` once, when it becomes stale; `seen`
 * reports its recovery once. A watched stream that never delivers becomes stale `staleAfterMs`
 * after its watch started. Pure: the caller passes the time (the service's Clock).
 */
export class StaleDataMonitor {
  private readonly streams = new Map<string, { last: number; stale: boolean }>();

  constructor(readonly staleAfterMs: number) {
    if (!(staleAfterMs > 0)) throw new RangeError(`staleAfterMs must be > 0, got ${staleAfterMs}`);
  }

  watch(key: string, now: number): void {
    if (!this.streams.has(key)) this.streams.set(key, { last: now, stale: false });
  }

  unwatch(key: string): void {
    this.streams.delete(key);
  }

  /** Data arrived on `key`; returns the recovery when the stream was stale. */
  seen(key: string, now: number): StaleChange | null {
    const s = this.streams.get(key);
    if (!s) {
      this.streams.set(key, { last: now, stale: false });
      return null;
    }
    const was = s.stale;
    const silentMs = now - s.last;
    s.last = Math.max(s.last, now);
    s.stale = false;
    return was ? { key, kind: 'recovered', lastSeen: now - silentMs, silentMs, at: now } : null;
  }

  /** Streams that became stale since the last check. */
  check(now: number): StaleChange[] {
    const out: StaleChange[] = [];
    for (const [key, s] of this.streams) {
      if (s.stale || now - s.last <= this.staleAfterMs) continue;
      s.stale = true;
      out.push({ key, kind: 'stale', lastSeen: s.last, silentMs: now - s.last, at: now });
    }
    return out;
  }

  isStale(key: string): boolean {
    return this.streams.get(key)?.stale ?? false;
  }
}
