import { Type } from '@sinclair/typebox';
import { mdCandlesV1, topicName, type CandleEvent } from '@atp/contracts';
import { runBusContractSuite, eventually, testCandle, seqOf, TEST_SYMBOLS } from '../testing';
import { InProcessBus } from './in-process-bus';

runBusContractSuite('in-process', async () => {
  const bus = new InProcessBus();
  return { bus, cleanup: () => bus.close() };
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('InProcessBus specifics', () => {
  it('stamps records with the injected clock, so replay by time is deterministic', async () => {
    let t = 1_000;
    const bus = new InProcessBus({ now: () => t });
    const topic = topicName(mdCandlesV1, 'clock');
    for (let i = 0; i < 6; i++) {
      t = 1_000 + i * 10;
      await bus.publish(mdCandlesV1, testCandle('BTC/USDT', i), { runId: 'clock' });
    }
    const got: number[] = [];
    const stamps: number[] = [];
    await bus.replay({ contract: mdCandlesV1, group: 'r', runId: 'clock', fromTime: 1_020, toTime: 1_050 }, (m) => {
      got.push(seqOf(m.value));
      stamps.push(m.timestamp);
    });
    await eventually(() => expect(got).toEqual([2, 3, 4]));
    expect(stamps).toEqual([1_020, 1_030, 1_040]);
    expect(await bus.lag('r', [topic])).toBe(1);
    await bus.close();
  });

  it('bounds the retained log but never drops what an active group has not acknowledged', async () => {
    const bus = new InProcessBus({ maxRetainedPerPartition: 16 });
    const topic = topicName(mdCandlesV1, 'ret');
    const key = 'binance:BTC/USDT';
    const values = Array.from({ length: 200 }, (_, i) => testCandle('BTC/USDT', i));
    await bus.publishBatch(mdCandlesV1, values, { runId: 'ret' }); // no group yet: trimmed freely
    expect(await bus.lag('fresh', [topic])).toBeLessThanOrEqual(16 + 2);

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const got: number[] = [];
    await bus.subscribe({ contract: mdCandlesV1, group: 'slow', runId: 'ret', from: 'latest' }, async (m) => {
      await gate;
      got.push(seqOf(m.value));
    });
    await bus.publishBatch(mdCandlesV1, values.map((v) => ({ ...v, eventId: `${v.eventId}:2` })), { runId: 'ret' });
    expect(await bus.lag('slow', [topic])).toBe(200); // held back for the active, blocked group
    release();
    await eventually(() => expect(got).toHaveLength(200));
    expect(got).toEqual(values.map((v) => seqOf(v)));
    expect(key).toBe(mdCandlesV1.key(values[0]));
    await bus.close();
  });

  it('delivers synchronous handlers without a timer per message', async () => {
    const bus = new InProcessBus();
    const n = 20_000;
    const values: CandleEvent[] = Array.from({ length: n }, (_, i) => testCandle(TEST_SYMBOLS[i % 12], i));
    let count = 0;
    await bus.subscribe({ contract: mdCandlesV1, group: 'fast', runId: 'fast' }, () => void count++);
    const timers = jest.spyOn(global, 'setTimeout');
    const immediates = jest.spyOn(global, 'setImmediate');
    await bus.publishBatch(mdCandlesV1, values, { runId: 'fast' });
    await eventually(() => expect(count).toBe(n), { intervalMs: 1 });
    // one yield per 1000 deliveries at most (plus eventually's own polling timers)
    expect(immediates.mock.calls.length).toBeLessThanOrEqual(n / 1000 + 1);
    expect(timers.mock.calls.length).toBeLessThan(n / 100);
    timers.mockRestore();
    immediates.mockRestore();
    // Throughput is measured by bench/src/bus.ts, not asserted here: this machine is shared.
    await bus.close();
  });

  it('background: a group subscribed first is delivered after the chain of microtask deliveries its records start, in order, every record once', async () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    // Subscribed first: without `background` its handler would run first.
    await bus.subscribe({ contract: mdCandlesV1, group: 'report', runId: 'bg', background: true, pipelined: true }, (m) => void seen.push(`report ${seqOf(m.value)}`));
    await bus.subscribe({ contract: mdCandlesV1, group: 'path', runId: 'bg' }, async (m) => {
      seen.push(`path ${seqOf(m.value)}`);
      // The path's next hop, published from the handler: still before the background group.
      if (seqOf(m.value) < 100) await bus.publish(mdCandlesV1, testCandle('BTC/USDT', seqOf(m.value) + 100), { runId: 'bg' });
    });
    await bus.publishBatch(mdCandlesV1, [testCandle('BTC/USDT', 0), testCandle('BTC/USDT', 1)], { runId: 'bg' });
    await eventually(() => expect(seen.length).toBe(8));
    expect(seen).toEqual(['path 0', 'path 1', 'path 100', 'path 101', 'report 0', 'report 1', 'report 100', 'report 101']);
    expect(await bus.lag('report', [topicName(mdCandlesV1, 'bg')])).toBe(0);
    await bus.close();
  });

  it('pipelined: starts a partition\'s handlers without awaiting the previous one, acknowledges in offset order', async () => {
    const bus = new InProcessBus();
    const topic = topicName(mdCandlesV1, 'pipe');
    const values = Array.from({ length: 5 }, (_, i) => testCandle('BTC/USDT', i)); // one key: one partition
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    await bus.subscribe({ contract: mdCandlesV1, group: 'p', runId: 'pipe', pipelined: true }, (m) => {
      started.push(seqOf(m.value));
      return new Promise<void>((r) => finish.set(seqOf(m.value), r));
    });
    await bus.publishBatch(mdCandlesV1, values, { runId: 'pipe' });
    await eventually(() => expect(started).toEqual([0, 1, 2, 3, 4]));
    expect(await bus.lag('p', [topic])).toBe(5);
    finish.get(3)!();
    finish.get(1)!();
    await sleep(5);
    expect(await bus.lag('p', [topic])).toBe(5); // 0 still running: nothing after it is acknowledged
    finish.get(0)!();
    await eventually(async () => expect(await bus.lag('p', [topic])).toBe(3)); // 0 and 1; 2 still running
    finish.get(2)!();
    await eventually(async () => expect(await bus.lag('p', [topic])).toBe(1)); // 2 and 3
    finish.get(4)!();
    await eventually(async () => expect(await bus.lag('p', [topic])).toBe(0));
    expect(started).toEqual([0, 1, 2, 3, 4]);
    await bus.close();
  });

  it('pipelined: after a failure the records after it (already handled) come again after its retry, in order', async () => {
    const bus = new InProcessBus();
    const topic = topicName(mdCandlesV1, 'pipe-retry');
    const seen: string[] = [];
    let failed = false;
    await bus.subscribe({ contract: mdCandlesV1, group: 'p', runId: 'pipe-retry', pipelined: true, retryBackoffMs: 1 }, async (m) => {
      seen.push(`${seqOf(m.value)}#${m.attempt}`);
      await Promise.resolve();
      if (seqOf(m.value) === 1 && !failed) {
        failed = true;
        throw new Error('transient');
      }
    });
    await bus.publishBatch(mdCandlesV1, Array.from({ length: 4 }, (_, i) => testCandle('BTC/USDT', i)), { runId: 'pipe-retry' });
    await eventually(async () => expect(await bus.lag('p', [topic])).toBe(0));
    expect(seen).toEqual(['0#1', '1#1', '2#1', '3#1', '1#2', '2#1', '3#1']);
    await bus.close();
  });

  it('pipelined: a record failing its last attempt is dead-lettered and the rest acknowledged; close waits for running handlers', async () => {
    const bus = new InProcessBus();
    const topic = topicName(mdCandlesV1, 'pipe-dlq');
    const done: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = await bus.subscribe({ contract: mdCandlesV1, group: 'p', runId: 'pipe-dlq', pipelined: true, maxAttempts: 1 }, async (m) => {
      if (seqOf(m.value) === 0) throw new Error('always');
      if (seqOf(m.value) === 1) await gate;
      done.push(seqOf(m.value));
    });
    await bus.publishBatch(mdCandlesV1, Array.from({ length: 3 }, (_, i) => testCandle('BTC/USDT', i)), { runId: 'pipe-dlq' });
    await eventually(() => expect(done).toEqual([2]));
    await eventually(async () => expect(await bus.lag('p', [topic])).toBe(2)); // 0 dead-lettered; 1 running, 2 behind it
    expect(await bus.lag('dlq-reader', [`${topic}.dlq`])).toBe(1);
    let closed = false;
    const closing = sub.close().then(() => (closed = true));
    await sleep(5);
    expect(closed).toBe(false);
    release();
    await closing;
    expect(done).toEqual([2, 1]);
    expect(await bus.lag('p', [topic])).toBe(0);
    await bus.close();
  });

  it('validates a delivery again only when the subscriber reads the topic through another schema', async () => {
    const bus = new InProcessBus();
    const topic = topicName(mdCandlesV1, 'schemas');
    const got: unknown[] = [];
    await bus.subscribe({ contract: mdCandlesV1, group: 'same', runId: 'schemas' }, (m) => void got.push(m.value));
    const stricter = { ...mdCandlesV1, schema: Type.Object({ notThere: Type.String() }) } as unknown as typeof mdCandlesV1;
    await bus.subscribe({ contract: stricter, group: 'other', runId: 'schemas' }, () => undefined);
    const c = testCandle('BTC/USDT', 0);
    await bus.publish(mdCandlesV1, c, { runId: 'schemas' });
    await eventually(async () => expect(await bus.lag('other', [topic])).toBe(0));
    expect(got).toEqual([JSON.parse(JSON.stringify(c))]);
    expect(await bus.lag('dlq-reader', [`${topic}.dlq`])).toBe(1); // the other schema refused it
    await bus.close();
  });

  it('refuses to replay into a group that is consuming, and after close', async () => {
    const bus = new InProcessBus();
    await bus.subscribe({ contract: mdCandlesV1, group: 'busy', runId: 'x' }, () => undefined);
    await expect(bus.replay({ contract: mdCandlesV1, group: 'busy', runId: 'x' }, () => undefined)).rejects.toThrow(/fresh consumer group/);
    await bus.close();
    await expect(bus.publish(mdCandlesV1, testCandle('BTC/USDT', 0))).rejects.toThrow(/closed/);
    expect((await bus.health()).ok).toBe(false);
  });
});
