import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { AuditController } from './audit.controller';
import { gatewayConfig, type GatewayConfig } from './config';
import { DashboardController } from './dashboard.controller';
import { DashboardStore } from './dashboard.feed';
import { EventsGateway } from './events.gateway';
import { StatusController } from './status.controller';

/**
 * gateway: the dashboard (`GET /`), its REST API (`/api/status`, `/api/dashboard`, `/api/fills`,
 * `/api/pnl`, `/api/kill-switch`) and WebSocket stream (`/ws`), fed by its own consumer group on
 * fills, P&L, order events, rejections and alerts; the admin commands to risk (kill switch).
 */
@Module({})
export class GatewayModule {
  static register(runtime: ServiceRuntime<GatewayConfig>): DynamicModule {
    return serviceModule(GatewayModule, runtime, { controllers: [StatusController, DashboardController, AuditController], providers: [DashboardStore, EventsGateway] });
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
