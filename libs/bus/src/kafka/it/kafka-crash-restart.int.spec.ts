// A kafkajs consumer that crashes with an error kafkajs deems non-retriable is disconnected for
// good (restart: false); the Kafka bus replaces it, so the subscription keeps consuming. Seen in
// the pipeline: "Cannot read properties of undefined (reading '0')" inside kafkajs during start-up
// rebalances of a group with members on several topics. Here the crash is injected the same way a
// TypeError reaches kafkajs's runner: a GROUP_JOIN listener that throws on the next rebalance.
// Real broker from `npm test` (KAFKA_BROKERS).
import type { Consumer } from 'kafkajs';
import { mdCandlesV1, topicName, type CandleEvent } from '@atp/contracts';
import type { BusLogEntry } from '../../logging';
import { eventually, testCandle, TEST_SYMBOLS } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

describe('Kafka bus: a consumer kafkajs gave up on is replaced', () => {
  const runId = `crash-${process.pid}-${Date.now().toString(36)}`;
  const logs: BusLogEntry[] = [];
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-crash-it', logger: (r) => void logs.push(r), logLevel: 'warn' });
    await bus.ensureTopics([mdCandlesV1], runId);
  });
  afterAll(async () => {
    await bus.close();
    await dropTopics(brokers, [topicName(mdCandlesV1, runId)]);
  });

  it('keeps delivering after a non-retriable crash in kafkajs (every record at least once, per-key order)', async () => {
    const seen: CandleEvent[] = [];
    const group = 'crash-group';
    const a = await bus.subscribe({ contract: mdCandlesV1, group, runId }, (m) => void seen.push(m.value));
    const first = TEST_SYMBOLS.flatMap((s) => [0, 1, 2].map((i) => testCandle(s, i, 'before')));
    await bus.publishBatch(mdCandlesV1, first, { runId });
    await eventually(() => expect(seen).toHaveLength(first.length), { timeoutMs: 30_000 });

    // The next join of member a throws inside kafkajs's runner (a TypeError: non-retriable).
    const consumer = (a as unknown as { consumer: Consumer }).consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      throw new TypeError("Cannot read properties of undefined (reading '0')");
    });
    // A second member makes the group rebalance, so a joins again.
    const b = await bus.subscribe({ contract: mdCandlesV1, group, runId }, (m) => void seen.push(m.value));
    await eventually(() => expect(logs.some((r) => r.message === 'consumer crashed' && r.restart === false)).toBe(true), { timeoutMs: 30_000 });
    await eventually(() => expect(logs.some((r) => r.message === 'restarting a crashed consumer')).toBe(true), { timeoutMs: 30_000 });

    const after = TEST_SYMBOLS.flatMap((s) => [3, 4, 5].map((i) => testCandle(s, i, 'after')));
    await bus.publishBatch(mdCandlesV1, after, { runId });
    const want = [...first, ...after].map((c) => c.eventId).sort();
    await eventually(() => expect([...new Set(seen.map((c) => c.eventId))].sort()).toEqual(want), { timeoutMs: 60_000 });
    // per key, the records after the crash arrive in order (a replacement starts at the committed offset)
    for (const s of TEST_SYMBOLS) {
      const afterSeqs = [...new Set(seen.filter((c) => c.symbol === s && c.eventId.startsWith('after:')).map((c) => c.openTime))]; // first deliveries
      expect(afterSeqs).toEqual([...afterSeqs].sort((x, y) => x - y));
    }
    await Promise.all([a.close(), b.close()]);
  }, 120_000);
});
