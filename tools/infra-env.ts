// Connection settings of the real Kafka broker and MongoDB-wire server (FerretDB) that
// `npm test` (tools/test.mjs -> infra/up.sh) starts and exports to jest.
// Integration tests (*.int.spec.ts) import these instead of reading process.env directly.

const HINT = 'run through `npm test`, which starts Kafka and FerretDB (or start them with `infra/up.sh` and export what it prints)';

function required(name: 'KAFKA_BROKERS' | 'MONGO_URL'): string {
  const v = process.env[name];
  if (!v || !v.trim()) throw new Error(`${name} is not set: ${HINT}`);
  return v.trim();
}

/** Broker list for kafkajs, e.g. ['127.0.0.1:19092']. Throws when KAFKA_BROKERS is unset. */
export function kafkaBrokers(): string[] {
  return required('KAFKA_BROKERS')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** MongoDB connection string, e.g. 'mongodb://127.0.0.1:27018/'. Throws when MONGO_URL is unset. */
export function mongoUrl(): string {
  return required('MONGO_URL');
}

/** Both, for tests that need the whole stack. */
export function infraEnv(): { kafkaBrokers: string[]; mongoUrl: string } {
  return { kafkaBrokers: kafkaBrokers(), mongoUrl: mongoUrl() };
}

/**
 * A unique name for one test's topics / database, so parallel jest workers and repeated runs
 * never share state: `<prefix>-<pid>-<time>-<random>` with only [A-Za-z0-9_-].
 */
export function uniqueName(prefix: string): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${rand}`.replace(/[^A-Za-z0-9_-]/g, '_');
}
