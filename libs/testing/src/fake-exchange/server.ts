import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, WebSocket } from 'ws';
import { systemClock, type Clock } from '@atp/core';
import { loadCryptofeedMetadata } from '../recorded-data';
import { FakePrivateApi } from './private-api';

/**
 * A local fake of the Binance spot REST + WebSocket API (and Kraken's public REST API) for testing
 * ccxt-based adapters without the network. It serves what ccxt's `binance` / `kraken` classes call,
 * with the venues' semantics (paging, limits, error bodies), enforces Binance's rate-limit behaviour
 * (429 + Retry-After, then 418 during the ban), can fail or drop requests on command, pushes
 * kline / trade / depth events to `ws` subscribers, and records every request.
 *
 * Point ccxt at it by overriding `exchange.urls.api` with `binanceUrls()` / `krakenUrls()`.
 */

const INTERVAL_MS: Record<string, number> = {
  '1m': 60_000, '3m': 180_000, '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '2h': 7_200_000,
  '4h': 14_400_000, '6h': 21_600_000, '8h': 28_800_000, '12h': 43_200_000, '1d': 86_400_000,
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form parameters of a POST body (signed private endpoints). */
  body?: Record<string, string>;
  status: number;
  /** Wall-clock ms (performance.now based) when the request arrived. */
  at: number;
  weight: number;
}

/** Binance-style request-weight limit over a fixed window (real Binance: 6,000 per minute). */
export interface RateLimitConfig {
  weightPerWindow: number;
  windowMs: number;
  /** How long an IP ban (418) lasts after requests continue during a 429's Retry-After. */
  banMs: number;
}

export type ScriptedFailure =
  | { status: 429 | 418 | 500 | 502 | 503 | 504; retryAfterSec?: number; body?: unknown }
  | { drop: true };

export interface DepthSnapshot {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

interface Conn {
  ws: WebSocket;
  combined: boolean;
  streams: Set<string>;
}

const fmt = (x: number) => String(x);

export class FakeExchangeServer {
  readonly requests: RecordedRequest[] = [];
  /** Messages received on WebSocket connections (parsed JSON), in order. */
  readonly wsMessages: unknown[] = [];
  /** Connections accepted since start. */
  wsConnectionCount = 0;
  /**
   * The exchange's clock (Unix ms): `/api/v3/time`, and klines only up to the bar containing it.
   * null: all recorded bars are served and the time is the wall clock.
   */
  clock: number | null = null;
  exchangeInfo: unknown;
  /** Binance's signed spot endpoints (orders, trades, balances): see {@link FakePrivateApi}. */
  readonly privateApi: FakePrivateApi = new FakePrivateApi(() => this.exchangeInfo, () => this.clock ?? this.time.now());
  private krakenPairs: Record<string, unknown> | null = null;
  private readonly candles = new Map<string, number[][]>();
  private readonly krakenCandles = new Map<string, number[][]>();
  private readonly depth = new Map<string, DepthSnapshot>();
  private readonly failures: ScriptedFailure[] = [];
  private rate: RateLimitConfig | null = null;
  private windowStart = 0;
  private windowWeight = 0;
  private limitedUntil = 0;
  private bannedUntil = 0;
  private readonly conns = new Set<Conn>();
  private readonly sockets = new Set<Socket>();
  private readonly wss = new WebSocketServer({ noServer: true });

  private constructor(
    private readonly server: Server,
    /** Real time where the exchange clock is unset, and for ban expiries (default the system clock). */
    private readonly time: Clock,
  ) {}

