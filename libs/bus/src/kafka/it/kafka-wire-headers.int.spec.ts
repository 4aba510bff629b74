// The Kafka records the bus writes carry only the headers a consumer cannot derive (schema
// version, event time, trace context); a subscriber is handed the full contract headers, for new
// compact records and for records written with every header (older records, replays) alike.
// Real broker from `npm test` (KAFKA_BROKERS); the single producer, in a worker thread, and the 2-thread pool.
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { encode, mdCandlesV1, topicName, type MessageHeaders } from '@atp/contracts';
import type { BusMessage } from '../../bus';
import { eventually, testCandle } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe.each([
  ['one producer', 1, false],
  ['the producer in a worker thread', 1, true],
  ['2 producer threads', 2, false],
] as const)('Kafka bus wire headers (%s)', (_, producerThreads, producerWorker) => {
  const runId = `wire-headers-${producerThreads}${producerWorker ? 'w' : ''}-${process.pid}-${Date.now().toString(36)}`;
  const topic = topicName(mdCandlesV1, runId);
  const kafka = new Kafka({ clientId: 'bus-wire-headers-it', brokers, logLevel: logLevel.NOTHING });
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-wire-headers-it', producerThreads, producerWorker, logger: () => undefined });
    await bus.ensureTopics([mdCandlesV1], runId);
  });
  afterAll(async () => {
    await bus.close();
    await dropTopics(brokers, [topic]);
  });

  it('writes schema version, event time and the trace context only; hands subscribers every contract header', async () => {
    const a = testCandle('BTC/USDT', 1, 'wire');
    const b = testCandle('ETH/USDT', 2, 'wire');
    await bus.publish(mdCandlesV1, a, { runId });
    await bus.publishBatch(mdCandlesV1, [b], { runId, traceparent: TRACEPARENT });
    // an older record, written with every header (as the bus did before), and one with its own event id
    const c = testCandle('XRP/USDT', 3, 'wire');
    const old = { 'schema-version': '1', 'event-time': String(c.tsEvent), 'event-id': c.eventId, 'content-type': 'application/json', 'run-id': runId };
    const d = testCandle('ADA/USDT', 4, 'wire');
    await bus.publishRaw(topic, [{ key: mdCandlesV1.key(c), value: encode(mdCandlesV1, c), headers: old }]);
    await bus.publish(mdCandlesV1, d, { runId, headers: { 'event-id': 'given' } });

    // on the wire, read with plain kafkajs
    const wire = new Map<string, IHeaders>();
    const consumer = kafka.consumer({ groupId: `wire-raw-${runId}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void wire.set(JSON.parse(message.value!.toString()).eventId, message.headers ?? {}) });
    try {
      await eventually(() => expect(wire.size).toBe(4), { timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
    const str = (h: IHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)]));
    expect(str(wire.get(a.eventId)!)).toEqual({ 'schema-version': '1', 'event-time': String(a.tsEvent) });
    expect(str(wire.get(b.eventId)!)).toEqual({ 'schema-version': '1', 'event-time': String(b.tsEvent), traceparent: TRACEPARENT });
    expect(str(wire.get(c.eventId)!)).toEqual(old);
    expect(str(wire.get(d.eventId)!)).toEqual({ 'schema-version': '1', 'event-time': String(d.tsEvent), 'event-id': 'given' });

    // through the bus: the contract headers, as the in-process bus hands them
    const got = new Map<string, MessageHeaders>();
    const sub = await bus.subscribe({ contract: mdCandlesV1, group: 'wire-bus', runId }, (m: BusMessage<{ eventId: string }>) => void got.set(m.value.eventId, m.headers));
    try {
      await eventually(() => expect(got.size).toBe(4), { timeoutMs: 30_000 });
    } finally {
      await sub.close();
    }
    const contract = (x: typeof a) => ({ 'schema-version': '1', 'event-time': String(x.tsEvent), 'event-id': x.eventId, 'content-type': 'application/json', 'run-id': runId });
    expect(got.get(a.eventId)).toEqual(contract(a));
    expect(got.get(b.eventId)).toEqual({ ...contract(b), traceparent: TRACEPARENT });
    expect(got.get(c.eventId)).toEqual(old);
    expect(got.get(d.eventId)).toEqual({ ...contract(d), 'event-id': 'given' });
  }, 90_000);
});
