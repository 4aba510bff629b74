import { Kafka, logLevel } from 'kafkajs';
// Connection settings for the broker-backed tests. `npm test` (tools/test.mjs -> infra/up.sh)
// starts Kafka and FerretDB and exports these; a missing KAFKA_BROKERS fails the test loudly
// instead of skipping it, so a green run always means the broker path was exercised.

const HINT = 'run through npm test, which starts Kafka (or run infra/up.sh and export the KAFKA_BROKERS it prints)';

/** Brokers from KAFKA_BROKERS; throws (failing the suite) when unset. */
export function requireKafkaBrokers(): string[] {
  const raw = process.env.KAFKA_BROKERS?.trim();
  if (!raw) throw new Error(`KAFKA_BROKERS is not set: ${HINT}`);
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** MONGO_URL when set: the child consumer then records into MongoDB (FerretDB), else into a file. */
export function mongoUrlIfSet(): string | undefined {
  return process.env.MONGO_URL?.trim() || undefined;
}

/** Deletes a suite's topics and their dead-letter topics: best effort, a cleanup never fails a suite. */
export async function dropTopics(brokers: string[], topics: readonly string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bus-it-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics, ...topics.map((t) => `${t}.dlq`)] }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
