// The features service as its own process over the real Kafka broker and FerretDB that `npm test`
// starts (KAFKA_BROKERS / MONGO_URL; this FAILS when they are unset): SIGKILLed mid-stream and
// restarted, it resumes from its snapshot, and the feature vectors of the whole run (deduped by
// event id) equal an uninterrupted computation with the same code (the backtester's
// FeatureComputer) on 1,000 recorded Binance BTC/USDT 1h candles (../shared/data/binance-spot).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { KafkaBus } from '@atp/bus';
import { TOPICS, type FeatureVectorEvent } from '@atp/contracts';
import { databaseName } from '@atp/nest-kit';
import { eventually } from '@atp/testing';
import { featureVectorId } from './features-core';
import { backtesterFeatures, recordedCandles } from './test-support';

const HINT = 'run through `npm test`, which starts Kafka and FerretDB (or start them with infra/up.sh and export the KAFKA_BROKERS and MONGO_URL it prints)';
function requireInfra(): { brokers: string[]; mongoUrl: string } {
  const brokers = process.env.KAFKA_BROKERS?.trim();
  const mongoUrl = process.env.MONGO_URL?.trim();
  const missing = [!brokers && 'KAFKA_BROKERS', !mongoUrl && 'MONGO_URL'].filter(Boolean);
  if (missing.length) throw new Error(`${missing.join(' and ')} not set: ${HINT}`);
  return { brokers: brokers!.split(',').map((s) => s.trim()).filter(Boolean), mongoUrl: mongoUrl! };
}

const ROOT = path.resolve(__dirname, '../../..');

class FeaturesProcess {
  readonly child: ChildProcess;
  private out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['-r', './tools/register.cjs', 'services/features/src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (d: Buffer) => {
      this.out += d.toString();
      if (this.out.length > 4_000_000) this.out = this.out.slice(-2_000_000);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }
  logs(): string {
    return this.out;
  }
  ready(): Promise<true> {
    return eventually(
      () => {
        if (this.child.exitCode !== null) throw new Error(`features exited (${this.child.exitCode}) before ready:\n${this.out.slice(-4000)}`);
        if (!/"msg":"ready"/.test(this.out)) throw new Error(`features not ready yet:\n${this.out.slice(-2000)}`);
        return true as const;
      },
      { timeoutMs: 90_000, intervalMs: 100 },
    );
  }
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

describe('features as a separate process over Kafka and FerretDB', () => {
  const { brokers, mongoUrl } = requireInfra(); // throws (fails the suite) when not run through `npm test`
  const runId = `feat-it-${process.pid.toString(36)}${Date.now().toString(36)}`;
  const mongoDb = `tf${Date.now().toString(36)}`;
  const procs: FeaturesProcess[] = [];
  let bus: KafkaBus | undefined;

  afterAll(async () => {
    for (const p of procs) await p.kill('SIGKILL');
    await bus?.close();
    // leave nothing behind: the run's topics and the service's database
    const kafka = new Kafka({ clientId: 'features-it-cleanup', brokers, logLevel: logLevel.NOTHING });
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
      await client.db(databaseName({ MONGO_DB: mongoDb, RUN_ID: runId }, 'features')).dropDatabase();
    } catch {
      // best effort
    } finally {
      await client.close().catch(() => undefined);
    }
  }, 120_000);

  it('SIGKILLed after ~40% of 1,000 BTC 1h candles and restarted: the vectors equal an uninterrupted run', async () => {
    const candles = recordedCandles('BTC', '1h', 1000);
    const ref = backtesterFeatures('default-v1', candles);
    const env = {
      BUS: 'kafka',
      STORE: 'mongo',
      KAFKA_BROKERS: brokers.join(','),
      MONGO_URL: mongoUrl,
      MONGO_DB: mongoDb,
      RUN_ID: runId,
      FEATURE_SETS: 'default-v1',
      SERVICE_PORT: '0',
      SERVICE_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      STARTUP_TIMEOUT_MS: '60000',
    };
    bus = await KafkaBus.connect({ brokers, clientId: `features-it-${runId}`, logLevel: 'error' });
    await bus.ensureTopics([TOPICS.mdCandles, TOPICS.features], runId);

    // The collector: every delivery, deduped by event id; a re-published vector must equal the first.
    const byId = new Map<string, FeatureVectorEvent>();
    const conflicts: string[] = [];
    let deliveries = 0;
    const sub = await bus.subscribe({ contract: TOPICS.features, group: `collector-${runId}`, runId }, (m) => {
      deliveries++;
      const v = m.value;
      const old = byId.get(v.eventId);
      if (old && JSON.stringify({ ...old, tsInit: 0 }) !== JSON.stringify({ ...v, tsInit: 0 })) conflicts.push(v.eventId);
      byId.set(v.eventId, v);
    });

    const a = new FeaturesProcess(env);
    procs.push(a);
    await a.ready();
    const killAt = 400;
    for (let i = 0; i < killAt; i += 50) await bus.publishBatch(TOPICS.mdCandles, candles.slice(i, i + 50), { runId });
    // mid-stream: some but not all of the published candles processed
    await eventually(() => expect(byId.size).toBeGreaterThanOrEqual(250), { timeoutMs: 120_000, intervalMs: 20 });
    const exit = await a.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
    const beforeKill = byId.size;
    for (let i = killAt; i < candles.length; i += 50) await bus.publishBatch(TOPICS.mdCandles, candles.slice(i, i + 50), { runId });

    const b = new FeaturesProcess(env);
    procs.push(b);
    await b.ready();
    await eventually(() => expect(byId.size).toBe(candles.length), { timeoutMs: Number(process.env.FEATURES_IT_WAIT_MS ?? 240_000), intervalMs: 100 }).catch((e) => {
      throw new Error(`${(e as Error).message}\nlast log lines of the restarted process:\n${b.logs().split('\n').slice(-30).join('\n')}`);
    });
    expect(b.logs()).toMatch(/"msg":"feature stream resumed"/);

    expect(conflicts).toEqual([]);
    const bad: string[] = [];
    candles.forEach((c, i) => {
      const v = byId.get(featureVectorId(c.eventId, { name: 'default-v1', version: 1 }));
      const r = ref.rows[i]!;
      if (!v) return void bad.push(`bar ${i}: no vector`);
      if (v.openTime !== c.openTime || v.stable !== r.stable || v.gapBefore !== r.gapBefore) bad.push(`bar ${i}: flags`);
      ref.columns.forEach((col, k) => {
        const x = v.values[col];
        const y = r.values[k]!;
        if (Number.isNaN(y) ? x !== null : !Object.is(x, y)) bad.push(`bar ${i} ${col}: ${x} vs ${y}`);
      });
    });
    expect(bad.slice(0, 10)).toEqual([]);
    expect([...byId.values()].filter((v) => v.gapBefore).map((v) => candles.findIndex((c) => c.openTime === v.openTime))).toEqual([495, 575]);
    expect(b.logs().split('\n').filter((l) => /"level":"(error|fatal)"/.test(l) && !/"component":"bus"/.test(l))).toEqual([]);
    console.log(`features SIGKILL/restart over Kafka: killed with ${beforeKill}/${killAt} published candles' vectors seen, ${deliveries} deliveries for ${byId.size} distinct vectors`);
    await sub.close();
  }, 480_000);
});
