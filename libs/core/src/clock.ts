/**
 * Time source for domain code. Domain code never reads the wall clock: in backtest and
 * replay the clock is the event time of the data, in live it is the system clock
 * (see `SystemClock` in ./adapters). Times are Unix epoch milliseconds, UTC.
 */
export interface Clock {
  /** Current time in Unix epoch milliseconds. */
  now(): number;
}

/** A clock that only moves when told to: the simulated clock of backtests and replays. */
export class ManualClock implements Clock {
  // A plain field initialised with a number (not a constructor parameter property, which V8 first
  // sees as undefined): it stays an unboxed double, so set() stores no new heap number per call
  // (the backtester sets it once per bar).
  private current = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves the clock to `ms`. Throws when asked to go backwards: event time is monotonic. */
  set(ms: number): void {
    if (ms < this.current) {
      throw new RangeError(`ManualClock cannot go back from ${this.current} to ${ms}`);
    }
    this.current = ms;
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }
}
