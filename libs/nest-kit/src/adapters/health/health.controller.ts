import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import type { HttpResponse as Response } from '../../http-response';
import { HostContext, type HealthReport } from '../host/host-context';
import { HOST_INFO } from '../../tokens';

/**
 * Kubernetes-style probes. `/health/live`: the process is up (restart it if not).
 * `/health/ready`: every service's bus and store answer and its consumers run (503 otherwise, and
 * while starting or stopping: stop sending traffic). `/health`: both, as one JSON report.
 */
@Controller('health')
export class HealthController {
  constructor(@Inject(HOST_INFO) private readonly host: HostContext) {}

  @Get('live')
  live(@Res({ passthrough: true }) res: Response): { status: string; live: boolean } {
    const live = this.host.phase !== 'stopped';
    res.status(live ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: live ? 'ok' : 'stopped', live };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    return this.full(res);
  }

  @Get()
  async full(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.host.report();
    res.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
