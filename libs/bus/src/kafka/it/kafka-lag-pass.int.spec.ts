// KafkaBus.lagPass (real broker, KAFKA_BROKERS): several groups' lags in one pass, each topic's
// watermarks read once; the same numbers as lag() per group, and `produced` when a high watermark
// moved between the pass's first watermarks (or the `before` it was given) and its last.
import { Kafka, logLevel } from 'kafkajs';
import { mdCandlesV1, ordersIntentsV1, topicName } from '@atp/contracts';
import { eventually, testCandle } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { LOWS_MAX_AGE_MS, OffsetReader } from '../offset-reader';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

describe('Kafka bus: lagPass', () => {
  const runId = `lag-pass-${process.pid}-${Date.now().toString(36)}`;
  const candles = topicName(mdCandlesV1, runId);
  const intents = topicName(ordersIntentsV1, runId);
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-lag-pass-it', logger: () => undefined });
    await bus.ensureTopics([mdCandlesV1, ordersIntentsV1], runId);
  });
  afterAll(async () => {
    await bus.close();
    await dropTopics(brokers, [candles, intents]);
  });

  it('gives each group its lag on its own topics, and tells whether anything was produced during the pass', async () => {
    await bus.publishBatch(mdCandlesV1, Array.from({ length: 12 }, (_, i) => testCandle(['BTC/USDT', 'ETH/USDT', 'XRP/USDT'][i % 3]!, i, 'lag-pass')), { runId });
    const groups = [
      { group: `${runId}-reader`, topics: [candles] },
      { group: `${runId}-idle`, topics: [candles, intents] },
    ];
    // The reader consumes everything; the idle group never joins (lag from the log start).
    const sub = await bus.subscribe({ contract: mdCandlesV1, group: groups[0]!.group, runId }, () => undefined);
    try {
      await eventually(async () => expect(await bus.lag(groups[0]!.group, [candles])).toBe(0), { timeoutMs: 30_000 });
      const pass = await bus.lagPass(groups);
      expect(pass.lags).toEqual([0, 12]);
      expect(pass.produced).toBe(false);
      expect(pass.lags).toEqual(await Promise.all(groups.map((g) => bus.lag(g.group, g.topics))));

      // A record produced after `before` was read: the next pass says so, and counts it.
      await bus.publishBatch(mdCandlesV1, [testCandle('ADA/USDT', 99, 'lag-pass')], { runId });
      const next = await bus.lagPass(groups, pass.after);
      expect(next.produced).toBe(true);
      expect(next.lags[1]).toBe(12); // against the watermarks read before the record
      const settled = await bus.lagPass(groups, next.after);
      expect(settled.produced).toBe(false);
      expect(settled.lags[1]).toBe(13);
      expect(settled.asked).toBe(2);

      // With the previous pass: the reader, drained then and with no record since, is not asked
      // again (lag 0); the idle group, lagging, is.
      await eventually(async () => expect(await bus.lag(groups[0]!.group, [candles])).toBe(0), { timeoutMs: 30_000 });
      const drained = await bus.lagPass(groups);
      expect(drained.lags).toEqual([0, 13]);
      const again = await bus.lagPass(groups, drained.after, drained);
      expect(again).toMatchObject({ lags: [0, 13], produced: false, asked: 1 });
      // A record produced after `again`: the next pass measures against `again.after` (before the
      // record: the reader still counts as drained, not asked) and sees it produced; the pass after
      // that asks the reader again, since its topic's watermarks moved.
      await bus.publishBatch(mdCandlesV1, [testCandle('ADA/USDT', 100, 'lag-pass')], { runId });
      await eventually(async () => expect(await bus.lag(groups[0]!.group, [candles])).toBe(0), { timeoutMs: 30_000 });
      const moved = await bus.lagPass(groups, again.after, again);
      expect(moved).toMatchObject({ lags: [0, 13], produced: true, asked: 1 });
      const after = await bus.lagPass(groups, moved.after, moved);
      expect(after).toMatchObject({ lags: [0, 14], produced: false, asked: 2 });
      // `before` that is not the previous pass's `after`: nothing is taken from it.
      expect((await bus.lagPass(groups, undefined, after)).asked).toBe(2);
    } finally {
      await sub.close();
    }
  });

  it('reads through the OffsetReader (kafkajs offers its cluster), and a kept low watermark never understates a lag', async () => {
    const kafka = new Kafka({ clientId: 'bus-lag-pass-it-reader', brokers, logLevel: logLevel.NOTHING });
    const reader = OffsetReader.create(kafka);
    expect(reader).toBeDefined(); // else lagPass silently falls back to the admin client's per-topic requests
    const admin = kafka.admin();
    await admin.connect();
    try {
      const group = `${runId}-never`;
      const marks = await reader!.watermarks([candles]);
      const byAdmin = await admin.fetchTopicOffsets(candles);
      expect(marks.get(candles)!.map((w) => [w.partition, String(w.low), String(w.high)])).toEqual(byAdmin.map((w) => [w.partition, w.low, w.high]).sort((a, b) => Number(a[0]) - Number(b[0])));
      expect((await reader!.committed(group, [candles])).get(candles)!.get(0)).toBe(-1n);
      // Trim the log: the low watermark of a partition with records moves up.
      const full = byAdmin.find((w) => BigInt(w.high) >= 2n)!;
      await admin.deleteTopicRecords({ topic: candles, partitions: [{ partition: full.partition, offset: '1' }] });
      const groups = [{ group, topics: [candles] }];
      const first = await bus.lagPass(groups);
      const truth = await bus.lag(group, [candles]);
      expect(first.lags[0]).toBeGreaterThanOrEqual(truth); // kept low: at least the real lag
      const second = await bus.lagPass(groups);
      expect(second.lags[0]).toBe(truth); // a lag resting on a kept low refreshed the lows

      // The topic deleted and created again (the one case where a low goes back): the reader sees
      // a high watermark below what it saw and reads the lows again (0 on the new topic).
      reader!.staleLows();
      const lowsRead = Date.now();
      expect((await reader!.watermarks([candles])).get(candles)!.find((w) => w.partition === full.partition)!.low).toBe(1n);
      await admin.deleteTopics({ topics: [candles] });
      await eventually(async () => expect(await admin.listTopics()).not.toContain(candles), { timeoutMs: 30_000 });
      await admin.createTopics({ topics: [{ topic: candles, numPartitions: byAdmin.length }] });
      await eventually(async () => {
        const again = (await reader!.watermarks([candles])).get(candles)!;
        expect(again.map((w) => [w.low, w.high])).toEqual(byAdmin.map(() => [0n, 0n]));
      }, { timeoutMs: 30_000 });
      expect(Date.now() - lowsRead).toBeLessThan(LOWS_MAX_AGE_MS); // seen as recreated, not merely aged out
    } finally {
      await admin.disconnect();
      await reader!.close();
    }
  });

  it('asks several groups\' committed offsets in ONE OffsetFetch (v8) per coordinator, with the same answers as one request per group', async () => {
    await bus.publishBatch(mdCandlesV1, Array.from({ length: 8 }, (_, i) => testCandle(['BTC/USDT', 'ETH/USDT'][i % 2]!, 100 + i, 'lag-pass-v8')), { runId });
    const kafka = new Kafka({ clientId: 'bus-lag-pass-it-v8', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const multi = OffsetReader.create(kafka)!;
    const single = OffsetReader.create(kafka)!;
    single.multiGroup = false;
    const requests: string[] = [];
    const group = (n: string) => `${runId}-v8-${n}`;
    try {
      // Committed positions: a on every partition of candles, b on one partition only, c none at all.
      const parts = (await admin.fetchTopicOffsets(candles)).map((w) => ({ partition: w.partition, high: w.high }));
      await admin.setOffsets({ groupId: group('a'), topic: candles, partitions: parts.map((p) => ({ partition: p.partition, offset: p.high })) });
      await admin.setOffsets({ groupId: group('b'), topic: candles, partitions: [{ partition: parts[0]!.partition, offset: '1' }] });
      // Count the requests multi sends (kafkajs's request instrumentation of the reader's cluster: its coordinator's connections).
      const asked = async (r: OffsetReader) => {
        const out = await Promise.all([r.committed(group('a'), [candles]), r.committed(group('b'), [candles, intents]), r.committed(group('c'), [intents])]);
        return out.map((c) => [...c].map(([t, m]) => [t, [...m].sort((x, y) => x[0] - y[0]).map(([p, o]) => `${p}:${o}`)]));
      };
      const bySingle = await asked(single);
      // As in a lag pass: the topics' metadata and the groups' coordinator are known (read before, kept).
      await multi.watermarks([candles, intents]);
      await asked(multi);
      const pool = (multi as unknown as { cluster: { findGroupCoordinator(q: { groupId: string }): Promise<{ connectionPool: { send(p: { request: { apiName: string; apiVersion: number } }): Promise<unknown> } }> } }).cluster;
      const coordinator = await pool.findGroupCoordinator({ groupId: group('a') });
      const send = coordinator.connectionPool.send.bind(coordinator.connectionPool);
      coordinator.connectionPool.send = (p) => {
        if (p.request.apiName === 'OffsetFetch') requests.push(`${p.request.apiName} v${p.request.apiVersion}`);
        return send(p);
      };
      const byMulti = await asked(multi);
      expect(byMulti).toEqual(bySingle);
      expect(requests).toEqual(['OffsetFetch v8']);
      const sorted = [...parts].sort((x, y) => x.partition - y.partition);
      expect(bySingle[0]).toEqual([[candles, sorted.map((p) => `${p.partition}:${p.high}`)]]);
      expect(bySingle[1]![0]).toEqual([candles, sorted.map((p) => `${p.partition}:${p.partition === parts[0]!.partition ? 1 : -1}`)]);
      expect((bySingle[2]![0]![1] as string[]).every((x) => x.endsWith(':-1'))).toBe(true);
      // One group asked twice in one turn, on different topics: one request, and each ask finds
      // its own topics in the answer (the asks' topics are merged, not the later one's kept).
      requests.length = 0;
      const [onCandles, onIntents] = await Promise.all([multi.committed(group('a'), [candles]), multi.committed(group('a'), [intents])]);
      expect(requests).toEqual(['OffsetFetch v8']);
      expect([...onCandles.get(candles)!].sort((x, y) => x[0] - y[0]).map(([p, o]) => `${p}:${o}`)).toEqual(sorted.map((p) => `${p.partition}:${p.high}`));
      expect([...onIntents.get(intents)!.values()].every((o) => o === -1n)).toBe(true);
    } finally {
      await Promise.all([multi.close(), single.close(), admin.disconnect()]);
    }
  });
});
