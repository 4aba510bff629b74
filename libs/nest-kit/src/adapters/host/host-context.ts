import type { HealthStatus } from '@atp/bus';
import type { ServiceRuntime } from '../runtime/service-runtime';

export type HostPhase = 'starting' | 'running' | 'stopping' | 'stopped';
export type Deployment = 'standalone' | 'embedded';

/** What a service's bus consumer exposes to its host. */
export interface ConsumerHandle {
  health(): HealthStatus;
  /** Stops consuming after in-flight handlers finish. Idempotent. */
  stop(): Promise<void>;
}

export interface ServiceHealth {
  name: string;
  version: string;
  ready: boolean;
  checks: Record<string, HealthStatus>;
}

export interface HealthReport {
  /** `ok` when ready; otherwise the phase or `unavailable`. */
  status: 'ok' | 'starting' | 'unavailable' | 'stopping' | 'stopped';
  live: boolean;
  ready: boolean;
  phase: HostPhase;
  deployment: Deployment;
  mode: 'paper' | 'live';
  uptimeSeconds: number;
  services: Record<string, ServiceHealth>;
}

/** A readiness check never hangs a probe longer than this. */
export const CHECK_TIMEOUT_MS = 2_000;

/**
 * The process-level state every module can read (health endpoints, the gateway's status API):
 * which services run here, their runtimes, the lifecycle phase, and their bus consumers.
 */
export class HostContext {
  phase: HostPhase = 'starting';
  private readonly startedAt = Date.now();
  private readonly consumers = new Map<string, ConsumerHandle>();

  constructor(
    readonly name: string,
    readonly deployment: Deployment,
    readonly services: readonly ServiceRuntime[],
  ) {}

  get mode(): 'paper' | 'live' {
    return this.services.some((s) => s.config.TRADING_MODE === 'live') ? 'live' : 'paper';
  }

  registerConsumer(service: string, handle: ConsumerHandle): void {
    this.consumers.set(service, handle);
  }

  /** Stops every service's consumers in parallel, each after its in-flight handlers. */
  async stopConsumers(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.stop()));
  }

  async serviceHealth(rt: ServiceRuntime): Promise<ServiceHealth> {
    const consumer = this.consumers.get(rt.name);
    const [bus, store] = await Promise.all([withTimeout(() => rt.bus.health()), withTimeout(() => rt.store.health())]);
    const checks: Record<string, HealthStatus> = {
      bus,
      store,
      consumers: consumer ? consumer.health() : { ok: false, detail: 'not started' },
    };
    const ready = this.phase === 'running' && Object.values(checks).every((c) => c.ok);
    return { name: rt.name, version: rt.version, ready, checks };
  }

  async report(): Promise<HealthReport> {
    const list = await Promise.all(this.services.map((s) => this.serviceHealth(s)));
    const ready = this.phase === 'running' && list.every((s) => s.ready);
    const status = ready ? 'ok' : this.phase === 'running' ? 'unavailable' : this.phase;
    return {
      status,
      live: this.phase !== 'stopped',
      ready,
      phase: this.phase,
      deployment: this.deployment,
      mode: this.mode,
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 100) / 10,
      services: Object.fromEntries(list.map((s) => [s.name, s])),
    };
  }
}

async function withTimeout(check: () => Promise<HealthStatus>): Promise<HealthStatus> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthStatus>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((e: unknown) => ({ ok: false, detail: (e as Error)?.message ?? String(e) })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
