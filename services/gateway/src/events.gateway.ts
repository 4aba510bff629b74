import { Inject } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { HOST_INFO, HostContext, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';

/** First message on every connection; event streams for the dashboard follow in later issues. */
export interface HelloMessage {
  type: 'hello';
  serverTime: string;
  mode: 'paper' | 'live';
  deployment: 'standalone' | 'embedded';
  services: string[];
}

/** WebSocket endpoint `/ws` on the gateway's HTTP port (@nestjs/platform-ws). */
@WebSocketGateway({ path: '/ws' })
export class EventsGateway implements OnGatewayConnection {
  constructor(
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(HOST_INFO) private readonly host: HostContext,
  ) {}

  handleConnection(client: WebSocket): void {
    const hello: HelloMessage = {
      type: 'hello',
      serverTime: new Date(this.runtime.clock.now()).toISOString(),
      mode: this.host.mode,
      deployment: this.host.deployment,
      services: this.host.services.map((s) => s.name),
    };
    client.send(JSON.stringify(hello));
  }
}
