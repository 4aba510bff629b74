import ccxt, { type Exchange } from 'ccxt';

export interface RetryPolicy {
  /** Attempts after the first (default 5). */
  maxRetries?: number;
  /** First backoff in ms, doubled each retry (default 500). */
  baseDelayMs?: number;
  /** Cap of one backoff (default 30,000); a longer Retry-After is still honoured. */
  maxDelayMs?: number;
  /** Injected for tests; default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { attempt: number; delayMs: number; error: Error; retryAfterMs: number | null }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The `Retry-After` of the exchange's last HTTP response, in ms (seconds or an HTTP date), or null. */
export function retryAfterMs(ex: Exchange): number | null {
  const h = (ex as unknown as { last_response_headers?: Record<string, string> }).last_response_headers;
  const v = h?.['Retry-After'] ?? h?.['retry-after'];
  if (v === undefined || v === '') return null;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(v);
  return Number.isFinite(d) ? Math.max(0, d - Date.now()) : null;
}

/**
 * True for errors worth retrying: ccxt `NetworkError` and its subclasses — timeouts,
 * `ExchangeNotAvailable` (5xx), `DDoSProtection` (HTTP 418) and `RateLimitExceeded` (HTTP 429,
 * Binance code -1003).
 */
export function isRetryable(e: unknown): boolean {
  return e instanceof ccxt.NetworkError;
}

/**
 * Runs `call` with retries: exponential backoff (base * 2^attempt, capped) on network errors, and
 * on 429/418 at least the server's `Retry-After` (read from ccxt's `last_response_headers`; the
 * exchange instance must not be shared by concurrent calls for that header to be this call's).
 * Non-retryable errors (bad symbol, auth, ...) are thrown at once; the last error after
 * `maxRetries` retries is thrown.
 */
export async function withRetries<T>(ex: Exchange, call: () => Promise<T>, policy: RetryPolicy = {}): Promise<T> {
  const max = policy.maxRetries ?? 5;
  const base = policy.baseDelayMs ?? 500;
  const cap = policy.maxDelayMs ?? 30_000;
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (!isRetryable(e) || attempt >= max) throw e;
      const limited = e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection;
      const ra = limited ? retryAfterMs(ex) : null;
      const backoff = Math.min(cap, base * 2 ** attempt);
      // The server's Retry-After is authoritative on 429/418; otherwise exponential backoff.
      const delayMs = ra ?? backoff;
      policy.onRetry?.({ attempt: attempt + 1, delayMs, error: e as Error, retryAfterMs: ra });
      await sleep(delayMs);
    }
  }
}

/**
 * Loads markets with retries. ccxt memoises the `loadMarkets` promise, a rejected one included, so
 * retrying a call that loads markets implicitly re-throws without a new request: load explicitly,
 * with `reload`, inside the retry.
 */
export async function loadMarketsWithRetries(ex: Exchange, policy: RetryPolicy = {}): Promise<void> {
  if (ex.markets && Object.keys(ex.markets).length) return;
  await withRetries(ex, () => ex.loadMarkets(true), policy);
}
