import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { TOPICS, type CandleEvent, type DecisionEvent, type FillEvent, type OrderApprovedEvent, type OrderCommandEvent, type OrderEvent, type OrderRejectedEvent, type OrderUpdate } from '@atp/contracts';
import { AuditLog, InputJournal, JOURNAL_HOLD_MS, JOURNALED, OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import type { Doc, Repository } from '@atp/storage';
import type { ExecutionConfig } from './config';
import { EXEC_INPUT, ExecutionCore, type ExecutionOutput } from './execution-core';
import { executionAuditPreparer } from './execution.audit';
import { serviceSpec } from './spec';

/** An order as execution last saw it (collection `execution_orders`, `_id` = client order id). */
export interface OrderDoc extends Doc {
  exchange: string;
  symbol: string;
  strategyId: string;
  role: string;
  side: string;
  type: string;
  status: string;
  quantity: string;
  filledQuantity: string;
  avgFillPrice: string | null;
  lastEventId: string;
  tsEvent: number;
}

/** One venue submission of a client order id (collection `execution_submissions`): a second one would be a bug. */
export interface SubmissionDoc extends Doc {
  decisionTime: number;
  count: number;
}

export type FillDoc = Doc & FillEvent;

/**
 * The execution service's bus adapter: decodes candles, approvals and commands, hands them to the
 * input journal (written behind: the core applies them while their journal write is in flight),
 * which applies them to the {@link ExecutionCore}; it publishes order events (with the `bar-matched`
 * markers) and fills at once, and records orders, fills and submissions in its own collections once
 * the inputs are journaled (a submission only for an approval a restart replays: never twice).
 */
@Injectable()
export class ExecutionHandlers implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  readonly core: ExecutionCore;
  readonly journal: InputJournal<ExecutionOutput>;
  private readonly orders: Repository<OrderDoc>;
  private readonly fills: Repository<FillDoc>;
  private readonly submissions: Repository<SubmissionDoc>;
  private readonly audit: AuditLog;
  /** The decision barrier's watchdog: held candles per symbol, and since when (wall clock) unchanged. */
  private watchdog: NodeJS.Timeout | undefined;
  private readonly heldSince = new Map<string, { head: number; count: number; at: number }>();
  private readonly publishOpts: { readonly runId: string | undefined };

  constructor(@Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<ExecutionConfig>) {
    this.publishOpts = Object.freeze({ runId: rt.config.RUN_ID });
    this.core = new ExecutionCore(serviceSpec(rt.config), rt.clock, { decisionBarrier: rt.config.DECISION_WAIT_MS > 0 });
    this.orders = rt.store.repository<OrderDoc>({ name: 'execution_orders', indexes: [['symbol'], ['strategyId']] });
    this.fills = rt.store.repository<FillDoc>({ name: 'execution_fills', timeField: 'tsEvent', partitionFields: ['exchange', 'symbol'] });
    this.submissions = rt.store.repository<SubmissionDoc>({ name: 'execution_submissions' });
    this.audit = AuditLog.for(rt);
    this.journal = new InputJournal<ExecutionOutput>({
      store: rt.store,
      batchWindow: rt.config.STORE === 'memory' ? 'microtask' : 'turn',
      durable: rt.config.JOURNAL === 'on' || (rt.config.JOURNAL === 'auto' && rt.config.STORE === 'mongo'),
      collection: 'execution_journal',
      // A candle the decision barrier would hold (a burst, or the decisions of the bar before not
      // answered yet) is written with the decision or answer that releases it: one write, not two.
      holdMs: JOURNAL_HOLD_MS,
      // Outputs go out while the inputs' journal write is in flight (acknowledged after it): the store's round trip is off the
      // path to the next service. Orders, fills and submissions are written once the inputs are journaled (a submission is
      // recorded only for an approval a restart replays: never twice).
      writeBehind: true,
      core: this.core,
      persist: (o) => this.persist(o),
      // The audit is written alongside (off the path to risk and pnl); inputs are acknowledged after it (`acknowledge`).
      // Its entries are built when written; only the bracket legs' parents are read from the venue on the publish path.
      publish: this.audit.alongsidePrepared(executionAuditPreparer(this.core), (o) => this.publish(o)),
      acknowledge: (processed) => this.audit.acknowledged(processed),
      onCoreError: (kind, key, err) => rt.logger.error('execution core failed on an input', { kind, key, err }),
    });
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.orders.init(), this.fills.init(), this.submissions.init()]);
    const t0 = Date.now();
    const n = await this.journal.start();
    this.rt.logger.info('execution ready', { runId: this.core.spec.runId, replayedInputs: n, replayMs: Date.now() - t0, workingOrders: this.core.venue.openOrders().length });
    const wait = this.rt.config.DECISION_WAIT_MS;
    if (wait > 0) {
      this.watchdog = setInterval(() => this.checkHeld(wait), Math.max(10, Math.min(250, Math.floor(wait / 4))));
      this.watchdog.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  /**
   * Held candles that made no progress for `wait` ms (the decisions of the bar before them never
   * came: strategy or risk down) are released: matched at once, stops fire. A release is a journal
   * input like any other, so a restarted service replays it at the same place.
   */
  private checkHeld(wait: number): void {
    const now = Date.now();
    const held = this.core.held();
    const current = new Set<string>();
    for (const h of held) {
      current.add(h.symbol);
      const seen = this.heldSince.get(h.symbol);
      if (!seen || seen.head !== h.since || seen.count > h.count) {
        this.heldSince.set(h.symbol, { head: h.since, count: h.count, at: now });
        continue;
      }
      seen.count = h.count;
      if (now - seen.at < wait) continue;
      const waitedMs = now - seen.at;
      seen.at = Infinity; // one release per head
      this.rt.logger.warn('decision barrier timed out: matching held candles without the decisions of the bar before', { symbol: h.symbol, heldFrom: h.since, held: h.count, waitedMs });
      this.journal.submit(EXEC_INPUT.release, `release:${h.symbol}:${h.since}`, { symbol: h.symbol, at: h.since }).catch((err: unknown) => this.rt.logger.error('decision barrier release failed', { symbol: h.symbol, err }));
    }
    for (const s of [...this.heldSince.keys()]) if (!current.has(s)) this.heldSince.delete(s);
  }

  @OnEvent(TOPICS.mdCandles, JOURNALED)
  onCandle(c: CandleEvent): Promise<void> | void {
    if (!this.core.wants(c)) return;
    return this.journal.submit(EXEC_INPUT.candle, c.eventId, c);
  }

  @OnEvent(TOPICS.ordersApproved, JOURNALED)
  onApproved(a: OrderApprovedEvent): Promise<void> {
    return this.journal.submit(EXEC_INPUT.approval, a.clientOrderId, a);
  }

  /** Decision records and rejections: the decision barrier's evidence (ignored without it). */
  @OnEvent(TOPICS.ordersIntents, JOURNALED)
  onDecision(d: DecisionEvent): Promise<void> | void {
    if (!this.core.wantsDecision(d)) return;
    return this.journal.submit(EXEC_INPUT.decision, d.decisionId, d);
  }

  @OnEvent(TOPICS.ordersRejected, JOURNALED)
  onRejected(r: OrderRejectedEvent): Promise<void> | void {
    if (this.rt.config.DECISION_WAIT_MS === 0) return;
    return this.journal.submit(EXEC_INPUT.rejection, r.eventId, r);
  }

  @OnEvent(TOPICS.ordersCommands, JOURNALED)
  onCommand(c: OrderCommandEvent): Promise<void> {
    return this.journal.submit(EXEC_INPUT.command, c.commandId, c);
  }

  /** On SIGTERM (after the consumers stopped, before the bus closes): cancel working orders when ON_SHUTDOWN=cancel. */
  async beforeApplicationShutdown(): Promise<void> {
    this.onModuleDestroy();
    await this.journal.idle();
    if (this.rt.config.ON_SHUTDOWN !== 'cancel') return;
    const working = this.core.venue.openOrders().length;
    await this.journal.submit(EXEC_INPUT.shutdown, `shutdown-${this.rt.clock.now()}-${this.journal.size}`, { at: this.rt.clock.now() });
    this.rt.logger.info('cancelled working orders on shutdown', { working });
  }

  private async persist(out: readonly ExecutionOutput[]): Promise<void> {
    const orders = new Map<string, OrderDoc>();
    const fills: FillDoc[] = [];
    const writes: Promise<unknown>[] = [];
    for (const o of out) {
      if (o.kind === 'fill') fills.push({ _id: o.fill.fillId, ...o.fill });
      else if (o.kind === 'order' && o.event.kind === 'order') orders.set(o.event.clientOrderId, orderDoc(o.event));
      else if (o.kind === 'submitted') {
        writes.push(
          this.submissions.insertIfAbsent({ _id: o.clientOrderId, decisionTime: o.decisionTime, count: 1 }).then((fresh) => {
            if (!fresh) this.rt.logger.error('client order id submitted twice', { clientOrderId: o.clientOrderId });
          }),
        );
      }
    }
    // One replaceOne upsert per order (a few per batch), in parallel: an order changes status after
    // it was first written, and upsertMany's insert-first path (FerretDB) then costs three round
    // trips in a row (the refused insert, the look-up, the replace) before the next batch may apply.
    for (const doc of orders.values()) writes.push(this.orders.upsert(doc));
    if (fills.length) writes.push(this.fills.upsertMany(fills));
    await Promise.all(writes);
  }

  /** Fills, then order events (markers included), each topic's in one publishBatch; a batch of one kind is published without collecting promises. */
  private publish(out: readonly ExecutionOutput[]): Promise<void> {
    const fills: FillEvent[] = [];
    const events: OrderEvent[] = [];
    for (const o of out) {
      if (o.kind === 'fill') fills.push(o.fill);
      else if (o.kind === 'order') events.push(o.event);
    }
    const opts = this.publishOpts;
    const f = fills.length ? this.rt.bus.publishBatch(TOPICS.fills, fills, opts) : undefined;
    const e = events.length ? this.rt.bus.publishBatch(TOPICS.ordersEvents, events, opts) : undefined;
    return f && e ? Promise.all([f, e]).then(() => undefined) : (f ?? e ?? Promise.resolve());
  }
}

function orderDoc(e: OrderUpdate): OrderDoc {
  return {
    _id: e.clientOrderId,
    exchange: e.exchange,
    symbol: e.symbol,
    strategyId: e.strategyId,
    role: e.role,
    side: e.side,
    type: e.type,
    status: e.status,
    quantity: e.quantity,
    filledQuantity: e.filledQuantity,
    avgFillPrice: e.avgFillPrice ?? null,
    lastEventId: e.eventId,
    tsEvent: e.tsEvent,
  };
}
