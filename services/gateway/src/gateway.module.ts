import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { gatewayConfig, type GatewayConfig } from './config';
import { EventsGateway } from './events.gateway';
import { StatusController } from './status.controller';

/**
 * gateway: the REST API (`GET /api/status`) and the WebSocket endpoint (`/ws`) of the dashboard;
 * later the commands to risk and execution (kill switch, cancel-all) and alerts.
 */
@Module({})
export class GatewayModule {
  static register(runtime: ServiceRuntime<GatewayConfig>): DynamicModule {
    return serviceModule(GatewayModule, runtime, { controllers: [StatusController], providers: [EventsGateway] });
  }
}

export const gatewayService = defineService({
  name: 'gateway',
  version,
  config: gatewayConfig,
  envPrefix: 'GATEWAY_',
  module: (runtime) => GatewayModule.register(runtime),
  configureApp(app: INestApplication, runtime) {
    app.useWebSocketAdapter(new WsAdapter(app));
    const origins = runtime.config.CORS_ORIGINS;
    if (origins?.length) app.enableCors({ origin: [...origins] });
  },
});
