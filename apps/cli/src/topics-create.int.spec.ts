// `topics create` against the real broker `npm test` starts (FAILS when KAFKA_BROKERS is unset).
import { Kafka, logLevel, ConfigResourceTypes } from 'kafkajs';
import { ALL_TOPICS, topicName } from '@atp/contracts';
import { runCli } from './program';

/** Throws (failing, never skipping, the suite) when not run through `npm test`. */
function kafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS?.trim();
  if (!raw) throw new Error('KAFKA_BROKERS is not set: run through `npm test`, which starts Kafka (or start it with infra/up.sh and export what it prints)');
  return raw.split(',').map((b) => b.trim());
}

describe('cli topics create (real Kafka)', () => {
  const brokers = kafkaBrokers();
  const runId = `cli-${process.pid}-${Date.now().toString(36)}`;
  const admin = new Kafka({ clientId: 'cli-int-spec', brokers, logLevel: logLevel.NOTHING }).admin();
  const names = ALL_TOPICS.flatMap((t) => [topicName(t, runId), `${topicName(t, runId)}.dlq`]);
  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: names }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates every topic and its .dlq with the contract partitions and retention, idempotently', async () => {
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env: {} };
    expect(await runCli(['topics', 'create', '--run-id', runId, '--brokers', brokers.join(',')], io)).toBe(0);
    expect(err).toBe('');
    expect(out).toContain(`ensured 30 topics (15 + dead-letter) on ${brokers.join(',')}`);

    const existing = new Set(await admin.listTopics());
    for (const n of names) expect(existing.has(n)).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: ALL_TOPICS.map((t) => topicName(t, runId)) });
    for (const t of ALL_TOPICS) expect(meta.topics.find((m) => m.name === topicName(t, runId))!.partitions).toHaveLength(t.partitions);
    const candles = ALL_TOPICS.find((t) => t.name === 'md.candles.v1')!;
    const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName(candles, runId), configNames: ['retention.ms'] }] });
    expect(cfg.resources[0]!.configEntries[0]!.configValue).toBe('-1');

    expect(await runCli(['topics', 'create', '--run-id', runId, '--brokers', brokers.join(',')], io)).toBe(0);
  }, 60_000);
});
