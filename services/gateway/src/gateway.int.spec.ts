// The gateway as its own process over the real Kafka broker `npm test` starts (KAFKA_BROKERS; this
// FAILS when it is unset): its consumer group streams what the pipeline publishes to a /ws client,
// and the kill switch, refused without the token, reaches risk.commands.v1 with it.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import WebSocket from 'ws';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus } from '@atp/bus';
import { TOPICS, type FillEvent, type PnlEvent, type RiskCommandEvent } from '@atp/contracts';
import { eventually } from '@atp/testing';

const HINT = 'run through `npm test`, which starts Kafka (or start it with infra/up.sh and export the KAFKA_BROKERS it prints)';
const ROOT = path.resolve(__dirname, '../../..');
const TOKEN = 'int-admin-token-9876543210';
const T = Date.UTC(2021, 0, 1, 1);

describe('gateway as a standalone process on Kafka', () => {
  const brokers = process.env.KAFKA_BROKERS?.trim();
  const runId = `gw-it-${process.pid}-${Date.now().toString(36)}`;
  let child: ChildProcess | undefined;
  let bus: KafkaBus | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await bus?.close();
    if (!brokers) return;
    const admin = new Kafka({ clientId: `${runId}-cleanup`, brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(`run.${runId}.`));
      if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  });

  it('streams fills and P&L from its own group to /ws and publishes the kill switch only with the token', async () => {
    if (!brokers) throw new Error(`KAFKA_BROKERS is not set: ${HINT}`);
    bus = await KafkaBus.connect({ brokers: brokers.split(','), clientId: `${runId}-test`, logLevel: 'error' });
    const fill: FillEvent = { eventId: 'f1', tsEvent: T, tsInit: 1, source: 'execution', exchange: 'binance', symbol: 'BTC/USDT', runId: 'paper', fillId: 'o1-1', clientOrderId: 'o1', strategyId: 'ma', side: 'buy', price: '29000', quantity: '0.01', fee: '0.29', feeCurrency: 'USDT', liquidity: 'taker', role: 'entry' };
    const pnl: PnlEvent = { eventId: 'p1', tsEvent: T, tsInit: 1, source: 'pnl', runId: 'paper', account: 'paper', strategyId: '*', cash: '9709.71', realized: '0', unrealized: '0', fees: '0.29', equity: '9999.71', positions: [] };
    // Published before the gateway starts: a new group reads from the earliest offset.
    await bus.publish(TOPICS.fills, fill, { runId });

    let out = '';
    child = spawn(process.execPath, ['-r', './tools/register.cjs', 'services/gateway/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', BUS: 'kafka', STORE: 'memory', KAFKA_BROKERS: brokers, RUN_ID: runId, SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', GATEWAY_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await eventually(
      () => {
        const m = /"msg":"ready","url":"(http:\/\/[^"]+)"/.exec(out);
        if (!m) throw new Error(`gateway not ready yet\n${out}`);
        return m[1]!;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );

    const messages: { type: string; [k: string]: unknown }[] = [];
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`);
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as { type: string }));
    await bus.publish(TOPICS.pnl, pnl, { runId });
    // The fill arrives in the snapshot or the stream, depending on when the group caught up.
    await eventually(
      () => {
        const snap = messages.find((m) => m.type === 'snapshot') as { fills: FillEvent[] } | undefined;
        const fills = [...(snap?.fills ?? []), ...messages.filter((m) => m.type === 'fill').map((m) => m['fill'] as FillEvent)];
        expect(fills.map((f) => f.fillId)).toEqual(['o1-1']);
        expect(messages.find((m) => m.type === 'pnl' || (m.type === 'snapshot' && m['pnl']))).toBeDefined();
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    ws.close();

    const commands: RiskCommandEvent[] = [];
    await bus.subscribe({ contract: TOPICS.riskCommands, group: `${runId}-risk`, runId }, (m) => void commands.push(m.value));
    const post = (authorization?: string) =>
      fetch(`${url}/api/kill-switch`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify({ engaged: true, reason: 'int test' }) });
    expect((await post()).status).toBe(401);
    expect((await post('Bearer not-the-token-000000')).status).toBe(401);
    const ok = await post(`Bearer ${TOKEN}`);
    expect(ok.status).toBe(202);
    const { commandId } = (await ok.json()) as { commandId: string };
    await eventually(() => expect(commands.map((c) => [c.commandId, c.kind, c.reason, c.actor])).toEqual([[commandId, 'kill-switch-on', 'int test', 'gateway admin']]), { timeoutMs: 30_000, intervalMs: 100 });

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (child!.exitCode !== null ? r(child!.exitCode) : child!.once('exit', (c) => r(c))));
    expect(code).toBe(0);
    expect(out).not.toContain(TOKEN);
  }, 120_000);
});
