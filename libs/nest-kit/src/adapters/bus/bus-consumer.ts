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
/**
 * A (topic, group)'s label sets (the handle-time histogram's and the two outcomes') and its
 * deliveries not yet counted: their handle times in seconds, and how many were ok / failed.
 */
type DeliveryLabels = { handle: Labels; ok: Labels; error: Labels; seconds: number[]; oks: number; errors: number };

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
        const handler = fn as (this: unknown, v: unknown, m: BusMessage<unknown>) => unknown;
        const labels = this.labelsOf(meta.contract.name, group);
        const sub = await this.runtime.bus.subscribe(
          { ...meta.options, contract: meta.contract, group: groupName(group, this.runtime.config.RUN_ID), runId: this.runtime.config.RUN_ID },
          (msg) => this.deliver(group, labels, msg, instance, handler),
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

  /** Label sets with deliveries not yet counted in the metrics, flushed once per event-loop turn. */
  private readonly unrecorded: DeliveryLabels[] = [];

  /**
   * Counts a delivery in `atp_bus_messages_total` / `atp_bus_handle_seconds` on the next turn of the
   * event loop (prom-client validates and hashes the labels on every call): that work stays off the
   * path of the in-process bus, where the next hop runs in the same turn. The turn's deliveries of a
   * (topic, group) are counted with one `inc` per outcome.
   */
  private record(labels: DeliveryLabels, outcome: Labels, t0: number): void {
    if (labels.seconds.length === 0 && this.unrecorded.push(labels) === 1) setImmediate(this.flushMetrics);
    labels.seconds.push((performance.now() - t0) / 1000);
    if (outcome === labels.ok) labels.oks++;
    else labels.errors++;
  }

  private readonly flushMetrics = (): void => {
    for (const l of this.unrecorded.splice(0)) {
      if (l.oks > 0) this.metrics.messages.inc(l.ok, l.oks);
      if (l.errors > 0) this.metrics.messages.inc(l.error, l.errors);
      for (const sec of l.seconds) this.metrics.handleSeconds.observe(l.handle, sec);
      l.oks = 0;
      l.errors = 0;
      l.seconds.length = 0;
    }
  };

  /** Label sets per (topic, group), built once (at subscription): a delivery allocates none. */
  private readonly labelCache = new Map<string, DeliveryLabels>();

  private labelsOf(topic: string, group: string): DeliveryLabels {
    const k = `${topic}\u0000${group}`;
    let l = this.labelCache.get(k);
    if (!l) this.labelCache.set(k, (l = { handle: { topic, group }, ok: { topic, group, outcome: 'ok' }, error: { topic, group, outcome: 'error' }, seconds: [], oks: 0, errors: 0 }));
    return l;
  }

  /**
   * One delivery: in a CONSUMER span (parent: the message's trace context) when spans leave the
   * process; without an exporter no span is created, ended and dropped per message (~5% of a
   * pipeline service's CPU) and the handler runs in the trace context of the message's
   * `traceparent`, if it has one, so its publications carry that trace on (a message without one
   * runs the handler directly: no context switch, no closure). A handler that returns no promise
   * (e.g. an input it filters out) completes synchronously: no promise, no microtask hop, so the
   * in-process bus goes on to the next record in the same turn — each hop of the embedded pipeline
   * costs a few microtasks less.
   */
  private deliver(group: string, labels: DeliveryLabels, msg: BusMessage<unknown>, instance: unknown, handler: (this: unknown, v: unknown, m: BusMessage<unknown>) => unknown): Promise<void> | void {
    const t0 = performance.now();
    if (!tracingExports()) {
      if (msg.headers['traceparent'] !== undefined) return this.settle(msg, group, labels, t0, undefined, () => context.with(extractTraceContext(msg.headers), () => handler.call(instance, msg.value, msg)));
      let r: unknown;
      try {
        r = handler.call(instance, msg.value, msg);
      } catch (e) {
        return this.failed(msg, group, labels, t0, undefined, e);
      }
      return this.outcome(r, msg, group, labels, t0, undefined);
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
      return this.settle(msg, group, labels, t0, span, () => handler.call(instance, msg.value, msg));
    });
  }

  /** Runs a delivery's handler and records its outcome (metrics, a warning on failure, the span's status and end): synchronously when the handler is. */
  private settle(msg: BusMessage<unknown>, group: string, labels: DeliveryLabels, t0: number, span: Span | undefined, run: () => unknown): Promise<void> | void {
    let r: unknown;
    try {
      r = run();
    } catch (e) {
      return this.failed(msg, group, labels, t0, span, e);
    }
    return this.outcome(r, msg, group, labels, t0, span);
  }

  /** What a handler returned, recorded: a promise once it settles, anything else at once (no microtask hop). */
  private outcome(r: unknown, msg: BusMessage<unknown>, group: string, labels: DeliveryLabels, t0: number, span: Span | undefined): Promise<void> | void {
    if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
      return (r as Promise<unknown>).then(
        () => this.succeeded(labels, t0, span),
        (e: unknown) => this.failed(msg, group, labels, t0, span, e),
      );
    }
    this.succeeded(labels, t0, span);
    return undefined;
  }

  /** A delivery's handler succeeded: counted, and its span (if any) ended OK. */
  private succeeded(labels: DeliveryLabels, t0: number, span: Span | undefined): void {
    if (span) {
      span.setStatus({ code: SpanStatusCode.OK });
      span.end();
    }
    this.record(labels, labels.ok, t0);
  }

  /** A delivery's handler failed: records it (metrics, a warning, the span's status and end) and throws the error on (the bus retries or dead-letters). */
  private failed(msg: BusMessage<unknown>, group: string, labels: DeliveryLabels, t0: number, span: Span | undefined, e: unknown): never {
    if (span) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
      span.end();
    }
    this.record(labels, labels.error, t0);
    this.runtime.logger.warn('handler failed', { topic: msg.topic, group, partition: msg.partition, offset: msg.offset, attempt: msg.attempt, err: e });
    throw e;
  }
}
