import type { DecisionEvent, FillEvent, OrderEvent, OrderRejectedEvent, PnlEvent, RiskAlertEvent } from '@atp/contracts';

type OrderUpdate = Extract<OrderEvent, { kind: 'order' }>;

/** The kill switch as the gateway last heard it from risk (risk.alerts.v1 and its rejections). */
export interface KillSwitchView {
  engaged: boolean;
  /** Time of the change (the alert's event time), Unix ms; null before any change. */
  since: number | null;
  /** Risk's message of the last change. */
  reason: string | null;
}

/** One point of the account's equity curve: event time (bar close) and equity (decimal string). */
export interface EquityPoint {
  t: number;
  equity: string;
}

export interface DashboardCounts {
  /** Strategy decisions that are intents (no-ops are not counted). */
  signals: number;
  fills: number;
  orders: number;
  rejections: number;
  alerts: number;
  pnl: number;
}

/** What a dashboard needs on connect (WebSocket `snapshot`). Lists are oldest first. */
export interface DashboardSnapshot {
  /** Latest account-wide P&L (strategyId '*'), null before the first bar. */
  pnl: PnlEvent | null;
  /** Latest P&L per strategy. */
  strategies: PnlEvent[];
  equity: EquityPoint[];
  /** Strategy intents (orders.intents.v1, kind intent). */
  signals: DecisionEvent[];
  fills: FillEvent[];
  orders: OrderUpdate[];
  rejections: OrderRejectedEvent[];
  alerts: RiskAlertEvent[];
  killSwitch: KillSwitchView;
  /** Latest event (data) time seen, Unix ms. */
  dataTime: number | null;
  counts: DashboardCounts;
}

/** Messages streamed on /ws after `hello` and `snapshot`. */
export type DashboardMessage =
  | ({ type: 'snapshot' } & DashboardSnapshot)
  | { type: 'signal'; signal: DecisionEvent }
  | { type: 'fill'; fill: FillEvent }
  | { type: 'pnl'; pnl: PnlEvent }
  | { type: 'order'; order: OrderUpdate }
  | { type: 'rejection'; rejection: OrderRejectedEvent }
  | { type: 'alert'; alert: RiskAlertEvent }
  | { type: 'kill-switch'; killSwitch: KillSwitchView };

/**
 * The gateway's in-memory view of the run for the dashboard: the latest P&L, a bounded equity curve
 * (thinned out by halves past `equityPoints`, so the whole run stays visible), the last `keep`
 * strategy intents, fills, order updates, rejections and alerts, and the kill switch state. Each
 * `on*` returns the messages to stream (none for duplicates, no-op decisions and bar-matched markers).
 */
export class DashboardState {
  private pnl: PnlEvent | null = null;
  private readonly byStrategy = new Map<string, PnlEvent>();
  private equity: EquityPoint[] = [];
  private readonly signals: DecisionEvent[] = [];
  private readonly fills: FillEvent[] = [];
  private readonly fillIds = new Set<string>();
  private readonly orders: OrderUpdate[] = [];
  private readonly rejections: OrderRejectedEvent[] = [];
  private readonly alerts: RiskAlertEvent[] = [];
  private killSwitch: KillSwitchView = { engaged: false, since: null, reason: null };
  private dataTime: number | null = null;
  private readonly counts: DashboardCounts = { signals: 0, fills: 0, orders: 0, rejections: 0, alerts: 0, pnl: 0 };

  constructor(private readonly opts: { keep: number; equityPoints: number }) {}

  onDecision(d: DecisionEvent): DashboardMessage[] {
    this.seen(d.decisionTime);
    if (d.kind !== 'intent') return [];
    this.counts.signals++;
    push(this.signals, d, this.opts.keep);
    return [{ type: 'signal', signal: d }];
  }

  onFill(f: FillEvent): DashboardMessage[] {
    if (this.fillIds.has(f.fillId)) return [];
    this.fillIds.add(f.fillId);
    this.counts.fills++;
    push(this.fills, f, this.opts.keep);
    if (this.fillIds.size > 4 * this.opts.keep) {
      // Forget ids far behind the window (a redelivery comes soon after the original, if ever).
      this.fillIds.clear();
      for (const x of this.fills) this.fillIds.add(x.fillId);
    }
    this.seen(f.tsEvent);
    return [{ type: 'fill', fill: f }];
  }

  onPnl(p: PnlEvent): DashboardMessage[] {
    this.seen(p.tsEvent);
    if (p.strategyId !== '*') {
      this.byStrategy.set(p.strategyId, p);
      return [];
    }
    if (this.pnl && p.tsEvent < this.pnl.tsEvent) return [];
    this.counts.pnl++;
    this.pnl = p;
    const last = this.equity[this.equity.length - 1];
    if (last && last.t === p.tsEvent) last.equity = p.equity;
    else this.equity.push({ t: p.tsEvent, equity: p.equity });
    if (this.equity.length > this.opts.equityPoints) this.equity = this.equity.filter((_, i) => i % 2 === 0 || i === this.equity.length - 1);
    return [{ type: 'pnl', pnl: p }];
  }

  onOrderEvent(e: OrderEvent): DashboardMessage[] {
    if (e.kind !== 'order') {
      this.seen(e.barTime);
      return [];
    }
    this.counts.orders++;
    push(this.orders, e, this.opts.keep);
    return [{ type: 'order', order: e }];
  }

  onRejection(r: OrderRejectedEvent): DashboardMessage[] {
    this.counts.rejections++;
    push(this.rejections, r, this.opts.keep);
    const out: DashboardMessage[] = [{ type: 'rejection', rejection: r }];
    if (r.code === 'KILL_SWITCH' && !this.killSwitch.engaged) out.push(...this.setKillSwitch({ engaged: true, since: r.decisionTime, reason: r.reason }));
    return out;
  }

  onAlert(a: RiskAlertEvent): DashboardMessage[] {
    this.counts.alerts++;
    push(this.alerts, a, this.opts.keep);
    const out: DashboardMessage[] = [{ type: 'alert', alert: a }];
    if (a.code === 'KILL_SWITCH_TRIPPED') out.push(...this.setKillSwitch({ engaged: true, since: a.tsEvent, reason: a.message }));
    else if (a.code === 'KILL_SWITCH_RELEASED') out.push(...this.setKillSwitch({ engaged: false, since: a.tsEvent, reason: a.message }));
    return out;
  }

  snapshot(): DashboardSnapshot {
    return {
      pnl: this.pnl,
      strategies: [...this.byStrategy.values()],
      equity: this.equity.map((p) => ({ ...p })),
      signals: [...this.signals],
      fills: [...this.fills],
      orders: [...this.orders],
      rejections: [...this.rejections],
      alerts: [...this.alerts],
      killSwitch: { ...this.killSwitch },
      dataTime: this.dataTime,
      counts: { ...this.counts },
    };
  }

  private setKillSwitch(next: KillSwitchView): DashboardMessage[] {
    this.killSwitch = next;
    return [{ type: 'kill-switch', killSwitch: { ...next } }];
  }

  private seen(t: number): void {
    if (this.dataTime === null || t > this.dataTime) this.dataTime = t;
  }
}

function push<T>(list: T[], v: T, keep: number): void {
  list.push(v);
  if (list.length > keep) list.splice(0, list.length - keep);
}
