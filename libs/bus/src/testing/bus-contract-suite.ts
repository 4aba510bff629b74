/*
 * The Bus port's executable specification (bus.ts): every implementation runs these same tests —
 * the in-process bus in a unit test, the Kafka bus against a real broker. Uses jest's globals, so
 * import it only from spec files (through `@atp/bus/testing`, never from `@atp/bus`).
 */
import { ContractViolationError, dlqTopicName, mdCandlesV1, topicName, type CandleEvent, type DeadLetter } from '@atp/contracts';
import { PermanentError, type Bus, type BusMessage, type Subscription } from '../bus';
import { deadLetterTopic } from '../dead-letter';
import { partitionForKey } from '../partitioner';
import { clockPast, eventually, uniqueRunId } from './eventually';
import { seqOf, testCandle, TEST_SYMBOLS } from './fixtures';

export interface BusUnderTest {
  bus: Bus;
  /** Closes the bus and frees what the test created. */
  cleanup(): Promise<void>;
}

export interface BusContractSuiteOptions {
  /** How long `eventually` waits for a condition (default 10 s). */
  eventuallyTimeoutMs?: number;
  /** jest timeout per test (default 30 s). */
  testTimeoutMs?: number;
}

const KEY = (symbol: string) => `binance:${symbol}`;
const PARTITIONS = mdCandlesV1.partitions;

type Msg = BusMessage<CandleEvent>;

