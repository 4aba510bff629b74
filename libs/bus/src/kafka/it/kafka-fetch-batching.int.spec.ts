// Fetch batching (KAFKA_FETCH_MIN_BYTES with KAFKA_MAX_WAIT_TIME_MS, the setting pnl runs with in the
// paper and live overlays) against the real broker: records published one at a time, 10 ms apart,
// reach a batched consumer in a few clumps (the broker holds each fetch until the wait is over),
// and a default consumer of the same records one by one — each group gets every record once, in
// order, either way.
import { mdCandlesV1, topicName } from '@atp/contracts';
import { eventually, seqOf, testCandle } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

/** Deliveries grouped into clumps: a delivery more than 3 ms after the previous one starts a new clump. */
function clumps(at: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < at.length; i++) if (i === 0 || at[i]! - at[i - 1]! > 3) n++;
  return n;
}

describe('Kafka bus: fetch batching', () => {
  const runId = `fetchb-${process.pid}-${Date.now().toString(36)}`;
  const topic = topicName(mdCandlesV1, runId);
  let producer: KafkaBus;
  let batched: KafkaBus;
  let plain: KafkaBus;

  beforeAll(async () => {
    producer = await KafkaBus.connect({ brokers, clientId: 'bus-fetchb-it-p', logger: () => undefined });
    batched = await KafkaBus.connect({ brokers, clientId: 'bus-fetchb-it-b', logger: () => undefined, fetchMinBytes: 1 << 20, maxWaitTimeMs: 250 });
    plain = await KafkaBus.connect({ brokers, clientId: 'bus-fetchb-it-d', logger: () => undefined });
    await producer.ensureTopics([mdCandlesV1], runId);
  });
  afterAll(async () => {
    await Promise.all([producer.close(), batched.close(), plain.close()]);
    await dropTopics(brokers, [topic]);
  });

  it('a batched consumer takes records published 10 ms apart in clumps of up to the wait; a default one one by one; both all of them, in order', async () => {
    const seen: Record<'batched' | 'plain', { seq: number; at: number }[]> = { batched: [], plain: [] };
    const subs = await Promise.all(
      (['batched', 'plain'] as const).map((k) =>
        (k === 'batched' ? batched : plain).subscribe({ contract: mdCandlesV1, group: `fetchb-${k}`, runId, from: 'latest' }, (m) => {
          seen[k].push({ seq: seqOf(m.value), at: performance.now() });
        }),
      ),
    );
    try {
      const n = 60;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await producer.publish(mdCandlesV1, testCandle('BTC/USDT', i, 'fetchb'), { runId }); // one key: one partition, in order
        await new Promise((r) => setTimeout(r, 10));
      }
      const publishing = performance.now() - t0;
      await eventually(async () => {
        expect(seen.batched).toHaveLength(n);
        expect(seen.plain).toHaveLength(n);
      }, { timeoutMs: 30_000 });
      const order = Array.from({ length: n }, (_, i) => i);
      expect(seen.batched.map((s) => s.seq)).toEqual(order);
      expect(seen.plain.map((s) => s.seq)).toEqual(order);
      const b = clumps(seen.batched.map((s) => s.at));
      const p = clumps(seen.plain.map((s) => s.at));
      // A held fetch per 250 ms of publishing (+ the first and the last) against (nearly) one fetch per record.
      expect(b).toBeLessThanOrEqual(Math.ceil(publishing / 250) + 2);
      expect(p).toBeGreaterThanOrEqual(3 * b);
    } finally {
      await Promise.all(subs.map((s) => s.close()));
    }
  }, 90_000);
});
