import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

/** Header name of the W3C trace context, as carried in Kafka headers (see contracts HEADER). */
export const TRACEPARENT = 'traceparent';

export interface TracingOptions {
  /** `service.name` resource attribute (the embedded launcher uses one name for the process). */
  serviceName: string;
  serviceVersion?: string;
  /**
   * OTLP/HTTP endpoint, e.g. `http://otel-collector:4318` (the exporter appends `/v1/traces`).
   * Spans are exported only when this is set; otherwise they are created (so trace ids still
   * propagate through the bus) and dropped.
   */
  otlpEndpoint?: string;
  /** Extra exporter, e.g. an `InMemorySpanExporter` in tests (exported synchronously). */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** True when spans leave the process (OTLP configured or an exporter given). */
  readonly exporting: boolean;
  /** Flushes and, for the last user in the process, unregisters the provider. */
  shutdown(): Promise<void>;
}

/** The process-wide provider; several services in one process (embedded) share it. */
let shared: { provider: NodeTracerProvider; users: number; exporting: boolean } | undefined;

/**
 * Registers a NodeTracerProvider (AsyncLocalStorage context manager, W3C trace-context and baggage
 * propagators) as the global OpenTelemetry provider. Idempotent per process: later calls reuse the
 * provider and return a handle whose shutdown only releases their reference.
 */
export function setupTracing(opts: TracingOptions): Tracing {
  if (!shared) {
    const spanProcessors: SpanProcessor[] = [];
    if (opts.otlpEndpoint) {
      const base = opts.otlpEndpoint.replace(/\/+$/, '');
      spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: base.endsWith('/v1/traces') ? base : `${base}/v1/traces` })));
    }
    if (opts.exporter) spanProcessors.push(new SimpleSpanProcessor(opts.exporter));
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': opts.serviceName, ...(opts.serviceVersion ? { 'service.version': opts.serviceVersion } : {}) }),
      spanProcessors,
    });
    provider.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
    shared = { provider, users: 0, exporting: spanProcessors.length > 0 };
  }
  const mine = shared;
  mine.users += 1;
  let released = false;
  return {
    exporting: mine.exporting,
    async shutdown() {
      if (released) return;
      released = true;
      mine.users -= 1;
      if (mine.users > 0) {
        await mine.provider.forceFlush();
        return;
      }
      if (shared === mine) shared = undefined;
      await mine.provider.shutdown();
      // Lets a later setupTracing (next test, next embedded boot) register again.
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/**
 * True when spans leave the process: setupTracing registered a provider with an OTLP endpoint or
 * an exporter. Without one, per-message spans are only overhead (the bus consumer then runs
 * handlers in the producer's trace context without a span of its own).
 */
export function tracingExports(): boolean {
  return shared?.exporting === true;
}

/** A tracer for one component, from the global provider (a no-op tracer before setupTracing). */
export function getTracer(name: string, version?: string): Tracer {
  return trace.getTracer(name, version);
}

// Helpers use the W3C propagator directly, so they work whatever the global propagator is.
const w3c = new W3CTraceContextPropagator();
const recordSetter = {
  set(carrier: Record<string, string>, key: string, value: string) {
    carrier[key] = value;
  },
};
const recordGetter = {
  get(carrier: Readonly<Record<string, string>>, key: string) {
    const exact = carrier[key];
    if (exact !== undefined) return exact;
    const lower = key.toLowerCase();
    for (const k of Object.keys(carrier)) if (k.toLowerCase() === lower) return carrier[k];
    return undefined;
  },
  keys(carrier: Readonly<Record<string, string>>) {
    return Object.keys(carrier);
  },
};

/**
 * Writes the active (or given) context's `traceparent` (and `tracestate`) into `headers` and
 * returns them; leaves them unchanged when there is no sampled or remote span in the context.
 */
export function injectTraceContext(headers: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  w3c.inject(ctx, headers, recordSetter);
  return headers;
}

/** The active context's W3C `traceparent`, or undefined outside a span. */
export function activeTraceparent(ctx: Context = context.active()): string | undefined {
  return injectTraceContext({}, ctx)[TRACEPARENT];
}

/** The context a message's headers carry (the root context when they carry none or a bad one). */
export function extractTraceContext(headers: Readonly<Record<string, string>> | undefined): Context {
  return headers ? w3c.extract(ROOT_CONTEXT, headers, recordGetter) : ROOT_CONTEXT;
}

/** Runs `fn` inside the context extracted from `headers` (needs setupTracing's context manager). */
export function withTraceContext<T>(headers: Readonly<Record<string, string>> | undefined, fn: () => T): T {
  return context.with(extractTraceContext(headers), fn);
}

export interface ConsumeSpanOptions {
  /** Span name, e.g. `md.candles.v1 process`. */
  name: string;
  headers?: Readonly<Record<string, string>>;
  attributes?: Attributes;
}

/**
 * Runs a message handler in a CONSUMER span whose parent is the trace context in the message's
 * headers, so a trace follows an event from market-feed to pnl. Records a thrown error on the
 * span and rethrows it (the bus decides on retry or dead-letter).
 */
export async function runInConsumerSpan<T>(tracer: Tracer, opts: ConsumeSpanOptions, fn: () => Promise<T> | T): Promise<T> {
  const parent = extractTraceContext(opts.headers);
  return tracer.startActiveSpan(opts.name, { kind: SpanKind.CONSUMER, attributes: opts.attributes }, parent, async (span) => {
    try {
      const out = await fn();
      span.setStatus({ code: SpanStatusCode.OK });
      return out;
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error)?.message });
      throw e;
    } finally {
      span.end();
    }
  });
}
