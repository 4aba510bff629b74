import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ALL_TOPICS } from '@atp/contracts';
import { runCli, type CliIo } from './index';

function capture(env: Record<string, string> = {}): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), env, stdout: () => out, stderr: () => err };
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const io = capture(env);
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('cli', () => {
  it('--help lists the verbs', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: atp/);
    expect(r.out).toMatch(/^\s+topics\s/m);
    expect(r.out).toMatch(/^\s+config\s/m);
  });

  it.each(['topics', 'topics list', 'topics create', 'config', 'config check'])('`%s --help` explains the verb', async (verb) => {
    const r = await cli([...verb.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: atp ${verb}`);
  });

  it('topics list prints all 15 topics with partitions, retention and key', async () => {
    const r = await cli(['topics', 'list']);
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n').slice(1, -1);
    expect(rows).toHaveLength(15);
    expect(rows.map((l) => l.split(/\s+/)[0])).toEqual(ALL_TOPICS.map((t) => t.name));
    expect(r.out).toMatch(/^md\.candles\.v1\s+6\s+forever\s+exchange:symbol$/m);
    expect(r.out).toMatch(/^risk\.commands\.v1\s+1\s+forever\s+"risk" \(constant\)$/m);
    expect(r.out).toMatch(/^orders\.commands\.v1\s+1\s+90d\s+exchange:symbol or "all"$/m);
  });

  it('topics list --json --run-id gives the physical names of a run', async () => {
    const r = await cli(['topics', 'list', '--json', '--run-id', 'r42']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { topic: string; dlq: string; partitions: number }[];
    expect(rows).toHaveLength(15);
    expect(rows[0]).toMatchObject({ topic: 'run.r42.md.candles.v1', dlq: 'run.r42.md.candles.v1.dlq', partitions: 6 });
  });

  it('config check prints a valid configuration with secrets redacted', async () => {
    const r = await cli(['config', 'check', 'execution'], { BUS: 'in-process', STORE: 'mongo', MONGO_URL: 'mongodb://atp:hunter2@db:27017/', EXCHANGE_API_SECRET: 'topsecret' });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^MONGO_URL\s+mongodb:\/\/atp:\[REDACTED\]@db:27017\/\s+from MONGO_URL$/m);
    expect(r.out).toMatch(/^EXCHANGE_API_SECRET\s+\[REDACTED\]\s+from EXCHANGE_API_SECRET$/m);
    expect(r.out).toMatch(/^SERVICE_PORT\s+3007\s+default$/m);
    expect(r.out).not.toMatch(/hunter2|topsecret/);
    const json = await cli(['config', 'check', 'risk', '--json', '--prefix', 'RISK_'], { BUS: 'in-process', STORE: 'memory', RISK_LOG_LEVEL: 'debug' });
    expect(JSON.parse(json.out)).toMatchObject({ service: 'risk', valid: true, config: { LOG_LEVEL: 'debug', SERVICE_PORT: 3006 } });
  });

  it('config check fails with exit 1 and the message naming the key', async () => {
    const r = await cli(['config', 'check', 'gateway'], { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: 'eighty' });
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: gateway: Invalid configuration: SERVICE_PORT must be a TCP port (an integer between 0 and 65535) (got "eighty")\n');
  });

  it.each([
    [['config', 'check', 'nope'], /unknown service "nope": use one of market-feed, /],
    [['config', 'check'], /missing required argument 'service'/],
    [['topics', 'create'], /no Kafka brokers: pass --brokers/],
    [['topics', 'create', '--brokers', 'localhost'], /must be a comma-separated list of host:port \(got "localhost"\)/],
    [['topics', 'list', '--run-id', 'a b'], /--run-id must be 1-64 characters/],
    [['deploy'], /unknown command 'deploy'/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  describe('as a process (`npm run cli -- ...`)', () => {
    const root = path.resolve(__dirname, '../../..');
    const run = (args: string[]) => spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 55_000 });

    it('--help lists the verbs and topics list prints the 15 topics', () => {
      const help = run(['--help']);
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/^\s+topics\s/m);
      const list = run(['topics', 'list']);
      expect(list.status).toBe(0);
      for (const t of ALL_TOPICS) expect(list.stdout).toContain(`${t.name} `);
    });

    it('topics create fails fast (exit 1) with one line naming KAFKA_BROKERS when no broker answers', () => {
      const t0 = Date.now();
      const r = run(['topics', 'create', '--brokers', '127.0.0.1:1', '--timeout', '1000']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^error: KAFKA_BROKERS=127\.0\.0\.1:1: cannot reach a Kafka broker.*\n$/);
      // Fast = bounded by the 1 s connect timeout plus process start-up (TypeScript compile), not by
      // kafkajs's retry schedule (minutes); the bound leaves room for a loaded 2-core machine.
      expect(Date.now() - t0).toBeLessThan(20_000);
    }, 60_000);
  });
});