  /** Starts on 127.0.0.1, port 0. `exchangeInfo` defaults to the recorded `BINANCE.0`. */
  static async start(opts: { loadRecordedExchangeInfo?: boolean; time?: Clock } = {}): Promise<FakeExchangeServer> {
    const holder: { self?: FakeExchangeServer } = {};
    const server = createServer((req, res) => holder.self!.handle(req, res));
    const self = new FakeExchangeServer(server, opts.time ?? systemClock);
    holder.self = self;
    if (opts.loadRecordedExchangeInfo ?? true) self.exchangeInfo = loadCryptofeedMetadata('BINANCE').body;
    server.on('connection', (s) => {
      self.sockets.add(s);
      s.on('close', () => self.sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => self.upgrade(req, socket as Socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Values for ccxt `binance`: `exchange.urls.api = { ...exchange.urls.api, ...binanceUrls() }`. */
  binanceUrls(): Record<string, string | Record<string, string>> {
    const h = this.httpUrl;
    return {
      public: `${h}/api/v3`, private: `${h}/api/v3`, v1: `${h}/api/v1`, sapi: `${h}/sapi/v1`,
      fapiPublic: `${h}/fapi/v1`, dapiPublic: `${h}/dapi/v1`, eapiPublic: `${h}/eapi/v1`,
      ws: { spot: `${this.wsUrl}/ws`, margin: `${this.wsUrl}/ws`, future: `${this.wsUrl}/ws`, delivery: `${this.wsUrl}/ws` },
    };
  }

  /** Values for ccxt `kraken`: `exchange.urls.api = krakenUrls()`. */
  krakenUrls(): Record<string, string> {
    return { public: this.httpUrl, private: this.httpUrl };
  }

  /** Binance klines for a venue symbol (`BTCUSDT`) and interval, rows `[openTime, o, h, l, c, v]` ascending. */
  setCandles(symbol: string, interval: string, rows: number[][]): void {
    this.candles.set(`${symbol}|${interval}`, rows);
  }

  /** Kraken OHLC for a pair id (`XBTUSDT`) and interval in minutes. */
  setKrakenCandles(pair: string, intervalMin: number, rows: number[][]): void {
    this.krakenCandles.set(`${pair}|${intervalMin}`, rows);
  }

  setDepthSnapshot(symbol: string, snap: DepthSnapshot): void {
    this.depth.set(symbol, snap);
  }

  /** Turns rate limiting on (or off with null); resets the window and any ban. */
  setRateLimit(cfg: RateLimitConfig | null): void {
    this.rate = cfg;
    this.windowStart = performance.now();
    this.windowWeight = 0;
    this.limitedUntil = 0;
    this.bannedUntil = 0;
  }

  /** The next requests fail as scripted, in order (before any other handling). */
  failNext(...f: ScriptedFailure[]): void {
    this.failures.push(...f);
  }

  /** Requests whose path ends with `suffix` (e.g. `/klines`). */
  requestsTo(suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  /** Streams subscribed on open connections. */
  subscriptions(): string[] {
    const s = new Set<string>();
    for (const c of this.conns) for (const x of c.streams) s.add(x);
    return [...s].sort();
  }

  get openConnections(): number {
    return this.conns.size;
  }

  /** Abruptly closes every WebSocket connection (as a network drop); returns how many. */
  dropConnections(): number {
    const n = this.conns.size;
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
    return n;
  }

  /** Sends `data` on `stream` to its subscribers (combined connections get `{stream, data}`). */
  publish(stream: string, data: unknown): number {
    let sent = 0;
    for (const c of this.conns) {
      if (!c.streams.has(stream) || c.ws.readyState !== WebSocket.OPEN) continue;
      c.ws.send(JSON.stringify(c.combined ? { stream, data } : data));
      sent++;
    }
    return sent;
  }

  /**
   * Moves the exchange clock to `ms`. For every subscribed kline stream, each bar that closes in
   * (previous clock, ms] is pushed as final (`x: true`), then the bar containing `ms` as an update.
   */
  advanceTo(ms: number): void {
    const from = this.clock ?? -Infinity;
    this.clock = ms;
    for (const stream of this.subscriptions()) {
      const m = /^([a-z0-9]+)@kline_(\w+)$/.exec(stream);
      if (!m) continue;
      const symbol = m[1]!.toUpperCase();
      const rows = this.candles.get(`${symbol}|${m[2]}`);
      const len = INTERVAL_MS[m[2]!];
      if (!rows || !len) continue;
      for (const r of rows) {
        const close = r[0]! + len;
        if (close > from && close <= ms) this.publish(stream, this.klineEvent(symbol, m[2]!, r, true, close));
      }
      const cur = rows.find((r) => r[0]! <= ms && ms < r[0]! + len);
      if (cur) this.publish(stream, this.klineEvent(symbol, m[2]!, cur, false, ms));
    }
  }

  klineEvent(symbol: string, interval: string, r: number[], final: boolean, eventTime: number): unknown {
    const len = INTERVAL_MS[interval]!;
    return {
      e: 'kline', E: eventTime, s: symbol,
      k: { t: r[0], T: r[0]! + len - 1, s: symbol, i: interval, f: 0, L: 0, o: fmt(r[1]!), c: fmt(r[4]!), h: fmt(r[2]!), l: fmt(r[3]!), v: fmt(r[5]!), n: 0, x: final, q: '0', V: '0', Q: '0', B: '0' },
    };
  }

  async close(): Promise<void> {
    this.dropConnections();
    this.wss.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------------ HTTP

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams.entries());
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, status: 0, at: performance.now(), weight: 0 };
    this.requests.push(rec);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const failure = this.failures.shift();
    if (failure) {
      if ('drop' in failure) {
        rec.status = -1;
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = failure.retryAfterSec !== undefined ? { 'Retry-After': String(failure.retryAfterSec) } : {};
      if (failure.status >= 500 && failure.body === undefined) {
        // Binance's gateway answers 5xx with a plain-text page, not a JSON error.
        rec.status = failure.status;
        res.writeHead(failure.status, { 'Content-Type': 'text/plain', ...headers });
        res.end(failure.status === 503 ? 'Service Unavailable' : 'Bad Gateway');
        return;
      }
      const body = failure.body ?? (failure.status === 429 ? tooMuchWeight(1200) : banned(this.time.now() + (failure.retryAfterSec ?? 120) * 1000));
      return send(failure.status, body, headers);
    }
    if (url.pathname.startsWith('/0/public/')) return this.kraken(url.pathname.slice('/0/public/'.length), query, send);
    const isPrivate = FakePrivateApi.handles(url.pathname);
    const weight = isPrivate ? FakePrivateApi.weight(rec.method, url.pathname, query) : binanceWeight(url.pathname, query);
    rec.weight = weight;
    const limited = this.checkRate(weight);
    if (limited) return send(limited.status, limited.body, { 'Retry-After': String(limited.retryAfterSec) });
    const usedHeaders = { 'X-MBX-USED-WEIGHT-1M': String(this.windowWeight) };
    if (isPrivate) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        if (raw) rec.body = Object.fromEntries(new URLSearchParams(raw).entries());
        const sendPrivate = (status: number, body: unknown, headers: Record<string, string> = {}) => send(status, body, { ...usedHeaders, ...headers });
        this.privateApi.handle(req, res, rec.method, url.pathname, raw || url.search.slice(1), { ...query, ...(rec.body ?? {}) }, sendPrivate);
      });
      return;
    }
    switch (url.pathname) {
      case '/api/v3/ping':
        return send(200, {}, usedHeaders);
      case '/api/v3/time':
        return send(200, { serverTime: this.clock ?? this.time.now() }, usedHeaders);
      case '/api/v3/exchangeInfo':
        return send(200, this.exchangeInfo, usedHeaders);
      case '/fapi/v1/exchangeInfo':
      case '/dapi/v1/exchangeInfo':
        return send(200, { timezone: 'UTC', serverTime: this.clock ?? this.time.now(), rateLimits: [], exchangeFilters: [], assets: [], symbols: [] }, usedHeaders);
      case '/api/v3/klines':
        return this.klines(query, send, usedHeaders);
      case '/api/v3/depth': {
        const snap = this.depth.get(query.symbol ?? '');
        if (!snap) return send(400, { code: -1121, msg: 'Invalid symbol.' });
        const limit = Math.min(Number(query.limit ?? 100), 5000);
        return send(200, { lastUpdateId: snap.lastUpdateId, bids: snap.bids.slice(0, limit), asks: snap.asks.slice(0, limit) }, usedHeaders);
      }
      default:
        return send(404, { code: -1000, msg: `fake exchange: no route for ${url.pathname}` });
    }
  }

  /** Binance's documented behaviour: over the limit -> 429 + Retry-After; more requests before it -> 418 ban. */
  private checkRate(weight: number): { status: number; body: unknown; retryAfterSec: number } | null {
    if (!this.rate) return null;
    const now = performance.now();
    if (now < this.bannedUntil) return { status: 418, body: banned(this.time.now() + (this.bannedUntil - now)), retryAfterSec: Math.ceil((this.bannedUntil - now) / 1000) };
    if (now < this.limitedUntil) {
      // Ignored a 429's Retry-After: IP ban.
      this.bannedUntil = now + this.rate.banMs;
      return { status: 418, body: banned(this.time.now() + this.rate.banMs), retryAfterSec: Math.ceil(this.rate.banMs / 1000) };
    }
    if (now - this.windowStart >= this.rate.windowMs) {
      this.windowStart = now - ((now - this.windowStart) % this.rate.windowMs);
      this.windowWeight = 0;
    }
    if (this.windowWeight + weight > this.rate.weightPerWindow) {
      this.limitedUntil = this.windowStart + this.rate.windowMs;
      return { status: 429, body: tooMuchWeight(this.rate.weightPerWindow), retryAfterSec: Math.max(1, Math.ceil((this.limitedUntil - now) / 1000)) };
    }
    this.windowWeight += weight;
    return null;
  }

  private klines(q: Record<string, string>, send: (s: number, b: unknown, h?: Record<string, string>) => void, headers: Record<string, string>): void {
    if (!q.symbol) return send(400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." });
    const len = INTERVAL_MS[q.interval ?? ''];
    if (!len) return send(400, { code: -1120, msg: 'Invalid interval.' });
    const rows = this.candles.get(`${q.symbol}|${q.interval}`);
    if (!rows) return send(400, { code: -1121, msg: 'Invalid symbol.' });
    const limit = q.limit === undefined ? 500 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return send(400, { code: -1130, msg: 'Invalid data sent for a parameter.' });
    const start = q.startTime === undefined ? undefined : Number(q.startTime);
    const end = q.endTime === undefined ? undefined : Number(q.endTime);
    const clock = this.clock;
    const visible = (r: number[]) => (clock === null || r[0]! <= clock) && (start === undefined || r[0]! >= start) && (end === undefined || r[0]! <= end);
    let out: number[][];
    if (start !== undefined) {
      out = [];
      for (const r of rows) {
        if (visible(r)) out.push(r);
        if (out.length >= limit) break;
      }
    } else {
      out = rows.filter(visible).slice(-limit);
    }
    send(200, out.map((r) => [r[0], fmt(r[1]!), fmt(r[2]!), fmt(r[3]!), fmt(r[4]!), fmt(r[5]!), r[0]! + len - 1, '0', 0, '0', '0', '0']), headers);
  }

  // ------------------------------------------------------------------ Kraken

  private kraken(method: string, q: Record<string, string>, send: (s: number, b: unknown) => void): void {
    const pairs = () => {
      if (!this.krakenPairs) this.krakenPairs = (loadCryptofeedMetadata('KRAKEN').body as { result: Record<string, unknown> }).result;
      return this.krakenPairs;
    };
    switch (method) {
      case 'AssetPairs':
        return send(200, { error: [], result: pairs() });
      case 'Assets': {
        // Not recorded: synthesised from the recorded pairs' base and quote assets.
        const result: Record<string, unknown> = {};
        for (const p of Object.values(pairs()) as { base: string; quote: string }[]) {
          for (const a of [p.base, p.quote]) result[a] = { aclass: 'currency', altname: a.replace(/^[XZ](?=[A-Z]{3}$)/, ''), decimals: 8, display_decimals: 5, status: 'enabled' };
        }
        return send(200, { error: [], result });
      }
      case 'Time':
        return send(200, { error: [], result: { unixtime: Math.floor((this.clock ?? this.time.now()) / 1000), rfc1123: new Date(this.clock ?? this.time.now()).toUTCString() } });
      case 'OHLC': {
        const rows = this.krakenCandles.get(`${q.pair}|${q.interval ?? '1'}`);
        if (!rows) return send(200, { error: ['EQuery:Unknown asset pair'] });
        // Kraken: up to 720 bars with time > since (seconds); without since, the latest 720.
        const since = q.since === undefined ? undefined : Number(q.since) * 1000;
        const clock = this.clock;
        let out = rows.filter((r) => (clock === null || r[0]! <= clock) && (since === undefined || r[0]! > since));
        out = since === undefined ? out.slice(-720) : out.slice(0, 720);
        const last = out.length ? out[out.length - 1]![0]! / 1000 : Number(q.since ?? 0);
        return send(200, { error: [], result: { [q.pair!]: out.map((r) => [r[0]! / 1000, fmt(r[1]!), fmt(r[2]!), fmt(r[3]!), fmt(r[4]!), fmt(r[4]!), fmt(r[5]!), 1]), last } });
      }
      default:
        return send(404, { error: [`EGeneral:Unknown method ${method}`] });
    }
  }

  // ------------------------------------------------------------------ WebSocket

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const combined = url.pathname.startsWith('/stream');
    if (!combined && !url.pathname.startsWith('/ws')) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.wsConnectionCount++;
      const conn: Conn = { ws, combined, streams: new Set((url.searchParams.get('streams') ?? '').split('/').filter(Boolean)) };
      this.conns.add(conn);
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
      ws.on('message', (raw) => this.onWsMessage(conn, String(raw)));
    });
  }

