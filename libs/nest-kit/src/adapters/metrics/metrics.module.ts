import { Module, type DynamicModule } from '@nestjs/common';
import type { Metrics } from '@atp/observability';
import { METRICS } from '../../tokens';
import { MetricsController } from './metrics.controller';

/** `/metrics` for the process's registry (one per process, shared by embedded services). */
@Module({})
export class MetricsModule {
  static forRoot(metrics: Metrics): DynamicModule {
    return { module: MetricsModule, controllers: [MetricsController], providers: [{ provide: METRICS, useValue: metrics }] };
  }
}
