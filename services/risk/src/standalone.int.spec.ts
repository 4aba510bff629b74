// Foundation II, service level: a service as its own process over the real Kafka broker and
// MongoDB-wire server that `npm test` starts (KAFKA_BROKERS / MONGO_URL; this FAILS when they are
// unset), and fail-fast start-up when either is unreachable.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { eventually } from '@atp/testing';

const HINT = 'run through `npm test`, which starts Kafka and FerretDB (or start them with infra/up.sh and export what it prints)';
/** The servers `npm test` started; throws (failing, never skipping, the suite) when unset. */
function infraEnv(): { kafkaBrokers: string; mongoUrl: string } {
  const kafkaBrokers = process.env.KAFKA_BROKERS?.trim();
  const mongoUrl = process.env.MONGO_URL?.trim();
  if (!kafkaBrokers) throw new Error(`KAFKA_BROKERS is not set: ${HINT}`);
  if (!mongoUrl) throw new Error(`MONGO_URL is not set: ${HINT}`);
  return { kafkaBrokers, mongoUrl };
}
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}`;

const ROOT = path.resolve(__dirname, '../../..');

interface Run {
  stdout: () => string;
  stderr: () => string;
  kill: (s: NodeJS.Signals) => void;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; at: number }>;
}

function startRisk(env: Record<string, string>): Run {
  const t0 = Date.now();
  const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'services/risk/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', BUS: 'kafka', STORE: 'mongo', STARTUP_TIMEOUT_MS: '8000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0, at: Date.now() })),
  );
  return { stdout: () => out, stderr: () => err, kill: (s) => child.kill(s), exit };
}

describe('risk as a standalone process (BUS=kafka, STORE=mongo)', () => {
  const infra = infraEnv(); // throws a clear message when not run through `npm test`
  const runs: Run[] = [];
  afterAll(async () => {
    for (const r of runs) r.kill('SIGKILL');
  });

  it('starts against the real broker and database, reports ready, and stops on SIGTERM with exit 0', async () => {
    const run = startRisk({ KAFKA_BROKERS: infra.kafkaBrokers, MONGO_URL: infra.mongoUrl, RUN_ID: uniqueName('risk-it'), MONGO_DB: 'atpit' });
    runs.push(run);
    const url = await eventually(
      () => {
        const m = /"msg":"ready","url":"(http:\/\/[^"]+)"/.exec(run.stdout());
        if (!m) throw new Error(`no ready log line yet\n${run.stdout()}\n${run.stderr()}`);
        return m[1]!;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const body = await eventually(
      async () => {
        const res = await fetch(`${url}/health/ready`);
        expect(res.status).toBe(200);
        return (await res.json()) as { ready: boolean; services: Record<string, { checks: Record<string, { ok: boolean; detail?: string }> }> };
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(body.ready).toBe(true);
    expect(body.services['risk']!.checks['bus']).toMatchObject({ ok: true, detail: expect.stringMatching(/broker\(s\)/) });
    expect(body.services['risk']!.checks['store']).toMatchObject({ ok: true });
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('atp_service_info{service="risk"');

    run.kill('SIGTERM');
    const exit = await run.exit;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(run.stdout()).toContain('"msg":"stopped","reason":"SIGTERM"');
  }, 60_000);

  it.each([
    ['an unreachable broker', { KAFKA_BROKERS: '127.0.0.1:1' }, /KAFKA_BROKERS=127\.0\.0\.1:1/],
    ['a MongoDB URL where nothing listens', { MONGO_URL: 'mongodb://atp:pw@127.0.0.1:1/' }, /MONGO_URL .*mongodb:\/\/atp:\[REDACTED\]@127\.0\.0\.1:1\//],
  ])('fails fast with %s: exit 1 within 15 s, one message naming the setting', async (_what, bad, message) => {
    const run = startRisk({ KAFKA_BROKERS: infra.kafkaBrokers, MONGO_URL: infra.mongoUrl, MONGO_DB: 'atpit', ...bad });
    runs.push(run);
    const exit = await run.exit;
    expect(exit.code).toBe(1);
    // From the service's "starting" record (config loaded, connecting) to its exit; the time to
    // load the TypeScript sources before that depends on the machine, not on the service.
    const starting = JSON.parse(run.stdout().split('\n').find((l) => l.includes('"msg":"starting"'))!) as { time: string };
    expect(exit.at - Date.parse(starting.time)).toBeLessThan(15_000);
    expect(exit.ms).toBeLessThan(40_000);
    const lines = run.stderr().trim().split('\n').filter((l) => !l.startsWith('{'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Start-up failed: /);
    expect(lines[0]).toMatch(message);
    expect(run.stderr()).not.toContain(':pw@');
  }, 60_000);
});
