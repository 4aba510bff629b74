import WebSocket from 'ws';
import { ManualClock } from '@atp/core';
import { memorySink } from '@atp/observability';
import { bootstrapService, type RunningHost } from '@atp/nest-kit';
import { gatewayService, type HelloMessage, type StatusResponse } from './index';

describe('gateway', () => {
  let host: RunningHost;
  const clock = new ManualClock(Date.UTC(2024, 0, 1, 12));
  beforeAll(async () => {
    host = await bootstrapService(gatewayService, {
      env: { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', RUN_ID: 'spec-run', CORS_ORIGINS: 'http://localhost:5173' },
      logSink: memorySink(),
      clock,
    });
  });
  afterAll(() => host.stop());

  it('GET /api/status lists services, versions and the trading mode', async () => {
    const res = await fetch(`${host.url}/api/status`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as StatusResponse;
    expect(body).toEqual({
      platform: 'atp', mode: 'paper', deployment: 'standalone', runId: 'spec-run', bus: 'in-process', store: 'memory',
      serverTime: '2024-01-01T12:00:00.000Z', ready: true, services: [{ name: 'gateway', version: '0.1.0', ready: true }],
    });
  });

  it('allows the configured browser origin (CORS)', async () => {
    const res = await fetch(`${host.url}/api/status`, { headers: { Origin: 'http://localhost:5173' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('greets a WebSocket client on /ws with the server time and mode, then sends the (empty) dashboard snapshot', async () => {
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/ws`);
    const [hello, snapshot] = await new Promise<[HelloMessage, unknown]>((resolve, reject) => {
      const got: unknown[] = [];
      ws.on('message', (data) => {
        got.push(JSON.parse(String(data)));
        if (got.length === 2) resolve(got as [HelloMessage, unknown]);
      });
      ws.once('error', reject);
    });
    ws.close();
    expect(hello).toEqual({ type: 'hello', serverTime: '2024-01-01T12:00:00.000Z', mode: 'paper', deployment: 'standalone', services: ['gateway'] });
    expect(snapshot).toEqual({
      type: 'snapshot', pnl: null, strategies: [], equity: [], signals: [], fills: [], orders: [], rejections: [], alerts: [],
      killSwitch: { engaged: false, since: null, reason: null }, dataTime: null, counts: { signals: 0, fills: 0, orders: 0, rejections: 0, alerts: 0, pnl: 0 },
    });
  });

  it('closes open WebSocket connections on shutdown', async () => {
    const other = await bootstrapService(gatewayService, { env: { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1' }, logSink: memorySink() });
    const ws = new WebSocket(`${other.url.replace('http', 'ws')}/ws`);
    await new Promise((r) => ws.once('message', r));
    const closed = new Promise((r) => ws.once('close', r));
    await other.stop();
    await closed;
  });
});
