import { Inject } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { WebSocket } from 'ws';
import { HOST_INFO, HostContext, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import { DashboardStore } from './dashboard.feed';
import type { DashboardMessage } from './dashboard-state';

/** First message on every connection; a `snapshot` follows, then the stream ({@link DashboardMessage}). */
export interface HelloMessage {
  type: 'hello';
  serverTime: string;
  mode: 'paper' | 'live';
  deployment: 'standalone' | 'embedded';
  services: string[];
}

/** A client whose send buffer exceeds this is too slow: it is dropped (it reconnects for a new snapshot). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * WebSocket endpoint `/ws` on the gateway's HTTP port (@nestjs/platform-ws): `hello`, then a
 * `snapshot` of the dashboard state, then every strategy intent, fill, account P&L, order update,
 * rejection, alert and kill-switch change as it arrives (JSON text frames). Clients only listen.
 */
@WebSocketGateway({ path: '/ws' })
export class EventsGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly clients = new Set<WebSocket>();

  constructor(
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(HOST_INFO) private readonly host: HostContext,
    @Inject(DashboardStore) private readonly store: DashboardStore,
  ) {
    store.listen((messages) => this.broadcast(messages));
  }

  handleConnection(client: WebSocket): void {
    const hello: HelloMessage = {
      type: 'hello',
      serverTime: new Date(this.runtime.clock.now()).toISOString(),
      mode: this.host.mode,
      deployment: this.host.deployment,
      services: this.host.services.map((s) => s.name),
    };
    client.send(JSON.stringify(hello));
    const snapshot: DashboardMessage = { type: 'snapshot', ...this.store.state.snapshot() };
    client.send(JSON.stringify(snapshot));
    this.clients.add(client);
  }

  handleDisconnect(client: WebSocket): void {
    this.clients.delete(client);
  }

  /** Connected clients. */
  get size(): number {
    return this.clients.size;
  }

  private broadcast(messages: readonly DashboardMessage[]): void {
    if (this.clients.size === 0 || messages.length === 0) return;
    const frames = messages.map((m) => JSON.stringify(m));
    for (const c of this.clients) {
      if (c.readyState !== WebSocket.OPEN) continue;
      if (c.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.clients.delete(c);
        c.terminate();
        continue;
      }
      for (const f of frames) c.send(f);
    }
  }
}
