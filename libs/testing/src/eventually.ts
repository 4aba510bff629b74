/**
 * Polls `check` until it passes (returns without throwing and not `false`), then resolves with its
 * value; rejects with the last failure after `timeoutMs`. Tests wait with this, never with sleeps.
 */
export async function eventually<T>(check: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Exclude<T, false>> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const intervalMs = opts.intervalMs ?? 20;
  const deadline = performance.now() + timeoutMs;
  let last: unknown = new Error('eventually: condition never checked');
  for (;;) {
    try {
      const v = await check();
      if (v !== false) return v as Exclude<T, false>;
      last = new Error('eventually: condition returned false');
    } catch (e) {
      last = e;
    }
    if (performance.now() > deadline) {
      if (last instanceof Error) last.message = `eventually (after ${timeoutMs} ms): ${last.message}`;
      throw last;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