  private onWsMessage(conn: Conn, raw: string): void {
    let msg: { method?: string; params?: string[]; id?: number | string };
    try {
      msg = JSON.parse(raw);
    } catch {
      conn.ws.send(JSON.stringify({ error: { code: 3, msg: 'Invalid JSON' } }));
      return;
    }
    this.wsMessages.push(msg);
    const params = Array.isArray(msg.params) ? msg.params : [];
    switch (msg.method) {
      case 'SUBSCRIBE':
        for (const p of params) conn.streams.add(p);
        conn.ws.send(JSON.stringify({ result: null, id: msg.id }));
        // Binance pushes the forming kline every ~2 s; the fake pushes it once right away.
        for (const p of params) {
          const m = /^([a-z0-9]+)@kline_(\w+)$/.exec(p);
          if (!m || this.clock === null) continue;
          const len = INTERVAL_MS[m[2]!]!;
          const cur = this.candles.get(`${m[1]!.toUpperCase()}|${m[2]}`)?.find((r) => r[0]! <= this.clock! && this.clock! < r[0]! + len);
          if (cur) conn.ws.send(JSON.stringify(conn.combined ? { stream: p, data: this.klineEvent(m[1]!.toUpperCase(), m[2]!, cur, false, this.clock) } : this.klineEvent(m[1]!.toUpperCase(), m[2]!, cur, false, this.clock)));
        }
        return;
      case 'UNSUBSCRIBE':
        for (const p of params) conn.streams.delete(p);
        conn.ws.send(JSON.stringify({ result: null, id: msg.id }));
        return;
      case 'LIST_SUBSCRIPTIONS':
        conn.ws.send(JSON.stringify({ result: [...conn.streams], id: msg.id }));
        return;
      default:
        conn.ws.send(JSON.stringify({ error: { code: 2, msg: `Invalid request: unknown method ${msg.method}` }, id: msg.id ?? null }));
    }
  }
}

function tooMuchWeight(limit: number) {
  return { code: -1003, msg: `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.` };
}

function banned(untilMs: number) {
  return { code: -1003, msg: `Way too much request weight used; IP banned until ${Math.round(untilMs)}. Please use WebSocket Streams for live updates to avoid bans.` };
}

/** Request weights of Binance spot endpoints (2024 values). */
function binanceWeight(path: string, q: Record<string, string>): number {
  if (path.endsWith('/exchangeInfo')) return 20;
  if (path === '/api/v3/klines') return 2;
  if (path === '/api/v3/depth') {
    const l = Number(q.limit ?? 100);
    return l <= 100 ? 5 : l <= 500 ? 25 : l <= 1000 ? 50 : 250;
  }
  return 1;
}
