import { Controller, Get, Inject } from '@nestjs/common';
import { HOST_INFO, HostContext, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';

/** GET /api/status: what runs here, at which version, in which trading mode. */
export interface StatusResponse {
  platform: 'atp';
  mode: 'paper' | 'live';
  deployment: 'standalone' | 'embedded';
  runId: string | null;
  bus: 'in-process' | 'kafka';
  store: 'memory' | 'mongo';
  /** Server time (the gateway's clock), ISO 8601 UTC. */
  serverTime: string;
  ready: boolean;
  services: { name: string; version: string; ready: boolean }[];
}

@Controller('api')
export class StatusController {
  constructor(
    @Inject(HOST_INFO) private readonly host: HostContext,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  /**
   * The services of this process with their readiness. A standalone gateway lists itself only:
   * the others are separate processes with their own /health (discovery over the bus comes later).
   */
  @Get('status')
  async status(): Promise<StatusResponse> {
    const report = await this.host.report();
    const c = this.runtime.config;
    return {
      platform: 'atp',
      mode: report.mode,
      deployment: report.deployment,
      runId: c.RUN_ID ?? null,
      bus: c.BUS,
      store: c.STORE,
      serverTime: new Date(this.runtime.clock.now()).toISOString(),
      ready: report.ready,
      services: Object.values(report.services).map((s) => ({ name: s.name, version: s.version, ready: s.ready })),
    };
  }
}
