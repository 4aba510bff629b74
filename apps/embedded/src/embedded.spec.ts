// `npm start` as a user runs it: tools/start.mjs spawns the embedded launcher, every service
// becomes ready in one process, /health answers 200, and SIGINT stops it with exit code 0.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from '@atp/testing';

const ROOT = path.resolve(__dirname, '../../..');

interface Launched {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function launch(args: string[], env: Record<string, string> = {}): Launched {
  const child = spawn(process.execPath, ['tools/start.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, GATEWAY_SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a failed test can kill the launcher AND its child (-pid), so no orphan
    // keeps the pipes open.
    detached: true,
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, err: () => err, exit };
}


describe('embedded launcher (npm start)', () => {
  let running: Launched | undefined;
  afterEach(() => {
    if (running?.child.pid && running.child.exitCode === null && running.child.signalCode === null) {
      try {
        process.kill(-running.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('boots every service in one process, serves /health 200, and exits 0 on SIGINT', async () => {
    running = launch([]);
    const t0 = Date.now();
    const url = await eventually(
      () => {
        const m = /Open (http:\/\/127\.0\.0\.1:\d+)\/ /.exec(running!.out());
        if (!m) throw new Error(`no ready summary yet\n${running!.out()}\n${running!.err()}`);
        return m[1]!;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const startupMs = Date.now() - t0;
    expect(running.out()).toContain('9/9 services ready');

    // The replay of the recorded candles feeds the pipeline: paper fills within seconds.
    const fills = await eventually(async () => {
      const f = (await (await fetch(`${url}/api/fills`)).json()) as { symbol: string; runId: string }[];
      if (f.length === 0) throw new Error('no fills yet');
      return f;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(fills[0]).toMatchObject({ runId: 'paper' });
    const token = /Admin token \(kill switch\) for this start: (\S+)/.exec(running.out())?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    const health = (await res.json()) as { ready: boolean; deployment: string; services: Record<string, { ready: boolean }> };
    expect(health.deployment).toBe('embedded');
    expect(Object.keys(health.services)).toEqual(['market-feed', 'otc-quotes', 'features', 'ml-inference', 'strategy', 'risk', 'execution', 'pnl', 'gateway']);
    expect(Object.values(health.services).every((s) => s.ready)).toBe(true);

    const status = (await (await fetch(`${url}/api/status`)).json()) as { services: unknown[]; mode: string };
    expect(status.services).toHaveLength(9);
    expect(status.mode).toBe('paper');
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('atp_service_info{service="risk"');

    running.child.kill('SIGINT');
    expect(await running.exit).toEqual({ code: 0, signal: null });
    const logs = running.out().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs).toContainEqual(expect.objectContaining({ service: 'embedded', msg: 'stopped', reason: 'SIGINT' }));
    expect(logs).toContainEqual(expect.objectContaining({ service: 'market-feed', msg: 'replay started', mode: 'lockstep', rate: 100 }));
    expect(running.out().split(token!).length - 1).toBe(1); // printed once, never logged
    expect(startupMs).toBeLessThan(60_000);
  }, 90_000);

  it('--exit-after-ready stops by itself with exit code 0', async () => {
    running = launch(['--exit-after-ready']);
    expect(await running.exit).toEqual({ code: 0, signal: null });
    expect(running.out()).toContain('9/9 services ready');
  }, 90_000);

  it('refuses a bad configuration with one message, once, and exit code 1', async () => {
    running = launch([], { LOG_LEVEL: 'loud', RISK_RISK_MAX_ORDER_NOTIONAL: 'x' });
    expect((await running.exit).code).toBe(1);
    const lines = running.err().trim().split('\n');
    expect(lines).toEqual([
      'Invalid configuration: LOG_LEVEL must be one of trace|debug|info|warn|error|fatal|silent (got "loud"); RISK_RISK_MAX_ORDER_NOTIONAL must be a non-negative decimal number such as 0.001 (got "x")',
    ]);
  }, 90_000);
});
