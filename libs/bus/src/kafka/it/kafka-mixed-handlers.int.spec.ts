// A handler that returns synchronously for some records and a promise for others (rejecting once,
// throwing once): the Kafka bus runs synchronous results without awaiting them, and still delivers
// one key in order, redelivers a failed record before the ones after it, and commits everything
// (lag 0) — the delivery guarantees do not depend on which kind of result a handler gives.
import { mdCandlesV1, topicName } from '@atp/contracts';
import { eventually, seqOf, testCandle } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

describe('Kafka bus: synchronous and asynchronous handler results mixed', () => {
  const runId = `mixed-${process.pid}-${Date.now().toString(36)}`;
  const topic = topicName(mdCandlesV1, runId);
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-mixed-it', logger: () => undefined });
    await bus.ensureTopics([mdCandlesV1], runId);
  });
  afterAll(async () => {
    await bus.close();
    await dropTopics(brokers, [topic]);
  });

  it('keeps order, retries and commits across sync and async results', async () => {
    const n = 300;
    await bus.publishBatch(mdCandlesV1, Array.from({ length: n }, (_, i) => testCandle('BTC/USDT', i, 'mixed')), { runId }); // one key: one partition
    const seen: { seq: number; attempt: number }[] = [];
    const group = 'mixed';
    const sub = await bus.subscribe({ contract: mdCandlesV1, group, runId, retryBackoffMs: 20, maxAttempts: 5 }, (m) => {
      const seq = seqOf(m.value);
      seen.push({ seq, attempt: m.attempt });
      if (seq === 100 && m.attempt === 1) return Promise.reject(new Error('async transient'));
      if (seq === 200 && m.attempt === 1) throw new Error('sync transient');
      if (seq % 7 === 0) return new Promise<void>((r) => setTimeout(r, 1));
      return undefined;
    });
    try {
      await eventually(async () => expect(await bus.lag(group, [topic])).toBe(0), { timeoutMs: 60_000 });
    } finally {
      await sub.close();
    }
    // every record once, in order, except 100 and 200 which come twice (attempt 1 then 2) before anything after them
    const expected = Array.from({ length: n }, (_, i) => (i === 100 || i === 200 ? [{ seq: i, attempt: 1 }, { seq: i, attempt: 2 }] : [{ seq: i, attempt: 1 }])).flat();
    expect(seen).toEqual(expected);
  }, 90_000);
});
