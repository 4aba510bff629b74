/**
 * kafkajs 2.2.4's RequestQueue (one per broker connection) spins when idle: after every request
 * it calls `scheduleCheckPendingRequests`, which, with nothing pending and no throttling, arms
 * `setTimeout(check, throttledUntil - Date.now())` — a negative delay, i.e. 1 ms — and the check
 * schedules itself again, for as long as the connection lives (upstream issues tulios/kafkajs#1556
 * and #1704, unfixed in the last release). Measured here: ~1,650 event-loop wake-ups/s and ~60 ms
 * of CPU per second in an idle pipeline service (one RequestQueue per connection: producer,
 * each consumer, admin).
 *
 * The replacement schedules a check only when a request is pending: at the end of the broker's
 * throttle, or after the 10 ms interval kafkajs uses when the throttle is over or marginal (so
 * tulios/kafkajs#1532's marginal-throttle case still gets its check); with nothing pending there is
 * nothing to check — `push` schedules again when it queues a request, and a response frees an
 * in-flight slot through `checkPendingRequests` itself.
 *
 * Written without references outside its body: the producer threads' worker evaluates its source
 * (`String(fixRequestQueueSpin)`) on the prototype it loads.
 */
export function fixRequestQueueSpin(proto: object): void {
  type Queue = { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null; checkPendingRequests(): void };
  const p = proto as Queue & { scheduleCheckPendingRequests(this: Queue): void; __atpNoSpin?: true };
  if (p.__atpNoSpin) return;
  p.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: Queue): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, untilUnthrottled > 0 ? untilUnthrottled : 10);
  };
  Object.defineProperty(p, '__atpNoSpin', { value: true });
}

/** kafkajs's RequestQueue class (not exported by its index; a stable path in 2.x). */
export function kafkajsRequestQueue(): { prototype: object } {
  return require('kafkajs/src/network/requestQueue') as { prototype: object };
}

fixRequestQueueSpin(kafkajsRequestQueue().prototype);
