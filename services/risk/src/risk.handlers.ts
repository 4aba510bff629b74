import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TOPICS, type CandleEvent, type DecisionEvent, type FillEvent, type OrderApprovedEvent, type OrderCommandEvent, type OrderEvent, type OrderRejectedEvent, type RiskAlertEvent, type RiskCommandEvent } from '@atp/contracts';
import { commandEntry } from '@atp/audit';
import { AuditLog, InputJournal, JOURNAL_HOLD_MS, JOURNALED, OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { Doc, Repository } from '@atp/storage';
import { limitOverrides, type RiskConfig } from './config';
import { RISK_INPUT, RiskCore, type RiskOutput } from './risk-core';
import { riskAuditEntries } from './risk.audit';
import { serviceSpec } from './spec';

/** One risk outcome (collection `risk_outcomes`, `_id` = decision id): the audit of approvals and rejections. */
export interface RiskOutcomeDoc extends Doc {
  kind: 'approved' | 'rejected';
  strategyId: string;
  exchange: string;
  symbol: string;
  decisionTime: number;
  clientOrderId: string | null;
  code: string | null;
  reason: string | null;
  quantity: string | null;
}

/**
 * The risk service's bus adapter: candles, decision records, order events, fills and risk commands
 * go through the input journal into the {@link RiskCore}; outcomes go to orders.approved.v1 /
 * orders.rejected.v1 (and `risk_outcomes`), alerts to risk.alerts.v1, cancels to orders.commands.v1.
 */
@Injectable()
export class RiskHandlers implements OnModuleInit {
  readonly core: RiskCore;
  readonly journal: InputJournal<RiskOutput>;
  private readonly outcomes: Repository<RiskOutcomeDoc>;
  private readonly audit: AuditLog;
  private readonly publishOpts: { readonly runId: string | undefined };

  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<RiskConfig>) {
    this.publishOpts = Object.freeze({ runId: rt.config.RUN_ID });
    const c = rt.config;
    this.core = new RiskCore(serviceSpec(c), rt.clock, { clock: c.RISK_CLOCK, killSwitchCheck: c.KILL_SWITCH_CHECK, nativeStops: c.NATIVE_STOPS, limitOverrides: limitOverrides(c) });
    this.audit = AuditLog.for(rt);
    this.outcomes = rt.store.repository<RiskOutcomeDoc>({ name: 'risk_outcomes', timeField: 'decisionTime', indexes: [['strategyId'], ['symbol']] });
    this.journal = new InputJournal<RiskOutput>({
      store: rt.store,
      batchWindow: rt.config.STORE === 'memory' ? 'microtask' : 'turn',
      durable: rt.config.JOURNAL === 'on' || (rt.config.JOURNAL === 'auto' && rt.config.STORE === 'mongo'),
      collection: 'risk_journal',
      // A candle before execution's marker of its bar, and the marker before the bar's decision records, are written with those decisions.
      holdMs: JOURNAL_HOLD_MS,
      // Outputs go out while the inputs' journal write is in flight (acknowledged after it): the store's round trip is off the path to the next service.
      writeBehind: true,
      core: this.core,
      persist: (o) => this.persist(o),
      // The audit is written alongside (off the path to execution); inputs are acknowledged after it (`acknowledge`).
      // Lazily: outcomes, alerts and commands are never changed once published, and each makes one entry.
      publish: this.audit.alongside(riskAuditEntries, (o) => this.publish(o), { lazy: true }),
      acknowledge: (processed) => this.audit.acknowledged(processed),
      onCoreError: (kind, key, err) => rt.logger.error('risk core failed on an input', { kind, key, err }),
    });
  }

  async onModuleInit(): Promise<void> {
    await this.outcomes.init();
    const t0 = Date.now();
    const n = await this.journal.start();
    this.rt.logger.info('risk ready', { runId: this.core.spec.runId, replayedInputs: n, replayMs: Date.now() - t0, killSwitch: this.core.state.killSwitch.engaged, nativeStops: this.rt.config.NATIVE_STOPS });
  }

  @OnEvent(TOPICS.mdCandles, JOURNALED)
  onCandle(c: CandleEvent): Promise<void> | void {
    if (!c.closed || !this.core.wants(c)) return;
    return this.journal.submit(RISK_INPUT.candle, c.eventId, c);
  }

  @OnEvent(TOPICS.ordersIntents, JOURNALED)
  onDecision(d: DecisionEvent): Promise<void> | void {
    if (!this.core.wants(d)) return;
    return this.journal.submit(RISK_INPUT.decision, d.decisionId, d);
  }

  @OnEvent(TOPICS.ordersEvents, JOURNALED)
  onOrderEvent(e: OrderEvent): Promise<void> | void {
    if (!this.core.wants(e)) return;
    return this.journal.submit(RISK_INPUT.orderEvent, e.eventId, e);
  }

  @OnEvent(TOPICS.fills, JOURNALED)
  onFill(f: FillEvent): Promise<void> | void {
    if (!this.core.wants(f)) return;
    return this.journal.submit(RISK_INPUT.fill, f.fillId, f);
  }

  @OnEvent(TOPICS.riskCommands)
  onCommand(c: RiskCommandEvent): Promise<void> {
    return this.audit.append([commandEntry(c)]).then(() => this.journal.submit(RISK_INPUT.command, c.commandId, c));
  }

  private async persist(out: readonly RiskOutput[]): Promise<void> {
    const docs: RiskOutcomeDoc[] = [];
    for (const o of out) {
      if (o.kind === 'approved') docs.push(outcomeDoc('approved', o.event));
      else if (o.kind === 'rejected') docs.push(outcomeDoc('rejected', o.event));
    }
    if (docs.length) await this.outcomes.upsertMany(docs);
  }

  /**
   * The outputs by topic, each topic's in one publishBatch (started in this order: approvals,
   * rejections, alerts, commands); a batch of one kind (the usual one) is published without
   * collecting promises.
   */
  private publish(out: readonly RiskOutput[]): Promise<void> {
    const approved: OrderApprovedEvent[] = [];
    const rejected: OrderRejectedEvent[] = [];
    const alerts: RiskAlertEvent[] = [];
    const commands: OrderCommandEvent[] = [];
    for (const o of out) {
      if (o.kind === 'approved') approved.push(o.event);
      else if (o.kind === 'rejected') rejected.push(o.event);
      else if (o.kind === 'alert') alerts.push(o.event);
      else commands.push(o.event);
    }
    const opts = this.publishOpts;
    const bus = this.rt.bus;
    const sends: Promise<void>[] = [];
    if (approved.length) sends.push(bus.publishBatch(TOPICS.ordersApproved, approved, opts));
    if (rejected.length) sends.push(bus.publishBatch(TOPICS.ordersRejected, rejected, opts));
    if (alerts.length) sends.push(bus.publishBatch(TOPICS.riskAlerts, alerts, opts));
    if (commands.length) sends.push(bus.publishBatch(TOPICS.ordersCommands, commands, opts));
    return sends.length === 1 ? sends[0]! : Promise.all(sends).then(() => undefined);
  }
}

function outcomeDoc(kind: 'approved' | 'rejected', e: OrderApprovedEvent | OrderRejectedEvent): RiskOutcomeDoc {
  const a = kind === 'approved' ? (e as OrderApprovedEvent) : undefined;
  const r = kind === 'rejected' ? (e as OrderRejectedEvent) : undefined;
  return {
    _id: e.decisionId,
    kind,
    strategyId: e.strategyId,
    exchange: e.exchange,
    symbol: e.symbol,
    decisionTime: e.decisionTime,
    clientOrderId: a?.clientOrderId ?? null,
    code: r?.code ?? null,
    reason: r?.reason ?? null,
    quantity: a?.quantity ?? null,
  };
}
