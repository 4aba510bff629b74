// `replay` on the real Kafka broker `npm test` starts (FAILS when KAFKA_BROKERS is unset): recorded
// candles free-running and in lockstep (with stand-ins for the pipeline's consumer groups), then a
// --topic-range copy of the first run's topic into another run.
// Data: recorded BTC/USDT 1h candles (shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0).
import { Kafka, logLevel } from 'kafkajs';
import { createBus, type Bus } from '@atp/bus';
import { TOPICS, topicName, type CandleEvent, groupName } from '@atp/contracts';
import { eventually } from '@atp/testing';
import { runCli } from '../program';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env: {} }, out: () => out, err: () => err };
}

describe('atp replay over Kafka', () => {
  const raw = process.env.KAFKA_BROKERS?.trim();
  if (!raw) throw new Error('KAFKA_BROKERS is not set: run through `npm test`, which starts Kafka (or start it with infra/up.sh and export what it prints)');
  const brokers = raw.split(',').map((b) => b.trim());
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const runs = { free: `cli-free-${stamp}`, lock: `cli-lock-${stamp}`, copy: `cli-copy-${stamp}` };
  let bus: Bus;
  beforeAll(async () => {
    bus = await createBus({ kind: 'kafka', brokers, clientId: `cli-replay-int-${stamp}`, logger: () => undefined, logLevel: 'error' });
  });
  afterAll(async () => {
    await bus.close();
    const admin = new Kafka({ clientId: 'cli-replay-int-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const all = await admin.listTopics();
    const names = all.filter((t) => Object.values(runs).some((r) => t.startsWith(`run.${r}.`)));
    await admin.deleteTopics({ topics: names }).catch(() => undefined);
    await admin.disconnect();
  });

  async function read(runId: string, n: number): Promise<CandleEvent[]> {
    const got: CandleEvent[] = [];
    const sub = await bus.subscribe({ contract: TOPICS.mdCandles, group: `reader-${runId}`, runId }, (m) => void got.push(m.value));
    try {
      await eventually(() => expect(got).toHaveLength(n), { timeoutMs: 30_000 });
    } finally {
      await sub.close();
    }
    return got;
  }

  it('free-running (through 2 producer threads), then a --topic-range copy of that run into another one', async () => {
    const c = capture();
    expect(await runCli(['replay', '--run-id', runs.free, '--symbols', 'BTC/USDT', '--from', '2021-01-01', '--to', '2021-01-02', '--as-fast-as-possible', '--brokers', brokers.join(','), '--producer-threads', '2', '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ mode: 'free', bus: 'kafka', eventTimes: 24, candles: 24 });
    const published = await read(runs.free, 24);
    expect(published.map((e) => e.openTime)).toEqual(Array.from({ length: 24 }, (_, i) => Date.UTC(2021, 0, 1, i)));

    const d = capture();
    expect(await runCli(['replay', '--run-id', runs.copy, '--topic-range', 'md.candles.v1', '--source-run-id', runs.free, '--brokers', brokers.join(','), '--json'], d.io)).toBe(0);
    expect(JSON.parse(d.out())).toMatchObject({ source: topicName(TOPICS.mdCandles, runs.free), target: topicName(TOPICS.mdCandles, runs.copy), records: 24 });
    expect(await read(runs.copy, 24)).toEqual(published);
  }, 120_000);

  it('lockstep: each event time only after the pipeline groups drained the previous one', async () => {
    const seen: Record<string, number[]> = {};
    const subs = await Promise.all(['strategy', 'risk', 'execution', 'pnl'].map((group) =>
      bus.subscribe({ contract: TOPICS.mdCandles, group: groupName(group, runs.lock), runId: runs.lock }, (m) => void (seen[group] ??= []).push(m.value.tsEvent)),
    ));
    try {
      const c = capture();
      const code = await runCli(['replay', '--run-id', runs.lock, '--symbols', 'BTC/USDT', '--from', '2021-01-01', '--to', '2021-01-01T12:00Z', '--lockstep', '--brokers', brokers.join(','), '--json'], c.io);
      expect(c.err()).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(c.out())).toMatchObject({ mode: 'lockstep', eventTimes: 12, candles: 12 });
      for (const g of ['strategy', 'risk', 'execution', 'pnl']) expect(seen[g]).toEqual(Array.from({ length: 12 }, (_, i) => Date.UTC(2021, 0, 1, i + 1)));
    } finally {
      await Promise.all(subs.map((s) => s.close()));
    }
  }, 120_000);
});
