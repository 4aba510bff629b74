import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { TOPICS, type CandleEvent, type FillEvent, type OrderEvent, type PnlEvent } from '@atp/contracts';
import { pnlFillEntry } from '@atp/audit';
import { AuditLog, InputJournal, JOURNAL_HOLD_MS, JOURNALED_BACKGROUND, OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { Doc, Repository } from '@atp/storage';
import type { PnlConfig } from './config';
import { PNL_INPUT, PnlCore, type EquityPoint, type PnlOutput } from './pnl-core';
import { serviceSpec } from './spec';

export type EquityDoc = Doc & EquityPoint;

/**
 * The latest state of the run (collection `pnl_summary`, `_id` = `account`): exact P&L and the
 * metrics, as of the bar `time`. A read model: written at most every PERSIST_EVERY_MS (so up to
 * that much behind the pnl.v1 events), after a restart's journal replay and at shutdown.
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
 * snapshots go to pnl.v1, its equity point to `pnl_equity`, and the run summary (exact P&L,
 * metrics every METRICS_EVERY_BARS bars and at shutdown) to `pnl_summary`.
 *
 * The equity points and the summary are read models of the journaled state: they are written
 * together at most every PERSIST_EVERY_MS (two writes per many bars instead of two per bar), off
 * the inputs' acknowledgement. Nothing is lost when the process dies before a write: the restart
 * replays the journal, writes the equity points after the last one stored and the summary.
 * PERSIST_EVERY_MS=0: both with every bar, before the inputs are acknowledged.
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
  /** Equity points not written yet, by _id; the summary changed since the last write started. */
  private pendingEquity = new Map<string, EquityDoc>();
  private dirty = false;
  /** The write in flight, the timer of the next one, when the last one started. */
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writtenAt = -Infinity;
  private stopping = false;
  /** While the journal replays on start: equity points after this time are collected (the store may lack them). */
  private replayedAfter = Infinity;

  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<PnlConfig>) {
    const core = (this.core = new PnlCore(serviceSpec(rt.config), rt.clock));
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
      core: {
        waits: (kind, input) => core.waits(kind, input),
        apply: (kind, input, replaying) => {
          const out = core.apply(kind, input);
          if (replaying) for (const o of out) if (o.kind === 'equity' && o.point.time > this.replayedAfter) this.pendingEquity.set(String(o.point.time), { _id: String(o.point.time), ...o.point });
          return out;
        },
      },
      persist: (o) => this.persist(o),
      publish: (o) => this.publish(o),
      onCoreError: (kind, key, err) => rt.logger.error('pnl core failed on an input', { kind, key, err }),
    });
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.equity.init(), this.summary.init()]);
    const t0 = Date.now();
    this.replayedAfter = (await this.equity.last())?.time ?? -Infinity;
    const n = await this.journal.start();
    this.replayedAfter = Infinity;
    // The replayed state may be ahead of the stored read models (writes due when the process stopped).
    if (Number.isFinite(this.core.processedUpTo)) await this.write(true);
    this.rt.logger.info('pnl ready', { runId: this.core.spec.runId, replayedInputs: n, replayMs: Date.now() - t0, equity: this.core.pnl().equity });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.journal.idle();
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    if (Number.isFinite(this.core.processedUpTo)) await this.write(true);
  }

  @OnEvent(TOPICS.mdCandles, JOURNALED_BACKGROUND)
  onCandle(c: CandleEvent): Promise<void> | void {
    if (!c.closed || !this.core.wants(c)) return;
    return this.journal.submit(PNL_INPUT.candle, c.eventId, c);
  }

  @OnEvent(TOPICS.ordersEvents, JOURNALED_BACKGROUND)
  onOrderEvent(e: OrderEvent): Promise<void> | void {
    if (!this.core.wants(e)) return;
    return this.journal.submit(PNL_INPUT.orderEvent, e.eventId, e);
  }

  @OnEvent(TOPICS.fills, JOURNALED_BACKGROUND)
  onFill(f: FillEvent): Promise<void> | void {
    if (!this.core.wants(f)) return;
    // Audited once applied (a redelivered fill is a duplicate for both the journal and the chain).
    return this.journal.submit(PNL_INPUT.fill, f.fillId, f).then(() => this.audit.append([pnlFillEntry(f)])).then(() => undefined);
  }

  private async persist(out: readonly PnlOutput[]): Promise<void> {
    let bars = 0;
    for (const o of out) {
      if (o.kind !== 'equity') continue;
      this.pendingEquity.set(String(o.point.time), { _id: String(o.point.time), ...o.point });
      bars++;
    }
    if (bars === 0) return;
    this.barsSinceMetrics += bars;
    if (this.barsSinceMetrics >= this.rt.config.METRICS_EVERY_BARS) {
      this.barsSinceMetrics = 0;
      this.metricsDue = true;
    }
    this.dirty = true;
    // With every bar, before the inputs are acknowledged (a failed write fails them).
    if (this.rt.config.PERSIST_EVERY_MS === 0) await this.write(false);
    else this.schedule();
  }

  /** Writes now when the last write started PERSIST_EVERY_MS ago and none is in flight, else once that is so. */
  private schedule(): void {
    if (this.stopping || this.timer || this.writing || !this.dirty) return;
    const wait = this.writtenAt + this.rt.config.PERSIST_EVERY_MS - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
    } else this.flush();
  }

  /** A scheduled write; a failure is logged and the write retried at the next schedule (the state is in the journal). */
  private flush(): void {
    this.write(false)
      .catch((err: unknown) => this.rt.logger.error('pnl equity/summary write failed (retried)', { err }))
      .finally(() => this.schedule());
  }

  /**
   * One write of the pending equity points and the summary of the current state (after the one in
   * flight); on a failure the points are pending again and the summary due.
   */
  private async write(forceMetrics: boolean): Promise<void> {
    while (this.writing) await this.writing;
    const points = [...this.pendingEquity.values()];
    this.pendingEquity.clear();
    this.dirty = false;
    this.writtenAt = Date.now();
    const metrics = forceMetrics || this.metricsDue;
    this.metricsDue = false;
    const done = Promise.all([points.length > 0 ? this.equity.upsertMany(points) : undefined, this.writeSummary(metrics)]).then(
      () => undefined,
      (e: unknown) => {
        for (const p of points) if (!this.pendingEquity.has(p._id)) this.pendingEquity.set(p._id, p);
        this.dirty = true;
        if (metrics) this.metricsDue = true;
        throw e;
      },
    );
    this.writing = done.finally(() => (this.writing = undefined)).catch(() => undefined);
    return done;
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
