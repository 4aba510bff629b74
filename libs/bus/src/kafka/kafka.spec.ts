// Kafka bus parts that need no broker: configuration, logging, the produce queue, the assigner,
// and the fail-fast start-up against an address where nothing listens.
import { AssignerProtocol, logLevel, Partitioners, type Cluster, type Offsets, type Producer, type ProducerBatch } from 'kafkajs';
import { partitionForKey } from '../partitioner';
import { memoisedDefaultPartitioner } from './partitioner';
import { createBus } from '../create-bus';
import type { BusLogEntry } from '../logging';
import { subscriptionRoundRobin } from './assigner';
import { KafkaConfigError, kafkaConfigFromEnv, resolveKafkaConfig } from './config';
import { KafkaBus, KafkaUnavailableError } from './kafka-bus';
import { busLogger, kafkaLogCreator } from './kafka-logging';
import { GroupCommits } from './offset-committer';
import { ProduceQueue } from './produce-queue';
import { packMessages } from './producer-pool';

describe('Kafka bus configuration', () => {
  const ok = { brokers: ['127.0.0.1:19092'], clientId: 'svc' };

  it('fills defaults and freezes the result', () => {
    const c = resolveKafkaConfig(ok);
    expect(c).toMatchObject({ brokers: ['127.0.0.1:19092'], replicationFactor: 1, logLevel: 'warn', connectDeadlineMs: 5000 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ ...ok, brokers: [] }, /^KAFKA_BROKERS: no broker/],
    [{ ...ok, brokers: ['localhost'] }, /^KAFKA_BROKERS: "localhost" is not host:port/],
    [{ ...ok, brokers: ['kafka:70000'] }, /^KAFKA_BROKERS: "kafka:70000"/],
    [{ ...ok, clientId: 'has space' }, /^KAFKA_CLIENT_ID/],
    [{ ...ok, connectionTimeoutMs: 0 }, /^KAFKA_CONNECTION_TIMEOUT_MS/],
    [{ ...ok, replicationFactor: 1.5 }, /^KAFKA_REPLICATION_FACTOR/],
    [{ ...ok, producerThreads: 0 }, /^KAFKA_PRODUCER_THREADS: 0 must be an integer from 1 to 16/],
    [{ ...ok, producerThreads: 17 }, /^KAFKA_PRODUCER_THREADS/],
  ])('rejects %j naming the setting', (cfg, msg) => {
    expect(() => resolveKafkaConfig(cfg)).toThrow(KafkaConfigError);
    expect(() => resolveKafkaConfig(cfg)).toThrow(msg);
  });

  it('reads the environment, naming the variable when it is missing or malformed', () => {
    expect(() => kafkaConfigFromEnv({}, 'svc')).toThrow(/^KAFKA_BROKERS: is not set/);
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: ' a:1, b:2 ', KAFKA_CLIENT_ID: 'risk' }, 'svc')).toMatchObject({ brokers: ['a:1', 'b:2'], clientId: 'risk' });
    expect(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1' }, 'svc').clientId).toBe('svc');
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_REPLICATION_FACTOR: 'three' }, 'svc')).toThrow(/^KAFKA_REPLICATION_FACTOR/);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_PRODUCER_THREADS: '2' }, 'svc')).producerThreads).toBe(2);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1' }, 'svc')).producerThreads).toBe(1);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1' }, 'svc')).producerWorker).toBe(false);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_PRODUCER_WORKER: 'TRUE ' }, 'svc')).producerWorker).toBe(true);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_PRODUCER_WORKER: 'false' }, 'svc')).producerWorker).toBe(false);
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_PRODUCER_WORKER: 'yes' }, 'svc')).toThrow(/^KAFKA_PRODUCER_WORKER: "yes" is not true or false/);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1' }, 'svc')).commitIntervalMs).toBe(0);
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_COMMIT_INTERVAL_MS: '100' }, 'svc')).commitIntervalMs).toBe(100);
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_COMMIT_INTERVAL_MS: '-1' }, 'svc')).toThrow(/^KAFKA_COMMIT_INTERVAL_MS/);
    // Fetch batching (a reporting service such as pnl): off by default, both read from the environment.
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1' }, 'svc'))).toMatchObject({ fetchMinBytes: 1, maxWaitTimeMs: 250 });
    expect(resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_FETCH_MIN_BYTES: '1048576', KAFKA_MAX_WAIT_TIME_MS: '100' }, 'svc'))).toMatchObject({ fetchMinBytes: 1048576, maxWaitTimeMs: 100 });
    expect(() => kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_FETCH_MIN_BYTES: '1MB' }, 'svc')).toThrow(/^KAFKA_FETCH_MIN_BYTES: "1MB" is not a whole number/);
    expect(() => resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_FETCH_MIN_BYTES: '0' }, 'svc'))).toThrow(/^KAFKA_FETCH_MIN_BYTES/);
    expect(() => resolveKafkaConfig(kafkaConfigFromEnv({ KAFKA_BROKERS: 'a:1', KAFKA_MAX_WAIT_TIME_MS: '0' }, 'svc'))).toThrow(/^KAFKA_MAX_WAIT_TIME_MS/);
  });

  it('createBus rejects a bad setting before connecting', async () => {
    await expect(createBus({ kind: 'kafka', brokers: [], clientId: 'x' })).rejects.toThrow(/^KAFKA_BROKERS/);
    await expect(createBus({ kind: 'in-process' })).resolves.toBeDefined();
  });

  it('fails fast when no broker listens, naming KAFKA_BROKERS, the address and the cause', async () => {
    const t0 = Date.now();
    const err = await KafkaBus.connect({ brokers: ['127.0.0.1:1'], clientId: 'x', logger: () => undefined }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(KafkaUnavailableError);
    expect((err as Error).message).toMatch(/^KAFKA_BROKERS=127\.0\.0\.1:1: cannot reach a Kafka broker at 127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('kafkajs logging', () => {
  it('routes kafkajs records to the logger as structured records, quiet below warn', () => {
    const got: BusLogEntry[] = [];
    const sink = busLogger((e) => got.push(e), 'warn');
    const log = kafkaLogCreator(sink)(logLevel.WARN);
    log({ namespace: 'Consumer', level: logLevel.ERROR, label: 'ERROR', log: { message: 'Crash', timestamp: 't', logger: 'kafkajs', groupId: 'risk', stack: 's' } });
    log({ namespace: 'Connection', level: logLevel.ERROR, label: 'ERROR', log: { message: 'Response Heartbeat(key: 12, version: 3)', timestamp: 't', logger: 'kafkajs' } });
    log({ namespace: 'Runner', level: logLevel.INFO, label: 'INFO', log: { message: 'joined', timestamp: 't', logger: 'kafkajs' } });
    expect(got).toEqual([{ level: 'error', namespace: 'kafkajs.Consumer', message: 'Crash', groupId: 'risk' }]);
    expect(JSON.parse(JSON.stringify(got[0]))).toEqual(got[0]);
  });
});

/** A producer double recording sendBatch calls; each call waits until the test releases it. */
function fakeProducer() {
  const calls: { batch: ProducerBatch; release: (e?: Error) => void }[] = [];
  const producer = {
    sendBatch: (batch: ProducerBatch) => new Promise((resolve, reject) => calls.push({ batch, release: (e) => (e ? reject(e) : resolve([])) })),
  } as unknown as Producer;
  const values = (i: number) => calls[i].batch.topicMessages!.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.value}`));
  return { producer, calls, values };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('ProduceQueue', () => {
  it('coalesces publishes of a tick, and those made while a request is in flight, keeping order', async () => {
    const { producer, calls, values } = fakeProducer();
    const q = new ProduceQueue(producer);
    const done: string[] = [];
    const p1 = q.send('t', [{ key: 'k', value: '1' }]).then(() => done.push('1'));
    const p2 = q.send('t', [{ key: 'k', value: '2' }]).then(() => done.push('2'));
    await flush();
    expect(calls).toHaveLength(1);
    expect(values(0)).toEqual(['t/1', 't/2']);
    const p3 = q.send('u', [{ key: 'k', value: '3' }]).then(() => done.push('3'));
    const p4 = q.send('t', [{ key: 'k', value: '4' }]).then(() => done.push('4'));
    await flush();
    expect(calls).toHaveLength(1); // one request in flight at a time
    calls[0].release();
    await Promise.all([p1, p2]);
    await flush();
    expect(calls).toHaveLength(2);
    expect(values(1)).toEqual(['u/3', 't/4']);
    calls[1].release();
    await Promise.all([p3, p4]);
    expect(done).toEqual(['1', '2', '3', '4']);
    await q.drain();
  });

  it('splits a large batch at the request byte cap and resolves it when every part is acknowledged', async () => {
    const { producer, calls, values } = fakeProducer();
    const q = new ProduceQueue(producer, 1_200); // 371 bytes a record: 3 per request
    const big = Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `${i}`.padStart(300, '0') }));
    let resolved = false;
    const p = q.send('t', big).then(() => (resolved = true));
    for (let i = 0; i < 4; i++) {
      await flush();
      expect(resolved).toBe(false);
      calls[i].release();
    }
    await p;
    expect(calls.map((_, i) => values(i).length)).toEqual([3, 3, 3, 1]);
    expect(calls.flatMap((_, i) => values(i))).toEqual(big.map((m) => `t/${m.value}`));
  });

  it('rejects the publishes of a failed request only', async () => {
    const { producer, calls } = fakeProducer();
    const q = new ProduceQueue(producer);
    const a = q.send('t', [{ key: 'k', value: 'a' }]);
    await flush();
    const b = q.send('t', [{ key: 'k', value: 'b' }]);
    calls[0].release(new Error('broker said no'));
    await expect(a).rejects.toThrow('broker said no');
    await flush();
    calls[1].release();
    await expect(b).resolves.toBeUndefined();
  });
});

describe('subscription-aware round-robin assigner', () => {
  const partitions: Record<string, number> = { fills: 6, candles: 6, intents: 3 };
  const cluster = {
    addMultipleTargetTopics: async () => undefined,
    findTopicPartitionMetadata: (t: string) => Array.from({ length: partitions[t] }, (_, i) => ({ partitionId: i })),
  } as unknown as Cluster;
  const member = (memberId: string, topics: string[]) => ({ memberId, memberMetadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) });

  it('gives each topic only to the members subscribed to it, every partition once', async () => {
    const a = subscriptionRoundRobin({ cluster, groupId: 'risk', logger: undefined as never });
    const result = await a.assign({ members: [member('m1', ['fills']), member('m2', ['candles', 'intents']), member('m3', ['candles'])], topics: ['fills'] });
    const decoded = Object.fromEntries(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    expect(decoded.m1).toEqual({ fills: [0, 1, 2, 3, 4, 5] });
    expect(Object.keys(decoded.m2).sort()).toEqual(['candles', 'intents']);
    expect(decoded.m2.intents).toEqual([0, 1, 2]);
    expect(Object.keys(decoded.m3)).toEqual(['candles']);
    expect([...decoded.m2.candles, ...decoded.m3.candles].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(decoded.m3.candles).toHaveLength(3);
  });
});

describe('memoised DefaultPartitioner', () => {
  it('places every key exactly where kafkajs DefaultPartitioner does, and where the in-process bus does', () => {
    const ours = memoisedDefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 6]) {
      const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
      for (let i = 0; i < 500; i++) {
        const key = `binance:${i.toString(36)}/USDT`;
        const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
        expect(ours(args)).toBe(theirs(args));
        expect(ours(args)).toBe(partitionForKey(key, n)); // second call: from the cache
      }
    }
  });
});

describe('producer pool message packing', () => {
  it('packs values back to back with keys and flat headers, and leaves out what it cannot carry', () => {
    const msgs = [
      { key: 'a', value: Buffer.from('{"x":1}'), headers: { 'schema-version': '1', 'event-time': '5' } },
      { key: null, value: null },
      { key: 'b', value: Buffer.from('héllo'), headers: {} },
    ];
    const p = packMessages(msgs)!;
    expect(Buffer.from(p.values).toString()).toBe('{"x":1}héllo');
    expect([...p.lengths]).toEqual([7, -1, 6]);
    expect(p.keys).toEqual(['a', null, 'b']);
    expect([...p.headerCounts]).toEqual([2, -1, 0]);
    expect(p.headers).toEqual(['schema-version', '1', 'event-time', '5']);
    for (const odd of [{ key: Buffer.from('k'), value: Buffer.from('v') }, { key: 'k', value: 'text' }, { key: 'k', value: Buffer.from('v'), headers: { h: Buffer.from('x') } }, { key: 'k', value: Buffer.from('v'), partition: 1 }]) {
      expect(packMessages([msgs[0]!, odd])).toBeUndefined();
    }
  });
});

describe('GroupCommits (offset commits of one group in one bus)', () => {
  const quiet = () => undefined;
  const turn = () => new Promise((r) => setImmediate(r));

  it('sends the marks of all topics made in one turn in one request, +1, with a marking member\'s function', async () => {
    const commits = new GroupCommits('g', 0, quiet);
    const a = commits.member('t.a');
    const b = commits.member('t.b');
    const sentA: Offsets[] = [];
    const sentB: Offsets[] = [];
    a.use(async (o) => void sentA.push(o));
    b.use(async (o) => void sentB.push(o));
    b.mark(0, '4');
    b.mark(1, '9');
    a.mark(2, '41');
    b.mark(0, '5'); // the latest mark of a partition counts
    await b.flush();
    expect(sentB).toEqual([]);
    expect(sentA).toEqual([{ topics: [{ topic: 't.a', partitions: [{ partition: 2, offset: '42' }] }, { topic: 't.b', partitions: [{ partition: 0, offset: '6' }, { partition: 1, offset: '10' }] }] }]);
  });

  it('one request in flight: marks made meanwhile go out together in the next; flush waits only for the marks before it', async () => {
    const commits = new GroupCommits('g', 0, quiet);
    const a = commits.member('t.a');
    const b = commits.member('t.b');
    const sent: Offsets[] = [];
    let release: (() => void) | undefined;
    a.use((o) => {
      sent.push(o);
      return new Promise<void>((r) => (release = r));
    });
    a.mark(0, '1');
    await turn();
    expect(sent).toHaveLength(1);
    b.mark(0, '7');
    a.mark(0, '2');
    let flushed = false;
    const f = a.flush().then(() => (flushed = true));
    await turn();
    expect(sent).toHaveLength(1); // the first still in flight
    release!();
    await turn();
    await turn();
    expect(sent[1]).toEqual({ topics: [{ topic: 't.a', partitions: [{ partition: 0, offset: '3' }] }, { topic: 't.b', partitions: [{ partition: 0, offset: '8' }] }] });
    expect(flushed).toBe(false); // its marks are in the second request, still in flight
    b.mark(1, '100'); // a later mark: flush does not wait for it
    release!();
    await f;
    expect(flushed).toBe(true);
  });

  it('keepOnly drops a member\'s marks of partitions it lost; a failed request is logged and dropped; a released member is never used', async () => {
    const logs: BusLogEntry[] = [];
    const commits = new GroupCommits('g', 0, (e) => logs.push(e));
    const a = commits.member('t.a');
    const b = commits.member('t.a'); // two members on one topic: disjoint partitions, one request
    const sent: Offsets[] = [];
    a.use(() => Promise.reject(new Error('rebalance in progress')));
    b.use(async (o) => void sent.push(o));
    a.mark(0, '1');
    a.mark(1, '1');
    b.mark(2, '5');
    a.keepOnly(new Set([1]));
    await a.flush();
    expect(sent).toEqual([]);
    expect(logs.map((l) => l.message)).toEqual(['offset commit failed; those records will be delivered again']);
    a.release();
    b.mark(2, '6');
    await b.flush();
    expect(sent).toEqual([{ topics: [{ topic: 't.a', partitions: [{ partition: 2, offset: '7' }] }] }]);
  });
});
