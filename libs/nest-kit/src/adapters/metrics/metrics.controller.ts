import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { HttpResponse as Response } from '../../http-response';
import type { Metrics } from '@atp/observability';
import { METRICS } from '../../tokens';

/** Prometheus scrape endpoint: every `atp_*` metric of the process, in the text format. */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  @Get()
  async scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.setHeader('Content-Type', this.metrics.contentType);
    return this.metrics.text();
  }
}
