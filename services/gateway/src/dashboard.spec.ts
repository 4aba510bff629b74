import WebSocket from 'ws';
import type { Bus } from '@atp/bus';
import { TOPICS, type DecisionEvent, type FillEvent, type OrderRejectedEvent, type PnlEvent, type RiskAlertEvent, type RiskCommandEvent } from '@atp/contracts';
import { ManualClock } from '@atp/core';
import { memorySink } from '@atp/observability';
import { bootstrapService, type RunningHost } from '@atp/nest-kit';
import { eventually } from '@atp/testing';
import { bearerMatches, DashboardState, gatewayService, type DashboardMessage, type DashboardSnapshot, type KillSwitchAccepted, type PnlResponse } from './index';

const TOKEN = 'spec-admin-token-0123456789';
const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1, 1);

function fill(i: number, side: 'buy' | 'sell' = 'buy'): FillEvent {
  return { eventId: `f${i}`, tsEvent: T0 + i * H, tsInit: 1, source: 'execution', exchange: 'binance', symbol: 'BTC/USDT', runId: 'paper', fillId: `o${i}-1`, clientOrderId: `o${i}`, strategyId: 'ma', side, price: '29000.5', quantity: '0.01', fee: '0.29', feeCurrency: 'USDT', liquidity: 'taker', role: 'entry' };
}

function pnl(i: number, equity: string, strategyId = '*'): PnlEvent {
  return {
    eventId: `p${i}-${strategyId}`, tsEvent: T0 + i * H, tsInit: 1, source: 'pnl', runId: 'paper', account: 'paper', strategyId,
    cash: '9710', realized: '0', unrealized: '1.5', fees: '0.29', equity,
    positions: [{ exchange: 'binance', symbol: 'BTC/USDT', quantity: '0.01', avgPrice: '29000.5', mark: '29150', unrealized: '1.5' }],
  };
}

function alert(code: string, i: number, severity: RiskAlertEvent['severity'] = 'critical'): RiskAlertEvent {
  return { eventId: `a${i}`, tsEvent: T0 + i * H, tsInit: 1, source: 'risk', alertId: `a${i}`, severity, code, message: `${code} test`, details: {} };
}

function rejection(i: number, code: string): OrderRejectedEvent {
  return { eventId: `r${i}`, tsEvent: T0 + i * H, tsInit: 1, source: 'risk', exchange: 'binance', symbol: 'ETH/USDT', runId: 'paper', decisionId: `d${i}`, strategyId: 'ma', decisionTime: T0 + i * H, code, reason: `${code}: entries blocked` };
}

/** A /ws client recording every message from the first one. */
function client(url: string): { messages: DashboardMessage[] | { type: string }[]; next(type: string, n?: number): Promise<Record<string, unknown>>; close(): void } {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
  const messages: { type: string }[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as { type: string }));
  return {
    messages,
    next: (type, n = 1) => eventually(() => {
      const m = messages.filter((x) => x.type === type);
      if (m.length < n) throw new Error(`no ${n} ${type} message(s) yet: ${messages.map((x) => x.type).join(',')}`);
      return m[n - 1] as unknown as Record<string, unknown>;
    }, { timeoutMs: 5_000, intervalMs: 5 }),
    close: () => ws.close(),
  };
}

