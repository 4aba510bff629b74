import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, type DecisionEvent, type FillEvent, type OrderEvent, type OrderRejectedEvent, type PnlEvent, type RiskAlertEvent } from '@atp/contracts';
import { OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { GatewayConfig } from './config';
import { DashboardState, type DashboardMessage } from './dashboard-state';

/** The dashboards are off the candle -> order path: an in-process bus delivers to them after the pipeline services (SubscribeOptions.background). */
const OFF_PATH = Object.freeze({ background: true });

/**
 * The gateway's consumer (group `gateway`): orders.intents.v1, fills.v1, pnl.v1, orders.events.v1, risk.alerts.v1 and
 * orders.rejected.v1 into the {@link DashboardState}; the resulting messages go to the listeners
 * (the WebSocket endpoint streams them to the dashboards).
 */
@Injectable()
export class DashboardStore {
  readonly state: DashboardState;
  private readonly listeners: ((messages: readonly DashboardMessage[]) => void)[] = [];

  constructor(@Inject(SERVICE_RUNTIME) rt: ServiceRuntime<GatewayConfig>) {
    this.state = new DashboardState({ keep: rt.config.DASHBOARD_FILLS, equityPoints: rt.config.DASHBOARD_EQUITY_POINTS });
  }

  listen(fn: (messages: readonly DashboardMessage[]) => void): void {
    this.listeners.push(fn);
  }

  private emit(messages: readonly DashboardMessage[]): void {
    if (messages.length) for (const l of this.listeners) l(messages);
  }

  @OnEvent(TOPICS.ordersIntents, OFF_PATH)
  onDecision(d: DecisionEvent): void {
    this.emit(this.state.onDecision(d));
  }

  @OnEvent(TOPICS.fills, OFF_PATH)
  onFill(f: FillEvent): void {
    this.emit(this.state.onFill(f));
  }

  @OnEvent(TOPICS.pnl, OFF_PATH)
  onPnl(p: PnlEvent): void {
    this.emit(this.state.onPnl(p));
  }

  @OnEvent(TOPICS.ordersEvents, OFF_PATH)
  onOrderEvent(e: OrderEvent): void {
    this.emit(this.state.onOrderEvent(e));
  }

  @OnEvent(TOPICS.ordersRejected, OFF_PATH)
  onRejection(r: OrderRejectedEvent): void {
    this.emit(this.state.onRejection(r));
  }

  @OnEvent(TOPICS.riskAlerts, OFF_PATH)
  onAlert(a: RiskAlertEvent): void {
    this.emit(this.state.onAlert(a));
  }
}
