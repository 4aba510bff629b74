// The broker that `npm test` starts (Apache Kafka, KRaft, single node) through kafkajs:
// topics, keyed produce with headers, consumer groups that commit and resume.
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { kafkaBrokers, uniqueName } from './infra-env';

describe('Kafka broker (KRaft) through kafkajs', () => {
  const kafka = new Kafka({ clientId: 'infra-spec', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await producer.disconnect();
    await admin.disconnect();
  });

  async function consume(topic: string, groupId: string, count: number): Promise<EachMessagePayload[]> {
    const c = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
    consumers.push(c);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    const got: EachMessagePayload[] = [];
    await new Promise<void>((resolve) => {
      void c.run({
        autoCommit: false,
        eachMessage: async (p) => {
          // commit after the side effect (here: recording the message), as the services do
          await c.commitOffsets([{ topic: p.topic, partition: p.partition, offset: (BigInt(p.message.offset) + 1n).toString() }]);
          got.push(p);
          if (got.length === count) resolve();
        },
      });
    });
    await c.disconnect();
    return got;
  }

  it('describes a single-node cluster', async () => {
    const c = await admin.describeCluster();
    expect(c.brokers).toHaveLength(1);
    expect(c.controller).toBe(c.brokers[0].nodeId);
  });

  it('creates topics, keeps per-key order, carries headers, and resumes a group from its committed offset', async () => {
    const topic = uniqueName('infra.test');
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    expect(await admin.listTopics()).toContain(topic);

    const keys = ['binance:BTC/USDT', 'binance:ETH/USDT', 'okx:SOL/USDT'];
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: keys[i % 3],
      value: JSON.stringify({ seq: i }),
      headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, 'schema-version': '1' },
    }));
    await producer.send({ topic, messages });

    const groupId = uniqueName('g');
    const first = await consume(topic, groupId, 30);
    for (const key of keys) {
      const seqs = first.filter((m) => m.message.key?.toString() === key).map((m) => JSON.parse(m.message.value!.toString()).seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(10);
    }
    expect(first[0].message.headers?.['schema-version']?.toString()).toBe('1');
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0].partitions.reduce((s, p) => s + Math.max(0, Number(p.offset)), 0)).toBe(30);

    await producer.send({ topic, messages: [{ key: keys[0], value: JSON.stringify({ seq: 30 }) }] });
    const second = await consume(topic, groupId, 1);
    expect(JSON.parse(second[0].message.value!.toString())).toEqual({ seq: 30 });
    await admin.deleteTopics({ topics: [topic] });
  });
});
