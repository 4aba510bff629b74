import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { BusMessage, HealthStatus, Subscription } from '@atp/bus';
import { groupName } from '@atp/contracts';
import { busMetrics, extractTraceContext, getTracer, tracingExports, type BusMetrics } from '@atp/observability';
import { context, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { HostContext, type ConsumerHandle } from '../host/host-context';
import type { ServiceRuntime } from '../runtime/service-runtime';
import { HOST_INFO, SERVICE_RUNTIME } from '../../tokens';
import { eventHandlersOf, type EventHandlerMeta } from './on-event.decorator';

type Labels = Record<string, string>;
/** A (topic, group)'s label sets: the handle-time histogram's and the two outcomes'. */
type DeliveryLabels = { handle: Labels; ok: Labels; error: Labels };

/** The provider classes of a service module, scanned for `@OnEvent` handlers. */
export const HANDLER_CLASSES = Symbol('atp:HANDLER_CLASSES');

/**
 * Subscribes a service's `@OnEvent` handlers through the Bus port when the application has
 * started (`onApplicationBootstrap`), and closes the subscriptions — waiting for in-flight
 * handlers — when it stops. Each delivery runs in a CONSUMER span continuing the producer's trace
 * (`traceparent` header) and is counted in `atp_bus_messages_total` / `atp_bus_handle_seconds`.
 */
@Injectable()
export class BusConsumer implements OnApplicationBootstrap, OnModuleDestroy, ConsumerHandle {
  private readonly subscriptions: Subscription[] = [];
  private state: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  private failure: string | undefined;
  private stopping: Promise<void> | undefined;
  private readonly metrics: BusMetrics;
  private readonly tracer: Tracer;

  constructor(
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
    @Inject(HANDLER_CLASSES) private readonly handlerClasses: readonly Type[],
    private readonly moduleRef: ModuleRef,
    @Optional() @Inject(HOST_INFO) host?: HostContext,
  ) {
    this.metrics = busMetrics(runtime.metrics);
    this.tracer = getTracer(runtime.name, runtime.version);
    host?.registerConsumer(runtime.name, this);
  }

  /** Every handler of this service: (class, method, topic, group). */
  handlers(): { owner: Type; meta: EventHandlerMeta; group: string }[] {
    return this.handlerClasses.flatMap((owner) => eventHandlersOf(owner).map((meta) => ({ owner, meta, group: meta.options.group ?? this.runtime.name })));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    try {
      for (const { owner, meta, group } of this.handlers()) {
        const instance = this.moduleRef.get(owner, { strict: true }) as Record<string, unknown>;
        const fn = instance[meta.method];
        if (typeof fn !== 'function') throw new Error(`${owner.name}.${meta.method} is not a method`);
        const sub = await this.runtime.bus.subscribe(
          { ...meta.options, contract: meta.contract, group: groupName(group, this.runtime.config.RUN_ID), runId: this.runtime.config.RUN_ID },
          (msg) => this.deliver(meta, group, msg, (value, m) => (fn as (v: unknown, m: BusMessage<unknown>) => unknown).call(instance, value, m)),
        );
        this.subscriptions.push(sub);
        this.runtime.logger.info('subscribed', { topic: sub.topic, group, handler: `${owner.name}.${meta.method}` });
      }
      if (this.state === 'starting') this.state = 'running';
    } catch (e) {
      this.failure = (e as Error).message;
      throw e;
    }
  }

  health(): HealthStatus {
    if (this.state === 'running') return { ok: true, detail: `${this.subscriptions.length} subscription(s)` };
    return { ok: false, detail: this.failure ? `subscribe failed: ${this.failure}` : this.state };
  }

  /** Closes every subscription after its in-flight handlers. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.state = 'stopping';
      this.stopping = Promise.allSettled(this.subscriptions.map((s) => s.close())).then((results) => {
        this.state = 'stopped';
        this.flushMetrics();
        for (const r of results) if (r.status === 'rejected') this.runtime.logger.warn('closing a subscription failed', { err: r.reason });
      });
    }
    return this.stopping;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /** Deliveries not yet counted in the metrics: (labels, outcome labels, seconds), flushed once per event-loop turn. */
  private readonly unrecorded: { handle: Labels; outcome: Labels; seconds: number }[] = [];

  /**
   * Counts a delivery in `atp_bus_messages_total` / `atp_bus_handle_seconds` on the next turn of the
   * event loop (prom-client validates and hashes the labels on every call): that work stays off the
   * path of the in-process bus, where the next hop runs in the same turn.
   */
  private record(labels: { handle: Labels }, outcome: Labels, t0: number): void {
    if (this.unrecorded.push({ handle: labels.handle, outcome, seconds: (performance.now() - t0) / 1000 }) === 1) setImmediate(this.flushMetrics);
  }

  private readonly flushMetrics = (): void => {
    for (const u of this.unrecorded.splice(0)) {
      this.metrics.messages.inc(u.outcome);
      this.metrics.handleSeconds.observe(u.handle, u.seconds);
    }
  };

  /** Label sets per (topic, group), built once: a delivery allocates none. */
  private readonly labelCache = new Map<string, DeliveryLabels>();

  private labelsOf(topic: string, group: string): DeliveryLabels {
    const k = `${topic}\u0000${group}`;
    let l = this.labelCache.get(k);
    if (!l) this.labelCache.set(k, (l = { handle: { topic, group }, ok: { topic, group, outcome: 'ok' }, error: { topic, group, outcome: 'error' } }));
    return l;
  }

  /**
   * One delivery: in a CONSUMER span (parent: the message's trace context) when spans leave the
   * process; without an exporter no span is created, ended and dropped per message (~5% of a
   * pipeline service's CPU) and the handler runs in the trace context of the message's
   * `traceparent`, if it has one, so its publications carry that trace on. A handler that returns
   * no promise (e.g. an input it filters out) completes synchronously: no promise, no microtask
   * hop, so the in-process bus goes on to the next record in the same turn — each hop of the
   * embedded pipeline costs a few microtasks less.
   */
  private deliver(meta: EventHandlerMeta, group: string, msg: BusMessage<unknown>, call: (value: unknown, msg: BusMessage<unknown>) => unknown): Promise<void> | void {
    const labels = this.labelsOf(meta.contract.name, group);
    const t0 = performance.now();
    if (!tracingExports()) {
      const traced = msg.headers['traceparent'] !== undefined;
      return this.settle(msg, group, labels, t0, undefined, traced ? () => context.with(extractTraceContext(msg.headers), () => call(msg.value, msg)) : () => call(msg.value, msg));
    }
    return this.tracer.startActiveSpan(`${msg.topic} process`, { kind: SpanKind.CONSUMER }, extractTraceContext(msg.headers), (span: Span) => {
      if (span.isRecording()) {
        span.setAttributes({
          'messaging.system': 'atp-bus',
          'messaging.destination.name': msg.topic,
          'messaging.consumer.group.name': group,
          'messaging.destination.partition.id': String(msg.partition),
          'messaging.kafka.offset': msg.offset,
        });
      }
      return this.settle(msg, group, labels, t0, span, () => call(msg.value, msg));
    });
  }

  /** Runs a delivery's handler and records its outcome (metrics, a warning on failure, the span's status and end): synchronously when the handler is. */
  private settle(msg: BusMessage<unknown>, group: string, labels: DeliveryLabels, t0: number, span: Span | undefined, run: () => unknown): Promise<void> | void {
    const ok = () => {
      if (span) {
        span.setStatus({ code: SpanStatusCode.OK });
        span.end();
      }
      this.record(labels, labels.ok, t0);
    };
    const failed = (e: unknown): never => {
      if (span) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
        span.end();
      }
      this.record(labels, labels.error, t0);
      this.runtime.logger.warn('handler failed', { topic: msg.topic, group, partition: msg.partition, offset: msg.offset, attempt: msg.attempt, err: e });
      throw e;
    };
    let r: unknown;
    try {
      r = run();
    } catch (e) {
      return failed(e);
    }
    if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') return (r as Promise<unknown>).then(ok, failed);
    ok();
    return undefined;
  }
}
