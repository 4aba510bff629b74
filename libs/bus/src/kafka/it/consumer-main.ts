// A consumer in its own process, for the broker-backed integration tests (test-only, not a service
// handler): subscribes to md.candles.v1 of a run through the Kafka bus and records every delivery
// (and, in `apply` mode, applies it idempotently) into MongoDB when MONGO_URL is set, else files.
//
//   node -r ./tools/register.cjs libs/bus/src/kafka/it/consumer-main.ts
//
// Env: KAFKA_BROKERS (required), BUS_IT_RUN_ID, BUS_IT_GROUP, BUS_IT_SINK_NAME, BUS_IT_MODE
// (record | apply), BUS_IT_DELAY_MS (simulated I/O per message), BUS_IT_COMMIT_INTERVAL_MS,
// BUS_IT_SESSION_TIMEOUT_MS, MONGO_URL or BUS_IT_DIR. Prints `ready` once subscribed; exits 0 on
// SIGTERM after closing the bus, 2 when it cannot start.
import { mdCandlesV1 } from '@atp/contracts';
import { KafkaBus } from '../kafka-bus';
import { kafkaConfigFromEnv } from '../config';
import { openSink } from './sink';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function main(): Promise<void> {
  const env = process.env;
  const runId = need('BUS_IT_RUN_ID');
  const group = need('BUS_IT_GROUP');
  const mode = env.BUS_IT_MODE === 'apply' ? 'apply' : 'record';
  const delayMs = Number(env.BUS_IT_DELAY_MS ?? 0);
  const sink = await openSink({ mongoUrl: env.MONGO_URL || undefined, name: need('BUS_IT_SINK_NAME'), dir: env.BUS_IT_DIR });
  const bus = await KafkaBus.connect({
    ...kafkaConfigFromEnv(env, `bus-it-consumer-${process.pid}`),
    commitIntervalMs: env.BUS_IT_COMMIT_INTERVAL_MS ? Number(env.BUS_IT_COMMIT_INTERVAL_MS) : undefined,
    sessionTimeoutMs: env.BUS_IT_SESSION_TIMEOUT_MS ? Number(env.BUS_IT_SESSION_TIMEOUT_MS) : undefined,
  });
  await bus.subscribe({ contract: mdCandlesV1, group, runId }, async (m) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs)); // the side effect's I/O
    const applied = mode === 'apply' ? await sink.apply(m.key!, m.offset) : undefined;
    await sink.recordDelivery({
      key: m.key!,
      partition: m.partition,
      offset: m.offset,
      eventId: m.value.eventId,
      timestamp: m.timestamp,
      attempt: m.attempt,
      traceparent: m.headers.traceparent,
      pid: process.pid,
      applied,
    });
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void bus
      .close()
      .then(() => sink.close())
      .then(() => process.exit(0));
  });
}

main().catch((e: Error) => {
  process.stderr.write(`consumer-main: ${e.name}: ${e.message}\n`);
  process.exit(2);
});