describe('gateway dashboard: stream, snapshot, REST and the admin kill switch', () => {
  let host: RunningHost;
  let bus: Bus;
  const logs = memorySink();
  const clock = new ManualClock(Date.UTC(2026, 0, 2, 3));
  const commands: RiskCommandEvent[] = [];

  beforeAll(async () => {
    host = await bootstrapService(gatewayService, {
      env: { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'debug', GATEWAY_ADMIN_TOKEN: TOKEN, DASHBOARD_FILLS: '3' },
      logSink: logs,
      clock,
    });
    bus = host.context.services[0]!.bus;
    await bus.subscribe({ contract: TOPICS.riskCommands, group: 'spec-risk' }, (m) => void commands.push(m.value));
  });
  afterAll(() => host.stop());

  it('serves a self-contained dashboard page at / (no external resources)', async () => {
    const res = await fetch(`${host.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('<title>ATP dashboard</title>');
    expect(html).toMatch(/id="ks-form"/);
    expect(html.match(/(src|href)="(https?:)?\/\//g)).toBeNull();
  });

  it('sends hello and a snapshot on connect, then streams fills, P&L, rejections, alerts and the kill switch', async () => {
    await bus.publish(TOPICS.fills, fill(0));
    await bus.publish(TOPICS.pnl, pnl(0, '10000'));
    await eventually(async () => expect(((await (await fetch(`${host.url}/api/dashboard`)).json()) as DashboardSnapshot).counts).toMatchObject({ fills: 1, pnl: 1 }));

    const c = client(host.url);
    const snap = (await c.next('snapshot')) as unknown as DashboardSnapshot;
    expect(c.messages[0]).toMatchObject({ type: 'hello', mode: 'paper', serverTime: '2026-01-02T03:00:00.000Z' });
    expect(snap.fills.map((f) => f.fillId)).toEqual(['o0-1']);
    expect(snap.equity).toEqual([{ t: T0, equity: '10000' }]);
    expect(snap.killSwitch).toEqual({ engaged: false, since: null, reason: null });

    await bus.publish(TOPICS.fills, fill(1, 'sell'));
    await bus.publish(TOPICS.fills, fill(1, 'sell')); // a redelivery: streamed once
    await bus.publish(TOPICS.pnl, pnl(1, '10001.5'));
    await bus.publish(TOPICS.pnl, pnl(1, '10001.5', 'ma')); // per strategy: kept for /api/pnl, not streamed
    await bus.publish(TOPICS.ordersRejected, rejection(2, 'MAX_POSITION'));
    await bus.publish(TOPICS.riskAlerts, alert('KILL_SWITCH_TRIPPED', 3));
    expect(await c.next('fill')).toMatchObject({ fill: { fillId: 'o1-1', side: 'sell' } });
    expect(await c.next('pnl')).toMatchObject({ pnl: { equity: '10001.5', strategyId: '*' } });
    expect(await c.next('rejection')).toMatchObject({ rejection: { code: 'MAX_POSITION' } });
    expect(await c.next('alert')).toMatchObject({ alert: { code: 'KILL_SWITCH_TRIPPED' } });
    expect(await c.next('kill-switch')).toEqual({ type: 'kill-switch', killSwitch: { engaged: true, since: T0 + 3 * H, reason: 'KILL_SWITCH_TRIPPED test' } });
    await bus.publish(TOPICS.riskAlerts, alert('KILL_SWITCH_RELEASED', 4, 'warning'));
    expect(await c.next('kill-switch', 2)).toMatchObject({ killSwitch: { engaged: false, since: T0 + 4 * H } });
    expect(c.messages.filter((m) => m.type === 'fill')).toHaveLength(1);
    expect(c.messages.filter((m) => m.type === 'pnl')).toHaveLength(1);
    c.close();

    const p = (await (await fetch(`${host.url}/api/pnl`)).json()) as PnlResponse;
    expect(p.account?.equity).toBe('10001.5');
    expect(p.strategies.map((s) => s.strategyId)).toEqual(['ma']);
    for (let i = 2; i < 6; i++) await bus.publish(TOPICS.fills, fill(i));
    const fills = await eventually(async () => {
      const f = (await (await fetch(`${host.url}/api/fills`)).json()) as FillEvent[];
      expect(f.map((x) => x.fillId)).toEqual(['o3-1', 'o4-1', 'o5-1']); // the last DASHBOARD_FILLS=3
      return f;
    });
    expect(fills).toHaveLength(3);
    expect(((await (await fetch(`${host.url}/api/fills?limit=1`)).json()) as FillEvent[]).map((x) => x.fillId)).toEqual(['o5-1']);
    expect((await fetch(`${host.url}/api/fills?limit=x`)).status).toBe(400);
  });

  it('refuses the kill switch without the bearer token or with a wrong one (401), never logging the token', async () => {
    const post = (headers: Record<string, string>, body: unknown = { engaged: true, reason: 'spec' }) =>
      fetch(`${host.url}/api/kill-switch`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const cases: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }, { authorization: 'Bearer ' }];
    for (const headers of cases) {
      const res = await post(headers);
      expect({ headers, status: res.status }).toEqual({ headers, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="atp"');
    }
    expect((await post({ authorization: `Bearer ${TOKEN}` }, { engaged: 'yes' })).status).toBe(400);
    await new Promise((r) => setTimeout(r, 20));
    expect(commands).toEqual([]);

    const res = await post({ authorization: `Bearer ${TOKEN}` }, { engaged: true, reason: 'manual stop' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as KillSwitchAccepted;
    expect(body).toMatchObject({ accepted: true, kind: 'kill-switch-on' });
    await eventually(() => expect(commands).toHaveLength(1));
    expect(commands[0]).toEqual({
      eventId: body.commandId, commandId: body.commandId, tsEvent: clock.now(), tsInit: clock.now(), source: 'gateway', kind: 'kill-switch-on', reason: 'manual stop', actor: 'gateway admin',
    });
    const off = await post({ authorization: `bearer  ${TOKEN}` }, { engaged: false });
    expect(off.status).toBe(202);
    await eventually(() => expect(commands.map((c) => [c.kind, c.reason])).toEqual([['kill-switch-on', 'manual stop'], ['kill-switch-off', 'from the dashboard']]));

    const records = logs.records();
    expect(records.filter((r) => r['msg'] === 'admin command refused')).toHaveLength(6);
    expect(JSON.stringify(records)).not.toContain(TOKEN);
  });

  it('answers 503 when no admin token is configured', async () => {
    const other = await bootstrapService(gatewayService, { env: { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1' }, logSink: memorySink() });
    try {
      const res = await fetch(`${other.url}/api/kill-switch`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer anything-at-all-123' }, body: '{"engaged":true}' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toBe('admin commands are disabled: set GATEWAY_ADMIN_TOKEN');
    } finally {
      await other.stop();
    }
  });
});

describe('bearerMatches', () => {
  it.each([
    [`Bearer ${TOKEN}`, true],
    [`bearer ${TOKEN}`, true],
    [`Bearer ${TOKEN} `, true],
    [`Bearer ${TOKEN.slice(0, -1)}`, false],
    [`Bearer ${TOKEN}0`, false],
    [`Token ${TOKEN}`, false],
    [TOKEN, false],
    ['', false],
    [undefined, false],
  ])('%j -> %s', (header, ok) => {
    expect(bearerMatches(TOKEN, header)).toBe(ok);
  });
  it('never matches an empty expected token', () => {
    expect(bearerMatches('', 'Bearer ')).toBe(false);
  });
});

describe('DashboardState', () => {
  it('thins the equity curve by halves past the limit, keeping the first and the latest point', () => {
    const s = new DashboardState({ keep: 5, equityPoints: 10 });
    for (let i = 0; i < 100; i++) s.onPnl(pnl(i, String(10_000 + i)));
    const eq = s.snapshot().equity;
    expect(eq.length).toBeLessThanOrEqual(10);
    expect(eq[0]).toEqual({ t: T0, equity: '10000' });
    expect(eq[eq.length - 1]).toEqual({ t: T0 + 99 * H, equity: '10099' });
    expect(eq.map((p) => p.t)).toEqual([...eq.map((p) => p.t)].sort((a, b) => a - b));
  });
  it('keeps strategy intents as signals, not no-op decisions', () => {
    const s = new DashboardState({ keep: 5, equityPoints: 10 });
    const decision = (i: number, kind: 'intent' | 'noop'): DecisionEvent => ({
      eventId: `d${i}`, tsEvent: T0 + i * H, tsInit: 1, source: 'strategy', exchange: 'binance', symbol: 'BTC/USDT', runId: 'paper', decisionId: `d${i}`, strategyId: 'ma', strategyVersion: '1',
      timeframe: '1h', decisionTime: T0 + i * H, kind, ...(kind === 'intent' ? { intent: { target: 'long' as const, entry: 'market' as const, reason: 'fast MA crossed above slow' } } : {}), inputs: {}, causeIds: [],
    });
    expect(s.onDecision(decision(1, 'noop'))).toEqual([]);
    expect(s.onDecision(decision(2, 'intent')).map((m) => m.type)).toEqual(['signal']);
    expect(s.snapshot().signals.map((d) => d.decisionId)).toEqual(['d2']);
    expect(s.snapshot().counts.signals).toBe(1);
    expect(s.snapshot().dataTime).toBe(T0 + 2 * H);
  });
  it('ignores an older account snapshot and bar-matched markers; a KILL_SWITCH rejection means engaged', () => {
    const s = new DashboardState({ keep: 5, equityPoints: 10 });
    s.onPnl(pnl(5, '10005'));
    expect(s.onPnl(pnl(4, '10004'))).toEqual([]);
    expect(s.snapshot().pnl?.equity).toBe('10005');
    expect(s.onOrderEvent({ eventId: 'b', tsEvent: T0 + 6 * H, tsInit: 1, source: 'execution', exchange: 'binance', symbol: 'BTC/USDT', kind: 'bar-matched', runId: 'paper', timeframe: '1h', barTime: T0 + 6 * H, fills: 0 })).toEqual([]);
    expect(s.snapshot().dataTime).toBe(T0 + 6 * H);
    const out = s.onRejection(rejection(7, 'KILL_SWITCH'));
    expect(out.map((m) => m.type)).toEqual(['rejection', 'kill-switch']);
    expect(s.snapshot().killSwitch.engaged).toBe(true);
  });
});
