import { Agent } from 'node:http';
import ccxt, { type Exchange } from 'ccxt';

export type CcxtExchange = Exchange;

export interface CreateExchangeOptions {
  /** ccxt.pro (WebSocket) class instead of the REST-only one. */
  pro?: boolean;
  /**
   * Entries merged into `exchange.urls.api` — how tests point ccxt at the local fake exchange
   * (`FakeExchangeServer.binanceUrls()`); nested objects (e.g. `ws`) are merged one level deep.
   */
  apiUrls?: Record<string, string | Record<string, string>>;
  /** Extra ccxt options (merged into `exchange.options`). */
  options?: Record<string, unknown>;
  /** ms per request-cost unit for ccxt's throttler (default: the exchange's own `rateLimit`). */
  rateLimitMs?: number;
  /** ms before a REST call times out (ccxt default 10,000). */
  timeoutMs?: number;
}

/**
 * A ccxt exchange instance with the rate limiter on (`enableRateLimit`). For `binance` only spot
 * markets are loaded (no futures/margin endpoints, no keyed currency endpoint): the markets
 * snapshot and the market data here are spot. Throws on an unknown exchange id.
 */
export function createExchange(id: string, opts: CreateExchangeOptions = {}): Exchange {
  const ns = (opts.pro ? ccxt.pro : ccxt) as unknown as Record<string, new (cfg: Record<string, unknown>) => Exchange>;
  const Ctor = ns[id];
  if (typeof Ctor !== 'function') throw new Error(`ccxt${opts.pro ? '.pro' : ''} has no exchange ${JSON.stringify(id)}`);
  const defaults: Record<string, unknown> =
    id === 'binance' ? { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false } : {};
  const cfg: Record<string, unknown> = { enableRateLimit: true, options: { ...defaults, ...(opts.options ?? {}) } };
  // Given to the constructor: ccxt builds its throttler from `rateLimit` once, after construction.
  if (opts.rateLimitMs !== undefined) cfg.rateLimit = opts.rateLimitMs;
  if (opts.timeoutMs !== undefined) cfg.timeout = opts.timeoutMs;
  const ex = new Ctor(cfg);
  if (opts.apiUrls) {
    const api = { ...(ex.urls.api as Record<string, unknown>) };
    for (const [k, v] of Object.entries(opts.apiUrls)) {
      api[k] = typeof v === 'object' && typeof api[k] === 'object' ? { ...(api[k] as Record<string, unknown>), ...v } : v;
    }
    ex.urls.api = api as Exchange['urls']['api'];
    // ccxt.pro only opens plain ws:// (the local fake exchange) through an explicit HTTP agent.
    if (JSON.stringify(opts.apiUrls).includes('"ws://')) (ex as unknown as { httpAgent: Agent }).httpAgent = new Agent();
  }
  return ex;
}

/** The exchange's own per-call OHLCV limit (ccxt `features`), e.g. 1000 for Binance spot, 720 for Kraken. */
export function ohlcvLimitOf(ex: Exchange, fallback = 500): number {
  const f = (ex as unknown as { features?: Record<string, { fetchOHLCV?: { limit?: number } } | undefined> }).features;
  return f?.spot?.fetchOHLCV?.limit ?? fallback;
}

/**
 * `apiUrls` (see {@link CreateExchangeOptions}) that send an exchange's REST and WebSocket calls to
 * one base URL with the venue's own paths — a local fake exchange (`@atp/testing`), a proxy or a
 * mirror: `http://127.0.0.1:8123` -> binance `.../api/v3`, `ws://127.0.0.1:8123/ws`; kraken
 * `.../0/public`. Throws for exchanges without a mapping (binance and kraken have one).
 */
export function apiUrlsFor(id: string, baseUrl: string): Record<string, string | Record<string, string>> {
  const h = baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(h)) throw new Error(`exchange API URL must be http(s)://host[:port] (got ${JSON.stringify(baseUrl)})`);
  const ws = `${h.replace(/^http/, 'ws')}/ws`;
  switch (id) {
    case 'binance':
      return {
        public: `${h}/api/v3`, private: `${h}/api/v3`, v1: `${h}/api/v1`, sapi: `${h}/sapi/v1`,
        fapiPublic: `${h}/fapi/v1`, dapiPublic: `${h}/dapi/v1`, eapiPublic: `${h}/eapi/v1`,
        ws: { spot: ws, margin: ws, future: ws, delivery: ws },
      };
    case 'kraken':
      return { public: h, private: h };
    default:
      throw new Error(`no API URL mapping for exchange ${JSON.stringify(id)} (binance and kraken have one)`);
  }
}
