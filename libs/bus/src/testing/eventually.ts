/**
 * Polls `check` until it stops throwing (and returns its value), or rethrows its last error after
 * `timeoutMs`. Tests wait with this, never with fixed sleeps (STYLE.md).
 */
export async function eventually<T>(check: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until the wall clock has passed `ms` (to separate produce times for replay-by-time tests). */
export async function clockPast(ms: number): Promise<void> {
  while (Date.now() <= ms) await new Promise((r) => setTimeout(r, Math.max(1, ms + 1 - Date.now())));
}

/** A run id unique to this process and moment: topics of reruns never collide. */
export function uniqueRunId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