/** Registers the Bus contract tests under `describe('Bus contract: <name>')`. */
export function runBusContractSuite(name: string, makeBus: () => Promise<BusUnderTest>, options: BusContractSuiteOptions = {}): void {
  const wait = { timeoutMs: options.eventuallyTimeoutMs ?? 10_000 };
  const testTimeout = options.testTimeoutMs ?? 30_000;

  describe(`Bus contract: ${name}`, () => {
    let h: BusUnderTest;
    let bus: Bus;
    let runId: string;
    let topic: string;
    const subs: Subscription[] = [];

    beforeEach(async () => {
      h = await makeBus();
      bus = h.bus;
      runId = uniqueRunId('ct');
      topic = topicName(mdCandlesV1, runId);
      await bus.ensureTopics([mdCandlesV1], runId);
    });

    afterEach(async () => {
      await Promise.all(subs.splice(0).map((s) => s.close()));
      await h.cleanup();
    });

    async function collect(group: string, opts: { runId?: string; from?: 'earliest' | 'latest' } = {}): Promise<{ got: Msg[]; sub: Subscription }> {
      const got: Msg[] = [];
      const sub = await bus.subscribe({ contract: mdCandlesV1, group, runId: opts.runId ?? runId, from: opts.from }, (m) => {
        got.push(m);
      });
      subs.push(sub);
      return { got, sub };
    }

    async function deadLetters(group: string): Promise<BusMessage<DeadLetter>[]> {
      const got: BusMessage<DeadLetter>[] = [];
      subs.push(await bus.subscribe({ contract: deadLetterTopic(mdCandlesV1), group, runId }, (m) => void got.push(m)));
      return got;
    }

    const seqsByKey = (msgs: readonly Msg[]) => {
      const out = new Map<string, number[]>();
      for (const m of msgs) out.set(m.key!, [...(out.get(m.key!) ?? []), seqOf(m.value)]);
      return out;
    };
    const ids = (msgs: readonly Msg[]) => msgs.map((m) => m.value.eventId);
    const sortedIds = (msgs: readonly { eventId: string }[]) => msgs.map((v) => v.eventId).sort();

    it('delivers each key in publish order, keyed to the Kafka partition, with the contract headers', async () => {
      const { got } = await collect('g-order');
      const symbols = TEST_SYMBOLS.slice(0, 8);
      for (let r = 0; r < 10; r++) for (const s of symbols) await bus.publish(mdCandlesV1, testCandle(s, r), { runId });
      const batch = [];
      for (let r = 10; r < 20; r++) for (const s of symbols) batch.push(testCandle(s, r));
      await bus.publishBatch(mdCandlesV1, batch, { runId });

      await eventually(() => expect(got).toHaveLength(160), wait);
      const byKey = seqsByKey(got);
      for (const s of symbols) expect(byKey.get(KEY(s))).toEqual(Array.from({ length: 20 }, (_, i) => i));
      for (const m of got) {
        expect(m.topic).toBe(topic);
        expect(m.partition).toBe(partitionForKey(m.key!, PARTITIONS));
        expect(m.offset).toMatch(/^[0-9]+$/);
        expect(m.attempt).toBe(1);
        expect(typeof m.timestamp).toBe('number');
        expect(m.headers['schema-version']).toBe('1');
        expect(m.headers['event-id']).toBe(m.value.eventId);
        expect(m.headers['event-time']).toBe(String(m.value.tsEvent));
        expect(m.headers['run-id']).toBe(runId);
      }
      expect(new Set(got.map((m) => m.partition)).size).toBeGreaterThan(1);
      // offsets increase within each partition, one record per offset
      for (let p = 0; p < PARTITIONS; p++) {
        const offs = got.filter((m) => m.partition === p).map((m) => BigInt(m.offset));
        for (let i = 1; i < offs.length; i++) expect(offs[i] > offs[i - 1]).toBe(true);
      }
    }, testTimeout);

    it('redelivers the same message after a handler failure, with a rising attempt, before later ones', async () => {
      const log: string[] = [];
      const seen: Msg[] = [];
      subs.push(
        await bus.subscribe({ contract: mdCandlesV1, group: 'g-retry', runId, retryBackoffMs: 20, maxAttempts: 5 }, (m) => {
          log.push(`${seqOf(m.value)}/${m.attempt}`);
          seen.push(m);
          if (seqOf(m.value) === 1 && m.attempt < 3) throw new Error('transient');
        }),
      );
      const s = TEST_SYMBOLS[0];
      await bus.publishBatch(mdCandlesV1, [0, 1, 2, 3].map((i) => testCandle(s, i)), { runId });

      await eventually(() => expect(log).toEqual(['0/1', '1/1', '1/2', '1/3', '2/1', '3/1']), wait);
      const tries = seen.filter((m) => seqOf(m.value) === 1);
      expect(new Set(tries.map((m) => m.offset)).size).toBe(1);
      expect(tries.map((m) => m.value)).toEqual([tries[0].value, tries[0].value, tries[0].value]);
      await eventually(async () => expect(await bus.lag('g-retry', [topic])).toBe(0), wait);
      expect(await bus.lag('nobody', [dlqTopicName(topic)])).toBe(0); // nothing dead-lettered
    }, testTimeout);

    it('dead-letters undecodable and schema-violating messages with reason and bytes, and goes on', async () => {
      const { got } = await collect('g-dlq');
      const dlq = await deadLetters('g-dlq-watch');
      const s = TEST_SYMBOLS[1];
      const badSchema = Buffer.from(JSON.stringify({ ...testCandle(s, 1), close: -1 }));
      const notJson = Buffer.from([0x7b, 0x22, 0xff, 0x00]); // '{"' then invalid UTF-8
      await bus.publish(mdCandlesV1, testCandle(s, 0), { runId });
      await bus.publishRaw(topic, [
        { key: KEY(s), value: badSchema, headers: { 'event-id': 'bad-1' } },
        { key: KEY(s), value: notJson },
      ]);
      await bus.publish(mdCandlesV1, testCandle(s, 3), { runId });

      await eventually(() => expect(got.map((m) => seqOf(m.value))).toEqual([0, 3]), wait);
      await eventually(() => expect(dlq).toHaveLength(2), wait);
      const [schema, undecodable] = dlq.map((m) => m.value);
      const partition = partitionForKey(KEY(s), PARTITIONS);
      const first = BigInt(got[0].offset);
      expect(schema).toMatchObject({ errorKind: 'schema', topic, partition, offset: String(first + 1n), group: 'g-dlq', key: KEY(s), attempts: 1 });
      expect(schema.reason).toMatch(/\/close/);
      expect(Buffer.from(schema.valueBase64, 'base64')).toEqual(badSchema);
      expect(schema.headers['event-id']).toBe('bad-1');
      expect(undecodable).toMatchObject({ errorKind: 'decode', offset: String(first + 2n), attempts: 1 });
      expect(undecodable.reason).toMatch(/not JSON|decode/);
      expect(Buffer.from(undecodable.valueBase64, 'base64')).toEqual(notJson);
      expect(got[1].offset).toBe(String(first + 3n));
      expect(dlq[0].topic).toBe(dlqTopicName(topic));
      await eventually(async () => expect(await bus.lag('g-dlq', [topic])).toBe(0), wait);
    }, testTimeout);

    it('dead-letters after maxAttempts failures, and at once on a PermanentError', async () => {
      const tries = new Map<number, number>();
      const done: number[] = [];
      subs.push(
        await bus.subscribe({ contract: mdCandlesV1, group: 'g-giveup', runId, retryBackoffMs: 10, maxAttempts: 3 }, (m) => {
          const seq = seqOf(m.value);
          tries.set(seq, (tries.get(seq) ?? 0) + 1);
          if (seq === 1) throw new Error('venue down');
          if (seq === 2) throw new PermanentError('order breaks a business rule');
          done.push(seq);
        }),
      );
      const dlq = await deadLetters('g-giveup-watch');
      await bus.publishBatch(mdCandlesV1, [0, 1, 2, 3].map((i) => testCandle(TEST_SYMBOLS[2], i)), { runId });

      await eventually(() => expect(done).toEqual([0, 3]), wait);
      await eventually(() => expect(dlq).toHaveLength(2), wait);
      expect(tries.get(1)).toBe(3);
      expect(tries.get(2)).toBe(1);
      const [gaveUp, permanent] = dlq.map((m) => m.value);
      expect(gaveUp).toMatchObject({ errorKind: 'handler', attempts: 3, group: 'g-giveup' });
      expect(gaveUp.reason).toMatch(/venue down/);
      expect(JSON.parse(Buffer.from(gaveUp.valueBase64, 'base64').toString()).eventId).toBe(testCandle(TEST_SYMBOLS[2], 1).eventId);
      expect(permanent).toMatchObject({ errorKind: 'handler', attempts: 1 });
      expect(permanent.reason).toMatch(/PermanentError.*business rule/);
      await eventually(async () => expect(await bus.lag('g-giveup', [topic])).toBe(0), wait);
    }, testTimeout);

    it('gives every message to each consumer group', async () => {
      const a = await collect('g-a');
      const b = await collect('g-b');
      const values = [];
      for (let i = 0; i < 10; i++) for (const s of TEST_SYMBOLS.slice(0, 3)) values.push(testCandle(s, i));
      await bus.publishBatch(mdCandlesV1, values, { runId });
      await eventually(() => expect([a.got.length, b.got.length]).toEqual([30, 30]), wait);
      expect(sortedIds(a.got.map((m) => m.value))).toEqual(sortedIds(values));
      expect(sortedIds(b.got.map((m) => m.value))).toEqual(sortedIds(values));
      expect(seqsByKey(a.got)).toEqual(seqsByKey(b.got));
    }, testTimeout);

    it('shares partitions among members of one group, handling no message twice', async () => {
      const m1 = await collect('g-shared');
      const m2 = await collect('g-shared');
      const values = [];
      for (let i = 0; i < 5; i++) for (const s of TEST_SYMBOLS) values.push(testCandle(s, i));
      await bus.publishBatch(mdCandlesV1, values, { runId });
      await eventually(() => expect(m1.got.length + m2.got.length).toBe(60), wait);
      expect(m1.got.length).toBeGreaterThan(0);
      expect(m2.got.length).toBeGreaterThan(0);
      const p1 = new Set(m1.got.map((m) => m.partition));
      for (const m of m2.got) expect(p1.has(m.partition)).toBe(false);

      // The first member leaves: the other takes over its partitions from the committed positions.
      await m1.sub.close();
      const more = TEST_SYMBOLS.map((s) => testCandle(s, 5));
      await bus.publishBatch(mdCandlesV1, more, { runId });
      await eventually(() => expect(m1.got.length + m2.got.length).toBe(72), wait);
      const all = [...m1.got, ...m2.got];
      expect(new Set(all.map((m) => `${m.partition}:${m.offset}`)).size).toBe(72);
      expect(sortedIds(all.map((m) => m.value))).toEqual(sortedIds([...values, ...more]));
    }, testTimeout);

    it('replays exactly the recorded messages from positions and from a produce time, with an end time', async () => {
      const live = await collect('g-live');
      const phase = (tag: string, n: number) => Array.from({ length: n }, (_, i) => testCandle(TEST_SYMBOLS[i % 3], Math.floor(i / 3), tag));
      const A = phase('A', 12);
      const B = phase('B', 12);
      const C = phase('C', 6);

      await bus.publishBatch(mdCandlesV1, A, { runId });
      await eventually(() => expect(live.got).toHaveLength(12), wait);
      const positions: Record<number, string> = {};
      for (const m of live.got) positions[m.partition] = String(BigInt(m.offset) + 1n);
      const fromTime = Math.max(...live.got.map((m) => m.timestamp)) + 1;
      await clockPast(fromTime);

      await bus.publishBatch(mdCandlesV1, B, { runId });
      await eventually(() => expect(live.got).toHaveLength(24), wait);
      const toTime = Math.max(...live.got.map((m) => m.timestamp)) + 1;
      expect(Math.min(...live.got.slice(12).map((m) => m.timestamp))).toBeGreaterThanOrEqual(fromTime);
      await clockPast(toTime);
      await bus.publishBatch(mdCandlesV1, C, { runId });
      await eventually(() => expect(live.got).toHaveLength(30), wait);

      const expectExactly = (got: readonly Msg[], want: readonly CandleEvent[]) => {
        expect(sortedIds(got.map((m) => m.value))).toEqual(sortedIds(want));
        const wantByKey = new Map<string, string[]>();
        for (const v of want) wantByKey.set(KEY(v.symbol), [...(wantByKey.get(KEY(v.symbol)) ?? []), v.eventId]);
        for (const [k, evs] of wantByKey) expect(ids(got.filter((m) => m.key === k))).toEqual(evs);
      };

      const r1: Msg[] = [];
      subs.push(await bus.replay({ contract: mdCandlesV1, group: 'r-pos', runId, fromOffsets: positions }, (m) => void r1.push(m)));
      const r2: Msg[] = [];
      subs.push(await bus.replay({ contract: mdCandlesV1, group: 'r-time', runId, fromTime }, (m) => void r2.push(m)));
      const r3: Msg[] = [];
      subs.push(await bus.replay({ contract: mdCandlesV1, group: 'r-window', runId, fromTime, toTime }, (m) => void r3.push(m)));

      // Drained (lag 0) means every delivery has happened: then the set must be exactly B + C.
      await eventually(async () => expect(await bus.lag('r-pos', [topic])).toBe(0), wait);
      expectExactly(r1, [...B, ...C]);
      await eventually(async () => expect(await bus.lag('r-time', [topic])).toBe(0), wait);
      expectExactly(r2, [...B, ...C]);
      // The window stops at C's first record in each partition: C stays unconsumed.
      await eventually(async () => expect(await bus.lag('r-window', [topic])).toBe(C.length), wait);
      await eventually(() => expect(r3).toHaveLength(B.length), wait);
      expectExactly(r3, B);
    }, testTimeout);

    it('reports lag until the group has drained the topic', async () => {
      const values = Array.from({ length: 20 }, (_, i) => testCandle(TEST_SYMBOLS[i % 4], i));
      await bus.publishBatch(mdCandlesV1, values, { runId });
      expect(await bus.lag('g-lag', [topic])).toBe(20); // a group with no position starts at the earliest
      await collect('g-lag');
      await eventually(async () => expect(await bus.lag('g-lag', [topic])).toBe(0), wait);
      await bus.publish(mdCandlesV1, testCandle(TEST_SYMBOLS[0], 99), { runId });
      await eventually(async () => expect(await bus.lag('g-lag', [topic])).toBe(0), wait);
    }, testTimeout);

    it('starts a new group at the end (as of subscribe) when asked for latest', async () => {
      const old = TEST_SYMBOLS.slice(0, 6).flatMap((sym) => [0, 1, 2].map((i) => testCandle(sym, i)));
      await bus.publishBatch(mdCandlesV1, old, { runId });
      const { got } = await collect('g-latest', { from: 'latest' });
      // positioned at the end of every partition: nothing to consume, already at subscribe time
      await eventually(async () => expect(await bus.lag('g-latest', [topic])).toBe(0), wait);
      await bus.publish(mdCandlesV1, testCandle(TEST_SYMBOLS[0], 3), { runId });
      await eventually(() => expect(got.map((m) => seqOf(m.value))).toEqual([3]), wait);
      await eventually(async () => expect(await bus.lag('g-latest', [topic])).toBe(0), wait);
      expect(got).toHaveLength(1);
    }, testTimeout);

    it('isolates run ids: the same contract and group under another run id is another topic', async () => {
      const otherRun = uniqueRunId('co');
      await bus.ensureTopics([mdCandlesV1], otherRun);
      const otherTopic = topicName(mdCandlesV1, otherRun);
      expect(otherTopic).not.toBe(topic);
      const x = testCandle(TEST_SYMBOLS[0], 0, 'x');
      const y = testCandle(TEST_SYMBOLS[0], 0, 'y');
      await bus.publish(mdCandlesV1, x, { runId: otherRun });
      await bus.publish(mdCandlesV1, y, { runId });
      const mine = await collect('g-run');
      const theirs = await collect('g-run', { runId: otherRun });
      await eventually(async () => expect(await bus.lag('g-run', [topic, otherTopic])).toBe(0), wait);
      expect(ids(mine.got)).toEqual([y.eventId]);
      expect(ids(theirs.got)).toEqual([x.eventId]);
      expect(mine.got[0].topic).toBe(topic);
      expect(theirs.got[0].headers['run-id']).toBe(otherRun);
    }, testTimeout);

    it('rejects an invalid value on publish and publishes nothing of a batch holding one', async () => {
      const bad = { ...testCandle(TEST_SYMBOLS[0], 1), high: 'up' } as unknown as CandleEvent;
      await expect(bus.publish(mdCandlesV1, bad, { runId })).rejects.toThrow(ContractViolationError);
      await expect(bus.publishBatch(mdCandlesV1, [testCandle(TEST_SYMBOLS[0], 0), bad], { runId })).rejects.toThrow(/high/);
      await bus.publish(mdCandlesV1, testCandle(TEST_SYMBOLS[0], 2), { runId });
      const { got } = await collect('g-valid');
      await eventually(async () => expect(await bus.lag('g-valid', [topic])).toBe(0), wait);
      expect(got.map((m) => seqOf(m.value))).toEqual([2]);
    }, testTimeout);

    it('finishes an in-flight handler before a subscription close resolves, keeping its position', async () => {
      const events: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const sub = await bus.subscribe({ contract: mdCandlesV1, group: 'g-close', runId }, async (m) => {
        events.push(`start ${seqOf(m.value)}`);
        if (seqOf(m.value) === 0) await gate;
        events.push(`end ${seqOf(m.value)}`);
      });
      await bus.publish(mdCandlesV1, testCandle(TEST_SYMBOLS[0], 0), { runId });
      await eventually(() => expect(events).toEqual(['start 0']), wait);
      const closing = sub.close().then(() => events.push('closed'));
      await bus.publish(mdCandlesV1, testCandle(TEST_SYMBOLS[0], 1), { runId });
      release();
      await closing;
      expect(events.slice(0, 2)).toEqual(['start 0', 'end 0']);
      expect(events[events.length - 1]).toBe('closed');
      // the group resumes after what it acknowledged
      const again: number[] = [];
      const handled = new Set(events.filter((e) => e.startsWith('end')).map((e) => Number(e.split(' ')[1])));
      subs.push(await bus.subscribe({ contract: mdCandlesV1, group: 'g-close', runId }, (m) => void again.push(seqOf(m.value))));
      await eventually(async () => expect(await bus.lag('g-close', [topic])).toBe(0), wait);
      expect([...handled, ...again].sort()).toEqual([0, 1]);
    }, testTimeout);

    it('is healthy while open', async () => {
      expect((await bus.health()).ok).toBe(true);
    });
  });
}
