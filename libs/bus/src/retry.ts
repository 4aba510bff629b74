import { PermanentError } from './bus';

/** Defaults of the port (bus.ts): 5 attempts, 100 ms first retry delay, doubled, capped at 5 s. */
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_RETRY_BACKOFF_MS = 100;
export const MAX_RETRY_BACKOFF_MS = 5_000;

/** Delay in ms before the attempt after `failedAttempt` (1-based): base, 2 x base, 4 x base, ... <= 5 s. */
export function retryDelayMs(failedAttempt: number, baseMs = DEFAULT_RETRY_BACKOFF_MS): number {
  return Math.min(baseMs * 2 ** Math.max(0, failedAttempt - 1), MAX_RETRY_BACKOFF_MS);
}

/** True when a handler failure should go to the dead-letter topic now rather than be retried. */
export function givesUp(err: unknown, failedAttempt: number, maxAttempts: number): boolean {
  return err instanceof PermanentError || (err as Error | null)?.name === 'PermanentError' || failedAttempt >= maxAttempts;
}

/** Validated subscription retry settings; throws RangeError naming the bad option. */
export function retrySettings(opts: { maxAttempts?: number; retryBackoffMs?: number }): { maxAttempts: number; retryBackoffMs: number } {
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const retryBackoffMs = opts.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  if (!Number.isFinite(retryBackoffMs) || retryBackoffMs < 0) throw new RangeError(`retryBackoffMs must be >= 0, got ${retryBackoffMs}`);
  return { maxAttempts, retryBackoffMs };
}

/** `Name: message` of a thrown value, never empty (a DeadLetter reason must not be). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message || '(no message)'}`;
  const s = String(err);
  return s || 'unknown error';
}
