// Broker-backed integration tests across processes: the Kafka bus publishing here, a consumer in a
// separate Node process (consumer-main.ts) recording into MongoDB (FerretDB) when MONGO_URL is set.
import { mdCandlesV1, topicName, type CandleEvent, type DeadLetter } from '@atp/contracts';
import * as os from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import type { BusMessage, Subscription } from '../../bus';
import { deadLetterTopic } from '../../dead-letter';
import { partitionForKey } from '../../partitioner';
import { clockPast, eventually, testCandle, TEST_SYMBOLS, uniqueRunId } from '../../testing';
import { createBus } from '../../create-bus';
import { KafkaBus } from '../kafka-bus';
import { spawnConsumer, type ConsumerProcess } from './child';
import { mongoUrlIfSet, requireKafkaBrokers } from './env';
import { openSink, type Delivery, type ItSink } from './sink';

const brokers = requireKafkaBrokers();
const mongoUrl = mongoUrlIfSet();
const WAIT = { timeoutMs: 45_000, intervalMs: 100 };
jest.setTimeout(120_000);

describe('Kafka bus across processes', () => {
  let bus: KafkaBus;
  const children: ConsumerProcess[] = [];
  const sinks: ItSink[] = [];
  const subs: Subscription[] = [];
  const admin = new Kafka({ clientId: 'bus-it-admin', brokers, logLevel: logLevel.NOTHING }).admin();

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-it' });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(subs.splice(0).map((s) => s.close()));
    await Promise.all(children.splice(0).map((c) => c.kill()));
    await Promise.all(sinks.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await bus?.close();
    await admin.disconnect();
  });

  /** A run: its id, topic, consumer group, and the sink the child writes to (read here too). */
  async function newRun(prefix: string) {
    const runId = uniqueRunId(prefix);
    const sinkName = `bus_it_${runId}`;
    const sink = await openSink({ mongoUrl, name: sinkName });
    sinks.push(sink);
    await bus.ensureTopics([mdCandlesV1], runId);
    return { runId, topic: topicName(mdCandlesV1, runId), group: `consumer-${runId}`, sinkName, sink };
  }

  function consumer(run: { runId: string; group: string; sinkName: string }, extra: Record<string, string> = {}): ConsumerProcess {
    const c = spawnConsumer({ KAFKA_BROKERS: brokers.join(','), BUS_IT_RUN_ID: run.runId, BUS_IT_GROUP: run.group, BUS_IT_SINK_NAME: run.sinkName, MONGO_URL: mongoUrl, ...extra });
    children.push(c);
    return c;
  }

  it('(a) a message published here is consumed by another process, which records it', async () => {
    const run = await newRun('pa');
    const child = consumer(run);
    await child.ready;
    const c = testCandle('BTC/USDT', 7, 'a');
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await bus.publish(mdCandlesV1, c, { runId: run.runId, traceparent });

    const [d] = await eventually(async () => {
      const ds = await run.sink.deliveries();
      expect(ds).toHaveLength(1);
      return ds;
    }, WAIT);
    expect(d).toMatchObject({ key: 'binance:BTC/USDT', eventId: c.eventId, partition: partitionForKey('binance:BTC/USDT', 6), attempt: 1, traceparent });
    expect(d.pid).toBe(child.proc.pid);
    expect(d.pid).not.toBe(process.pid);
    expect(await child.stop()).toBe(0); // graceful: closes the bus on SIGTERM
  });

  it('(b) a malformed message lands in the DLQ with its reason while the next good one is processed', async () => {
    const run = await newRun('pb');
    const child = consumer(run);
    await child.ready;
    const dead: BusMessage<DeadLetter>[] = [];
    subs.push(await bus.subscribe({ contract: deadLetterTopic(mdCandlesV1), group: `dlq-watch-${run.runId}`, runId: run.runId }, (m) => void dead.push(m)));
    const bad = Buffer.from(JSON.stringify({ ...testCandle('ETH/USDT', 1, 'b'), volume: -5 }));
    await bus.publishRaw(run.topic, [{ key: 'binance:ETH/USDT', value: bad }]);
    const good = testCandle('ETH/USDT', 2, 'b');
    await bus.publish(mdCandlesV1, good, { runId: run.runId });

    await eventually(async () => expect((await run.sink.deliveries()).map((d) => d.eventId)).toEqual([good.eventId]), WAIT);
    await eventually(() => expect(dead).toHaveLength(1), WAIT);
    const dl = dead[0].value;
    expect(dl).toMatchObject({ errorKind: 'schema', topic: run.topic, group: run.group, key: 'binance:ETH/USDT', attempts: 1 });
    expect(dl.reason).toMatch(/\/volume/);
    expect(Buffer.from(dl.valueBase64, 'base64')).toEqual(bad);
    await eventually(async () => expect(await bus.lag(run.group, [run.topic])).toBe(0), WAIT);
  });

  it('(c) a consumer killed with SIGKILL mid-batch resumes from its committed offset: nothing lost, nothing applied twice', async () => {
    const run = await newRun('pc');
    const n = 300;
    const values: CandleEvent[] = Array.from({ length: n }, (_, i) => testCandle(TEST_SYMBOLS[i % 6], Math.floor(i / 6), 'c'));
    await bus.publishBatch(mdCandlesV1, values, { runId: run.runId });
    // 10 ms of I/O per message and a commit every 100 ms: at the kill, each partition has applied
    // messages whose offsets are not committed yet.
    const opts = { BUS_IT_MODE: 'apply', BUS_IT_DELAY_MS: '10', BUS_IT_COMMIT_INTERVAL_MS: '100', BUS_IT_SESSION_TIMEOUT_MS: '6000' };
    const first = consumer(run, opts);
    await first.ready;
    // Kill it while some applied messages are not committed yet: the usual state (10 ms per message,
    // a commit every 100 ms), but a loaded machine can stall the consumer right after a commit, so
    // wait for it rather than assume it (a fresh topic: the committed offsets sum to the count committed).
    await eventually(async () => {
      const applied = sum(await run.sink.ledger());
      expect(applied).toBeGreaterThanOrEqual(120);
      const committed = [...(await committedOffsets(run.group, run.topic)).values()].reduce((a, o) => a + Number(o), 0);
      expect(committed).toBeLessThan(applied);
    }, WAIT);
    expect(await first.kill()).toBe('SIGKILL');
    const ledgerAtKill = await run.sink.ledger();
    const appliedAtKill = sum(ledgerAtKill);
    expect(appliedAtKill).toBeLessThan(n); // killed mid-way
    const committedAtKill = await committedOffsets(run.group, run.topic);
    // what the first process applied at or past its partition's committed offset: exactly these must come again
    const uncommitted = ledgerAtKill
      .flatMap((e) => e.offsets.filter((o) => BigInt(o) >= BigInt(committedAtKill.get(partitionForKey(e.key, mdCandlesV1.partitions)) ?? '0')).map((o) => `${e.key}@${o}`))
      .sort();
    expect(uncommitted.length).toBeGreaterThan(0);

    const second = consumer(run, opts);
    await second.ready;
    await eventually(async () => expect(await bus.lag(run.group, [run.topic])).toBe(0), WAIT);
    await eventually(async () => expect(sum(await run.sink.ledger())).toBe(n), WAIT);

    // Nothing lost, nothing applied twice: every (key, offset) applied exactly once.
    const ledger = await run.sink.ledger();
    const expected = await publishedOffsets(run.topic, run.runId, n);
    expect(ledger.map((e) => `${e.key}=${e.applied}`).sort()).toEqual(TEST_SYMBOLS.slice(0, 6).map((s) => `binance:${s}=${n / 6}`).sort());
    for (const e of ledger) {
      expect(new Set(e.offsets).size).toBe(e.offsets.length);
      expect([...e.offsets].sort()).toEqual([...expected.get(e.key)!].sort());
    }

    // The second process started each partition exactly at the offset committed before the kill...
    // (the delivery log is written after the apply, so it is read once the second process wrote all)
    const secondOnes = await eventually(async () => {
      const mine = (await run.sink.deliveries()).filter((d) => d.pid === second.proc.pid);
      expect(appliedAtKill + mine.filter((d) => d.applied === true).length).toBe(n);
      return mine;
    }, WAIT);
    for (let p = 0; p < mdCandlesV1.partitions; p++) {
      const mine = secondOnes.filter((d) => d.partition === p).map((d) => BigInt(d.offset));
      if (mine.length) expect(String(mine.reduce((a, b) => (b < a ? b : a)))).toBe(committedAtKill.get(p) ?? '0');
    }
    // ...so the applied-but-uncommitted messages came again, and the idempotent apply caught them
    // (a redelivery's record can land after the new messages' records of other partitions: wait for them).
    await eventually(async () => {
      const again = (await run.sink.deliveries()).filter((d) => d.pid === second.proc.pid && d.applied === false);
      expect(again.map((d) => `${d.key}@${d.offset}`).sort()).toEqual(uncommitted);
    }, WAIT);
  });

  it('(d) a replay from a time re-delivers exactly the messages recorded after it', async () => {
    const run = await newRun('pd');
    const child = consumer(run);
    await child.ready;
    const A = Array.from({ length: 12 }, (_, i) => testCandle(TEST_SYMBOLS[i % 4], i, 'dA'));
    const B = Array.from({ length: 18 }, (_, i) => testCandle(TEST_SYMBOLS[i % 4], i, 'dB'));
    await bus.publishBatch(mdCandlesV1, A, { runId: run.runId });
    const recordedA = await eventually(async () => {
      const ds = await run.sink.deliveries();
      expect(ds).toHaveLength(A.length);
      return ds;
    }, WAIT);
    const fromTime = Math.max(...recordedA.map((d) => d.timestamp)) + 1;
    await clockPast(fromTime);
    await bus.publishBatch(mdCandlesV1, B, { runId: run.runId });
    const recorded = await eventually(async () => {
      const ds = await run.sink.deliveries();
      expect(ds).toHaveLength(A.length + B.length);
      return ds;
    }, WAIT);

    const replayed: BusMessage<CandleEvent>[] = [];
    const group = `replay-${run.runId}`;
    subs.push(await bus.replay({ contract: mdCandlesV1, group, runId: run.runId, fromTime }, (m) => void replayed.push(m)));
    await eventually(async () => expect(await bus.lag(group, [run.topic])).toBe(0), WAIT);

    const want = recorded.filter((d) => d.timestamp >= fromTime);
    expect(want.map((d) => d.eventId).sort()).toEqual(B.map((v) => v.eventId).sort());
    const perPartition = (xs: { partition: number; offset: string; eventId: string }[]) =>
      [...Array(mdCandlesV1.partitions).keys()].map((p) => xs.filter((x) => x.partition === p).map((x) => `${x.offset}:${x.eventId}`));
    expect(perPartition(replayed.map((m) => ({ partition: m.partition, offset: m.offset, eventId: m.value.eventId })))).toEqual(perPartition(sortByOffset(want)));
  });

  it('(e) start-up with a missing broker fails fast, naming KAFKA_BROKERS and the address', async () => {
    const t0 = Date.now();
    await expect(createBus({ kind: 'kafka', brokers: ['127.0.0.1:1'], clientId: 'bus-it-missing' })).rejects.toThrow(/KAFKA_BROKERS.*127\.0\.0\.1:1/);
    expect(Date.now() - t0).toBeLessThan(10_000);

    const t1 = Date.now();
    const child = spawnConsumer({ KAFKA_BROKERS: '127.0.0.1:1', BUS_IT_RUN_ID: 'none', BUS_IT_GROUP: 'none', BUS_IT_SINK_NAME: 'bus_it_none', MONGO_URL: undefined, BUS_IT_DIR: os.tmpdir() });
    children.push(child);
    expect(await child.exited).toBe(2);
    expect(Date.now() - t1).toBeLessThan(10_000); // process start (SWC) included
    expect(child.stderr()).toMatch(/KAFKA_BROKERS=127\.0\.0\.1:1.*ECONNREFUSED/);
  });

  async function committedOffsets(group: string, topic: string): Promise<Map<number, string>> {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map(t.partitions.filter((p) => p.offset !== '-1').map((p) => [p.partition, p.offset]));
  }

  /** Every record of the topic as key -> offsets, read back independently through a replay from the start. */
  async function publishedOffsets(topic: string, runId: string, count: number): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    let seen = 0;
    subs.push(
      await bus.replay({ contract: mdCandlesV1, group: `readback-${runId}`, runId }, (m) => {
        out.set(m.key!, [...(out.get(m.key!) ?? []), m.offset]);
        seen++;
      }),
    );
    await eventually(() => expect(seen).toBe(count), WAIT);
    expect(topic).toBe(topicName(mdCandlesV1, runId));
    return out;
  }
});

function sum(ledger: { applied: number }[]): number {
  return ledger.reduce((s, e) => s + e.applied, 0);
}

function sortByOffset(ds: Delivery[]): Delivery[] {
  return [...ds].sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
}
