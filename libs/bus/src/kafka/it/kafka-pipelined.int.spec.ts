// SubscribeOptions.pipelined on the Kafka bus (real broker from `npm test`, KAFKA_BROKERS): the
// handlers of one partition's batch run concurrently, started in offset order; offsets are
// committed only after their own and all earlier handlers resolved; a failed record is retried and
// the records after it are delivered again.
import { mdCandlesV1, topicName, type CandleEvent } from '@atp/contracts';
import { eventually, testCandle } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

describe('Kafka bus: pipelined delivery', () => {
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const runs = { gate: `pipelined-gate-${stamp}`, retry: `pipelined-retry-${stamp}` };
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-pipelined-it', logger: () => undefined });
    await Promise.all(Object.values(runs).map((r) => bus.ensureTopics([mdCandlesV1], r)));
  });
  afterAll(async () => {
    await bus.close();
    await dropTopics(
      brokers,
      Object.values(runs).map((r) => topicName(mdCandlesV1, r)),
    );
  });

  it('starts the handlers of a batch in offset order without awaiting each; commits only what resolved', async () => {
    const runId = runs.gate;
    const topic = topicName(mdCandlesV1, runId);
    const candles = Array.from({ length: 20 }, (_, i) => testCandle('BTC/USDT', i, 'gate')); // one key: one partition
    await bus.publishBatch(mdCandlesV1, candles, { runId });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const started: number[] = [];
    let done = 0;
    const group = 'pipelined-gate';
    const sub = await bus.subscribe({ contract: mdCandlesV1, group, runId, pipelined: true }, async (m) => {
      started.push(m.value.openTime);
      await gate;
      done++;
    });
    try {
      // all handlers of the backlog started while none has finished: they were not awaited one by one
      await eventually(() => expect(started).toHaveLength(20), { timeoutMs: 30_000 });
      expect(done).toBe(0);
      expect(started).toEqual(candles.map((c) => c.openTime)); // invoked in offset order
      expect(await bus.lag(group, [topic])).toBe(20); // nothing acknowledged while they run
      open();
      await eventually(async () => expect(await bus.lag(group, [topic])).toBe(0), { timeoutMs: 30_000 });
      expect(done).toBe(20);
    } finally {
      open();
      await sub.close();
    }
  }, 90_000);

  it('a failed record is retried; nothing after it is acknowledged before it, and those come again', async () => {
    const runId = runs.retry;
    const topic = topicName(mdCandlesV1, runId);
    const candles = Array.from({ length: 12 }, (_, i) => testCandle('ETH/USDT', i, 'retry'));
    await bus.publishBatch(mdCandlesV1, candles, { runId });
    const deliveries: { seq: number; attempt: number }[] = [];
    const group = 'pipelined-retry';
    const failAt = candles[4]!.openTime;
    const sub = await bus.subscribe({ contract: mdCandlesV1, group, runId, pipelined: true, retryBackoffMs: 50 }, async (m) => {
      const v: CandleEvent = m.value;
      deliveries.push({ seq: candles.findIndex((c) => c.openTime === v.openTime), attempt: m.attempt });
      await new Promise((r) => setTimeout(r, 5));
      if (v.openTime === failAt && m.attempt === 1) throw new Error('transient');
    });
    try {
      await eventually(async () => expect(await bus.lag(group, [topic])).toBe(0), { timeoutMs: 30_000 });
      const seqs = deliveries.map((d) => d.seq);
      // the first pass reached past the failing record (pipelined), then the retry of #4 with attempt 2
      // and the records after it again
      expect(seqs.slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      const retry = deliveries.findIndex((d) => d.seq === 4 && d.attempt === 2);
      expect(retry).toBe(12);
      expect(deliveries.slice(retry).map((d) => d.seq)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
      expect(new Set(seqs).size).toBe(12);
    } finally {
      await sub.close();
    }
  }, 90_000);
});
