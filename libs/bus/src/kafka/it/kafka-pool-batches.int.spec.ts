// Large publishBatch calls through producer threads (the producer in a worker, and 2 threads): the
// batch goes to the workers in chunks as it is encoded; every record is delivered once, in order
// per key, and a batch holding one invalid value sends nothing. Real broker (KAFKA_BROKERS).
import { ContractViolationError, mdCandlesV1, topicName, type CandleEvent } from '@atp/contracts';
import { eventually, seqOf, testCandle, TEST_SYMBOLS } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { dropTopics, requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

describe.each([
  ['the producer in a worker', { producerWorker: true }],
  ['2 producer threads', { producerThreads: 2 }],
] as const)('Kafka bus large batches (%s)', (label, threads) => {
  const runId = `pool-batches-${label.length}-${process.pid}-${Date.now().toString(36)}`;
  const topic = topicName(mdCandlesV1, runId);
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = await KafkaBus.connect({ brokers, clientId: 'bus-pool-batches-it', ...threads, logger: () => undefined });
    await bus.ensureTopics([mdCandlesV1], runId);
  });
  afterAll(async () => {
    await bus.close();
    await dropTopics(brokers, [topic]);
  });

  it('delivers every record of batches larger than a chunk once, in order per key; an invalid value sends nothing of its batch', async () => {
    const symbols = TEST_SYMBOLS.slice(0, 6);
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => testCandle(symbols[(from + i) % symbols.length]!, Math.floor((from + i) / symbols.length), 'big'));
    const bad = batch(2_400, 1_200);
    bad[900] = { ...bad[900]!, close: -1 } as CandleEvent; // late in the batch: after several chunks' worth of values
    await expect(bus.publishBatch(mdCandlesV1, bad, { runId })).rejects.toBeInstanceOf(ContractViolationError);
    await Promise.all([bus.publishBatch(mdCandlesV1, batch(0, 1_200), { runId }), bus.publishBatch(mdCandlesV1, batch(1_200, 1_200), { runId })]);

    const got = new Map<string, number[]>();
    let count = 0;
    const sub = await bus.subscribe({ contract: mdCandlesV1, group: 'big', runId }, (m) => {
      count++;
      const seqs = got.get(m.key!) ?? [];
      seqs.push(seqOf(m.value));
      got.set(m.key!, seqs);
    });
    try {
      await eventually(async () => expect(await bus.lag('big', [topic])).toBe(0), { timeoutMs: 60_000 });
    } finally {
      await sub.close();
    }
    expect(count).toBe(2_400); // nothing of the invalid batch
    for (const s of symbols) expect(got.get(mdCandlesV1.key(testCandle(s, 0)))).toEqual(Array.from({ length: 400 }, (_, i) => i));
  }, 90_000);
});
