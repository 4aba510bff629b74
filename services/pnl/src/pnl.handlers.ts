import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { TOPICS, type CandleEvent, type FillEvent, type OrderEvent, type PnlEvent } from '@atp/contracts';
import { pnlFillEntry } from '@atp/audit';
import { AuditLog, InputJournal, JOURNAL_HOLD_MS, JOURNALED, OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { Doc, Repository } from '@atp/storage';
import type { PnlConfig } from './config';
import { PNL_INPUT, PnlCore, type EquityPoint, type PnlOutput } from './pnl-core';
import { serviceSpec } from './spec';

export type EquityDoc = Doc & EquityPoint;

/**
 * The latest state of the run (collection `pnl_summary`, `_id` = `account`): exact P&L and the
 * metrics, as of the bar `time`. A read model: written at most every SUMMARY_EVERY_MS (so up to
 * that much behind the equity points), after a restart's journal replay and at shutdown.
 */
export interface SummaryDoc extends Doc {
  time: number;
  pnl: Record<string, unknown>;
  metrics: Record<string, unknown> | null;
  roundTrips: number;
  fills: number;
}

/**
 * The pnl service's bus adapter: fills (idempotent by fill id), candles (marks) and order events
 * (bar-matched markers) go through the input journal into the {@link PnlCore}; each closed bar's
 * snapshots go to pnl.v1, its equity point to `pnl_equity` (before the inputs are acknowledged),
 * and the run summary (exact P&L, metrics every METRICS_EVERY_BARS bars and at shutdown) to
 * `pnl_summary`, at most every SUMMARY_EVERY_MS: off the inputs' acknowledgement (it is derived
 * from the journaled state, which a restart replays and then writes it again), one write per
 * many bars instead of one per bar.
 */
@Injectable()
export class PnlHandlers implements OnModuleInit, BeforeApplicationShutdown {
  readonly core: PnlCore;
  readonly journal: InputJournal<PnlOutput>;
  private readonly equity: Repository<EquityDoc>;
  private readonly summary: Repository<SummaryDoc>;
  private readonly audit: AuditLog;
  private barsSinceMetrics = 0;
  private metricsDue = false;
  private lastMetrics: Record<string, unknown> | null = null;
  /** The summary: bars closed since the last write started, the write in flight, the timer of the next one, when the last one started. */
  private summaryDirty = false;
  private summaryWrite: Promise<void> | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;
  private summaryAt = -Infinity;
  private stopping = false;

  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<PnlConfig>) {
    this.core = new PnlCore(serviceSpec(rt.config), rt.clock);
    this.equity = rt.store.repository<EquityDoc>({ name: 'pnl_equity', timeField: 'time' });
    this.summary = rt.store.repository<SummaryDoc>({ name: 'pnl_summary' });
    this.audit = AuditLog.for(rt);
    this.journal = new InputJournal<PnlOutput>({
      store: rt.store,
      // Always the turn window, also in memory: pnl is off the candle -> order path, so in the
      // embedded mode its work waits until that path's microtasks have run.
      batchWindow: 'turn',
      durable: rt.config.JOURNAL === 'on' || (rt.config.JOURNAL === 'auto' && rt.config.STORE === 'mongo'),
      collection: 'pnl_journal',
      // A candle before execution's marker of its bar is written with the marker (one journal write per bar, not two).
      holdMs: JOURNAL_HOLD_MS,
      core: this.core,
      persist: (o) => this.persist(o),
      publish: (o) => this.publish(o),
      onCoreError: (kind, key, err) => rt.logger.error('pnl core failed on an input', { kind, key, err }),
    });
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.equity.init(), this.summary.init()]);
    const t0 = Date.now();
    const n = await this.journal.start();
    // The replayed state may be ahead of the stored summary (a write due when the process stopped).
    if (Number.isFinite(this.core.processedUpTo)) await this.writeSummary(true);
    this.rt.logger.info('pnl ready', { runId: this.core.spec.runId, replayedInputs: n, replayMs: Date.now() - t0, equity: this.core.pnl().equity });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.journal.idle();
    this.stopping = true;
    clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    await this.summaryWrite;
    if (Number.isFinite(this.core.processedUpTo)) await this.writeSummary(true);
  }

  @OnEvent(TOPICS.mdCandles, JOURNALED)
  onCandle(c: CandleEvent): Promise<void> | void {
    if (!c.closed || !this.core.wants(c)) return;
    return this.journal.submit(PNL_INPUT.candle, c.eventId, c);
  }

  @OnEvent(TOPICS.ordersEvents, JOURNALED)
  onOrderEvent(e: OrderEvent): Promise<void> | void {
    if (!this.core.wants(e)) return;
    return this.journal.submit(PNL_INPUT.orderEvent, e.eventId, e);
  }

  @OnEvent(TOPICS.fills, JOURNALED)
  onFill(f: FillEvent): Promise<void> | void {
    if (!this.core.wants(f)) return;
    // Audited once applied (a redelivered fill is a duplicate for both the journal and the chain).
    return this.journal.submit(PNL_INPUT.fill, f.fillId, f).then(() => this.audit.append([pnlFillEntry(f)])).then(() => undefined);
  }

  private async persist(out: readonly PnlOutput[]): Promise<void> {
    const points: EquityDoc[] = [];
    for (const o of out) if (o.kind === 'equity') points.push({ _id: String(o.point.time), ...o.point });
    if (points.length === 0) return;
    this.barsSinceMetrics += points.length;
    if (this.barsSinceMetrics >= this.rt.config.METRICS_EVERY_BARS) {
      this.barsSinceMetrics = 0;
      this.metricsDue = true;
    }
    if (this.rt.config.SUMMARY_EVERY_MS === 0) {
      // With every bar, before the inputs are acknowledged (a failed write fails them).
      const metrics = this.metricsDue;
      this.metricsDue = false;
      await Promise.all([this.equity.upsertMany(points), this.writeSummary(metrics)]);
      return;
    }
    this.summaryDirty = true;
    this.scheduleSummary();
    await this.equity.upsertMany(points);
  }

  /** Writes the summary now when the last write started SUMMARY_EVERY_MS ago and none is in flight, else once that is so. */
  private scheduleSummary(): void {
    if (this.stopping || this.summaryTimer || this.summaryWrite || !this.summaryDirty) return;
    const wait = this.summaryAt + this.rt.config.SUMMARY_EVERY_MS - Date.now();
    if (wait <= 0) void this.flushSummary();
    else this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      void this.flushSummary();
    }, wait);
  }

  /** One summary write of the current state; a failure is logged and the write retried later (the state is in the journal). */
  private flushSummary(): Promise<void> {
    if (this.summaryWrite) return this.summaryWrite;
    this.summaryDirty = false;
    this.summaryAt = Date.now();
    const metrics = this.metricsDue;
    this.metricsDue = false;
    this.summaryWrite = this.writeSummary(metrics)
      .catch((err: unknown) => {
        this.summaryDirty = true;
        if (metrics) this.metricsDue = true;
        this.rt.logger.error('pnl summary write failed (retried)', { err });
      })
      .finally(() => {
        this.summaryWrite = undefined;
        this.scheduleSummary();
      });
    return this.summaryWrite;
  }

  private async writeSummary(withMetrics: boolean): Promise<void> {
    const p = this.core.portfolio;
    await this.summary.upsert({
      _id: 'account',
      time: this.core.processedUpTo,
      pnl: JSON.parse(JSON.stringify(this.core.pnl())) as Record<string, unknown>,
      metrics: withMetrics ? (this.lastMetrics = JSON.parse(JSON.stringify(this.core.metrics())) as Record<string, unknown>) : this.lastMetrics,
      roundTrips: p.roundTrips().length,
      fills: p.ledger().length,
    });
  }

  private async publish(out: readonly PnlOutput[]): Promise<void> {
    const events: PnlEvent[] = [];
    for (const o of out) if (o.kind === 'pnl') events.push(o.event);
    if (events.length) await this.rt.bus.publishBatch(TOPICS.pnl, events, { runId: this.rt.config.RUN_ID });
  }
}
