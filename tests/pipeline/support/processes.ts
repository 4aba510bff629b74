import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipelineSpec } from '@atp/backtest';
import { requireInfra } from './infra';

export const ROOT = path.resolve(__dirname, '../../..');

/** One service running as its own process (`node -r ./tools/register.cjs services/<name>/src/main.ts`). */
export class ServiceProcess {
  readonly child: ChildProcess;
  private out = '';
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
    logFile?: string,
  ) {
    this.child = spawn(process.execPath, ['-r', './tools/register.cjs', `services/${name}/src/main.ts`], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : undefined;
    const take = (d: Buffer) => {
      this.out += d.toString();
      if (this.out.length > 2_000_000) this.out = this.out.slice(-1_000_000);
      log?.write(d);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (/"msg":"ready"/.test(this.out)) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, 50);
      void this.exited.then(({ code, signal }) => {
        clearInterval(timer);
        reject(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready:\n${this.out.slice(-4000)}`));
      });
    });
    this.ready.catch(() => undefined);
  }

  get pid(): number {
    return this.child.pid!;
  }

  logs(): string {
    return this.out;
  }

  /**
   * The service's own JSON log records at error level or above. Kafka client records
   * (`component: bus`, e.g. a consumer restarted while a fresh broker's group coordinator loads)
   * are left out: the bus recovers from those itself.
   */
  errors(): string[] {
    return this.out.split('\n').filter((l) => /"level":"(error|fatal)"/.test(l) && !/"component":"bus"/.test(l));
  }

  /** Kills the process with `signal` (SIGKILL: no shutdown at all) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** The environment of a pipeline service process on the real broker and FerretDB, for one run. */
export function serviceEnv(spec: PipelineSpec, mongoDb: string, extra: Record<string, string> = {}): Record<string, string> {
  const { brokers, mongoUrl } = requireInfra();
  return {
    BUS: 'kafka',
    KAFKA_BROKERS: brokers.join(','),
    STORE: 'mongo',
    MONGO_URL: mongoUrl,
    MONGO_DB: mongoDb,
    RUN_ID: spec.runId,
    PIPELINE_SPEC: JSON.stringify(spec),
    SERVICE_PORT: '0',
    SERVICE_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    STARTUP_TIMEOUT_MS: '60000',
    SHUTDOWN_TIMEOUT_MS: '30000',
    ...extra,
  };
}

/** The four pipeline services as separate processes; `restart` replaces one by a fresh process. */
export class KafkaPipeline {
  readonly procs = new Map<string, ServiceProcess>();

  constructor(
    private readonly spec: PipelineSpec,
    private readonly mongoDb: string,
    private readonly extraEnv: Record<string, Record<string, string>> = {},
    private readonly logDir?: string,
  ) {}

  start(names: readonly string[] = ['strategy', 'risk', 'execution', 'pnl']): Promise<void> {
    for (const n of names) this.spawn(n);
    return Promise.all(names.map((n) => this.procs.get(n)!.ready)).then(() => undefined);
  }

  spawn(name: string): ServiceProcess {
    const p = new ServiceProcess(name, serviceEnv(this.spec, this.mongoDb, this.extraEnv[name] ?? {}), this.logDir ? path.join(this.logDir, `${name}.log`) : undefined);
    this.procs.set(name, p);
    return p;
  }

  get(name: string): ServiceProcess {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no ${name} process`);
    return p;
  }

  async restart(name: string): Promise<ServiceProcess> {
    const p = this.spawn(name);
    await p.ready;
    return p;
  }

  errors(): string[] {
    return [...this.procs.values()].flatMap((p) => p.errors().map((l) => `${p.name}: ${l}`));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.kill('SIGTERM')));
  }

  async kill(): Promise<void> {
    await Promise.all([...this.procs.values()].map((p) => p.kill('SIGKILL')));
  }
}
