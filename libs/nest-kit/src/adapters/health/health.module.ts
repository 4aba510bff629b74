import { Module, type DynamicModule } from '@nestjs/common';
import type { HostContext } from '../host/host-context';
import { HOST_INFO } from '../../tokens';
import { HealthController } from './health.controller';

/** `/health`, `/health/live`, `/health/ready` over the host's services; exports HOST_INFO globally. */
@Module({})
export class HealthModule {
  static forRoot(host: HostContext): DynamicModule {
    return {
      module: HealthModule,
      global: true,
      controllers: [HealthController],
      providers: [{ provide: HOST_INFO, useValue: host }],
      exports: [HOST_INFO],
    };
  }
}
