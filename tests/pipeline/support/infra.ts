// Connection settings of the real broker and MongoDB-wire server that `npm test` starts
// (tools/test.mjs -> infra/up.sh exports KAFKA_BROKERS and MONGO_URL). Integration tests FAIL with
// this message when they are missing: a green run always means the broker path was exercised.
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';

const HINT = 'run through `npm test`, which starts Kafka and FerretDB (or start them with infra/up.sh and export the KAFKA_BROKERS and MONGO_URL it prints)';

export function requireInfra(): { brokers: string[]; mongoUrl: string } {
  const brokers = process.env.KAFKA_BROKERS?.trim();
  const mongoUrl = process.env.MONGO_URL?.trim();
  const missing = [!brokers && 'KAFKA_BROKERS', !mongoUrl && 'MONGO_URL'].filter(Boolean);
  if (missing.length) throw new Error(`${missing.join(' and ')} not set: ${HINT}`);
  return { brokers: brokers!.split(',').map((s) => s.trim()).filter(Boolean), mongoUrl: mongoUrl! };
}

/** A run id unique to this test process and moment ([A-Za-z0-9_-]). */
export function uniqueRunId(prefix: string): string {
  return `${prefix}-${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
}

/** Deletes the run's topics (`run.<runId>.*`) and the services' databases of the run: tests leave nothing behind. */
export async function dropRun(runId: string, mongoDb: string): Promise<void> {
  const { brokers, mongoUrl } = requireInfra();
  const kafka = new Kafka({ clientId: 'pipeline-test-cleanup', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`run.${runId}.`));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const { databases } = await client.db('admin').admin().listDatabases();
    for (const d of databases) if (d.name.startsWith(`${mongoDb}_`)) await client.db(d.name).dropDatabase();
  } catch {
    // best effort
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Reads one document of a service's collection in its run database. */
export async function readDocs<T>(mongoDb: string, service: string, runId: string, collection: string, filter: Record<string, unknown> = {}): Promise<T[]> {
  const { mongoUrl } = requireInfra();
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const db = `${mongoDb}_${service}_run_${runId}`;
    if (db.length > 63) throw new Error(`database name ${db} is longer than 63: use a shorter MONGO_DB or run id`);
    return (await client.db(db).collection(collection).find(filter).toArray()) as unknown as T[];
  } finally {
    await client.close();
  }
}
