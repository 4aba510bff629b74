import { Inject, Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { eventIdFrom, type DecimalString } from '@atp/core';
import { TOPICS, type FillEvent, type OrderApprovedEvent, type OrderCommandEvent, type OrderUpdate, type RiskAlertEvent } from '@atp/contracts';
import { isTerminal, submitOrderFromApproval, type SubmitOrder } from '@atp/execution';
import { balancesAfterFills, CcxtGateway, type CcxtGatewayResult, type Drift } from '@atp/execution-ccxt';
import { apiUrlsFor, createExchange } from '@atp/market-data-ccxt';
import { OnEvent, SERVICE_RUNTIME, type ServiceRuntime } from '@atp/nest-kit';
import { specSymbols, type PipelineSpec } from '@atp/backtest';
import type { Doc, Repository } from '@atp/storage';
import type { ExecutionConfig } from './config';
import { serviceSpec } from './spec';

/** A live order (collection `execution_live_orders`, `_id` = client order id): the restart state of GATEWAY=ccxt. */
export interface LiveOrderDoc extends Doc {
  req: SubmitOrder;
  status: string;
  /** Not terminal: resumed (looked up at the venue) on start-up. */
  working: boolean;
  filledQuantity: string;
  venueOrderId: string | null;
  lastEventId: string;
  tsEvent: number;
}

export type LiveFillDoc = Doc & FillEvent;

/** One venue submission of a client order id (shared with the paper path's `execution_submissions`). */
interface SubmissionDoc extends Doc {
  decisionTime: number;
  count: number;
}

const CRITICAL: ReadonlySet<Drift['kind']> = new Set(['unknown-venue-order', 'unknown-venue-trade', 'fill-missing-locally']);

/**
 * Execution with GATEWAY=ccxt (TRADING_MODE=live): approvals go to the venue through
 * {@link CcxtGateway}; order events and fills come from the submit results and from `poll()` every
 * POLL_INTERVAL_MS; orders and balances are reconciled with the venue at start-up and every
 * RECONCILE_INTERVAL_MS, each drift published as a `RECONCILE_DRIFT` alert on risk.alerts.v1.
 *
 * Idempotency: an approval's client order id is recorded (`execution_submissions`) before it is
 * sent; a redelivered approval (or one recorded before a crash) is *resumed*: the venue is asked for
 * the id first and only an unknown id is sent. Every venue operation runs one at a time.
 *
 * Balances: the venue's totals after start-up are the baseline; every new fill since (one not
 * recorded before) moves the expected totals (`balancesAfterFills`); reconciliation reports what
 * the fills do not explain.
 * The credentials come from EXCHANGE_API_KEY / EXCHANGE_API_SECRET (/ EXCHANGE_API_PASSPHRASE) and
 * are never logged.
 */
@Injectable()
export class LiveExecutionHandlers implements OnModuleInit, BeforeApplicationShutdown {
  readonly spec: PipelineSpec;
  readonly gateway: CcxtGateway;
  private readonly orders: Repository<LiveOrderDoc>;
  private readonly fills: Repository<LiveFillDoc>;
  private readonly submissions: Repository<SubmissionDoc>;
  private chain: Promise<unknown> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private expected: Record<string, DecimalString> | undefined;
  private stopping = false;
  /** Reconciliation looks at venue trades from start-up on (older ones were before this process). */
  private since: number | undefined;

  constructor(@Inject(SERVICE_RUNTIME) readonly rt: ServiceRuntime<ExecutionConfig>) {
    const c = rt.config;
    this.spec = serviceSpec(c);
    const ex = createExchange(this.spec.exchange, {
      ...(c.EXCHANGE_API_URL ? { apiUrls: apiUrlsFor(this.spec.exchange, c.EXCHANGE_API_URL) } : {}),
      timeoutMs: c.EXCHANGE_TIMEOUT_MS,
    });
    ex.apiKey = c.EXCHANGE_API_KEY ?? '';
    ex.secret = c.EXCHANGE_API_SECRET ?? '';
    if (c.EXCHANGE_API_PASSPHRASE) ex.password = c.EXCHANGE_API_PASSPHRASE;
    this.gateway = new CcxtGateway({ exchange: ex, exchangeId: this.spec.exchange, runId: this.spec.runId, clock: rt.clock, source: 'execution' });
    this.orders = rt.store.repository<LiveOrderDoc>({ name: 'execution_live_orders', indexes: [['working']] });
    this.fills = rt.store.repository<LiveFillDoc>({ name: 'execution_fills', timeField: 'tsEvent', partitionFields: ['exchange', 'symbol'] });
    this.submissions = rt.store.repository<SubmissionDoc>({ name: 'execution_submissions' });
  }

  async onModuleInit(): Promise<void> {
    await Promise.all([this.orders.init(), this.fills.init(), this.submissions.init()]);
    await this.gateway.init();
    // Restart: every order that was working is looked up at the venue (adopted with its fills).
    const working = await this.orders.range({ where: { working: true } });
    for (const d of working) await this.emit(await this.gateway.resume(d.req));
    await this.emitPoll();
    this.expected = totals(await this.gateway.fetchBalance());
    this.since = this.rt.clock.now();
    const drifts = await this.reconcileOnce();
    this.rt.logger.info('execution (ccxt) ready', { runId: this.spec.runId, exchange: this.spec.exchange, resumedOrders: working.length, drifts: drifts.length });
    const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
      // One run of each kind at a time: a tick while the previous run is queued or running is skipped.
      let busy = false;
      const t = setInterval(() => {
        if (this.stopping || busy) return;
        busy = true;
        this.serial(() => (this.stopping ? Promise.resolve() : fn()))
          .catch((err: unknown) => this.rt.logger.error(`execution (ccxt): ${what} failed`, { err }))
          .finally(() => (busy = false));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.rt.config.POLL_INTERVAL_MS, 'poll', () => this.emitPoll());
    every(this.rt.config.RECONCILE_INTERVAL_MS, 'reconcile', () => this.reconcileOnce());
  }

  @OnEvent(TOPICS.ordersApproved)
  onApproved(a: OrderApprovedEvent): Promise<void> {
    if (a.runId !== this.spec.runId) throw new Error(`execution: approval ${a.clientOrderId} of run ${a.runId}, this is run ${this.spec.runId}`);
    if (a.exchange !== this.spec.exchange) throw new Error(`execution: approval ${a.clientOrderId} for ${a.exchange}, this is ${this.spec.exchange}`);
    return this.serial(async () => {
      const req = submitOrderFromApproval(a);
      const fresh = await this.submissions.insertIfAbsent({ _id: a.clientOrderId, decisionTime: a.decisionTime, count: 1 });
      await this.orders.upsert({ _id: req.clientOrderId, req, status: 'new', working: true, filledQuantity: '0', venueOrderId: null, lastEventId: '', tsEvent: a.decisionTime });
      const r = fresh ? await this.gateway.submit(req) : await this.gateway.resume(req);
      if (r.uncertain) this.rt.logger.warn('order submission uncertain: resolved by the next poll', { clientOrderId: req.clientOrderId, reason: r.reason ?? null });
      await this.emit(r);
    });
  }

  @OnEvent(TOPICS.ordersCommands)
  onCommand(c: OrderCommandEvent): Promise<void> {
    if (c.exchange !== undefined && c.exchange !== this.spec.exchange) return Promise.resolve();
    const reason = `${c.reason} (${c.actor})`;
    return this.serial(async () => {
      if (c.kind === 'cancel') {
        if (c.clientOrderId) await this.emit(await this.gateway.cancel(c.clientOrderId, reason));
        return;
      }
      for (const o of this.gateway.knownOrders()) {
        if (isTerminal(o.status) || (c.symbol && o.symbol !== c.symbol) || (c.strategyId && o.strategyId !== c.strategyId)) continue;
        await this.emit(await this.gateway.cancel(o.clientOrderId, reason));
      }
    });
  }

  /** Stops the timers and waits for the venue operation in flight; ON_SHUTDOWN=cancel cancels working orders. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.chain.catch(() => undefined);
    if (this.rt.config.ON_SHUTDOWN !== 'cancel') return;
    await this.serial(async () => {
      for (const o of this.gateway.knownOrders()) if (!isTerminal(o.status)) await this.emit(await this.gateway.cancel(o.clientOrderId, 'service shutdown (ON_SHUTDOWN=cancel)'));
    });
  }

  /** Polls working orders, then compares the working set and the expected balances with the venue; publishes drifts. */
  reconcileNow(): Promise<Drift[]> {
    return this.serial(() => this.reconcileOnce());
  }

  private async reconcileOnce(): Promise<Drift[]> {
    await this.emitPoll();
    const local = () => this.gateway.knownOrders().filter((o) => !isTerminal(o.status));
    const opts = { symbols: specSymbols(this.spec), ...(this.since !== undefined ? { sinceMs: this.since } : {}) };
    let drifts = await this.gateway.reconcile(local(), this.expected, opts);
    // A fill between the poll and the balance read looks like a balance drift: poll once more and,
    // when that brought fills, compare again.
    if (drifts.some((d) => d.kind === 'balance-difference' || d.kind === 'fill-missing-locally') && (await this.emitPoll()) > 0) {
      drifts = await this.gateway.reconcile(local(), this.expected, opts);
    }
    if (drifts.length) {
      const at = this.rt.clock.now();
      const alerts: RiskAlertEvent[] = drifts.map((d) => {
        const key = d.clientOrderId ?? d.asset ?? String(d.details.venueTradeId ?? d.details.venueOrderId ?? '');
        const id = eventIdFrom(this.spec.runId, 'reconcile', at, d.kind, key);
        return {
          eventId: id, tsEvent: at, tsInit: at, source: 'execution', alertId: id,
          severity: CRITICAL.has(d.kind) ? 'critical' : 'warning',
          code: 'RECONCILE_DRIFT', message: d.message, exchange: this.spec.exchange,
          ...(d.symbol !== undefined ? { symbol: d.symbol } : {}),
          details: { kind: d.kind, ...(d.clientOrderId !== undefined ? { clientOrderId: d.clientOrderId } : {}), ...d.details },
        };
      });
      await this.rt.bus.publishBatch(TOPICS.riskAlerts, alerts, { runId: this.rt.config.RUN_ID });
      this.rt.logger.warn('reconciliation found drift', { drifts: drifts.length, kinds: [...new Set(drifts.map((d) => d.kind))].join(',') });
    }
    return drifts;
  }

  /** Polls and publishes; returns the number of fills. */
  private async emitPoll(): Promise<number> {
    const p = await this.gateway.poll();
    await this.emit(p);
    return p.fills.length;
  }

  /** Records and publishes what a gateway call caused; expected balances follow the fills. */
  private async emit(r: Pick<CcxtGatewayResult, 'events' | 'fills'>): Promise<void> {
    if (!r.events.length && !r.fills.length) return;
    const last = new Map<string, OrderUpdate>();
    for (const e of r.events) last.set(e.clientOrderId, e);
    const docs: LiveOrderDoc[] = [];
    for (const e of last.values()) {
      const snap = this.gateway.order(e.clientOrderId);
      const prev = await this.orders.get(e.clientOrderId);
      const req = prev?.req;
      if (!snap || !req) continue;
      docs.push({ _id: e.clientOrderId, req, status: snap.status, working: !isTerminal(snap.status), filledQuantity: snap.filledQuantity, venueOrderId: e.venueOrderId ?? null, lastEventId: e.eventId, tsEvent: e.tsEvent });
    }
    // Fills recorded before (an adopted order's old fills, re-emitted on resume) are already in the
    // venue balances: only new ones move the expected totals. All are published again (idempotent by fillId).
    const stored = r.fills.length ? new Set((await this.fills.getMany(r.fills.map((f) => f.fillId))).map((d) => d._id)) : new Set<string>();
    await Promise.all([
      docs.length ? this.orders.upsertMany(docs) : undefined,
      r.fills.length ? this.fills.upsertMany(r.fills.map((f) => ({ _id: f.fillId, ...f }))) : undefined,
    ]);
    const fresh = r.fills.filter((f) => !stored.has(f.fillId));
    if (this.expected && fresh.length) this.expected = balancesAfterFills(this.expected, fresh);
    const runId = this.rt.config.RUN_ID;
    await Promise.all([
      r.fills.length ? this.rt.bus.publishBatch(TOPICS.fills, r.fills, { runId }) : undefined,
      r.events.length ? this.rt.bus.publishBatch(TOPICS.ordersEvents, r.events, { runId }) : undefined,
    ]);
  }

  /** Runs venue operations one at a time (the gateway's order state is not shared between calls in flight). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function totals(b: Readonly<Record<string, { total: DecimalString }>>): Record<string, DecimalString> {
  const out: Record<string, DecimalString> = {};
  for (const [k, v] of Object.entries(b)) out[k] = v.total;
  return out;
}
