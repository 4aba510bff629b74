import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { activeTraceparent, extractTraceContext, getTracer, injectTraceContext, runInConsumerSpan, setupTracing, withTraceContext } from './index';

const TRACEPARENT_RE = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = setupTracing({ serviceName: 'tracing-spec', exporter });
  afterAll(() => tracing.shutdown());

  it('injects the active span as a W3C traceparent and nothing outside a span', () => {
    expect(activeTraceparent()).toBeUndefined();
    const tracer = getTracer('spec');
    tracer.startActiveSpan('produce', (span) => {
      const headers = injectTraceContext({ 'event-id': 'e1' });
      expect(headers['traceparent']).toMatch(TRACEPARENT_RE);
      expect(headers['traceparent']).toContain(span.spanContext().traceId);
      expect(headers['event-id']).toBe('e1');
      span.end();
    });
  });

  it('runs a handler inside the context extracted from message headers, as a child of the producer span', async () => {
    const tracer = getTracer('spec');
    const producer = tracer.startSpan('publish');
    const headers = injectTraceContext({}, trace.setSpan(context.active(), producer));
    producer.end();

    let seenTraceId: string | undefined;
    await runInConsumerSpan(tracer, { name: 'md.candles.v1 process', headers }, async () => {
      await new Promise((r) => setImmediate(r)); // context survives async hops
      seenTraceId = trace.getSpan(context.active())?.spanContext().traceId;
      expect(activeTraceparent()).toMatch(TRACEPARENT_RE);
    });
    expect(seenTraceId).toBe(producer.spanContext().traceId);
    const consumer = exporter.getFinishedSpans().find((s) => s.name === 'md.candles.v1 process')!;
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);

    withTraceContext(headers, () => {
      expect(trace.getSpanContext(context.active())?.traceId).toBe(producer.spanContext().traceId);
    });
  });

  it('records a failing handler on its span and rethrows', async () => {
    await expect(runInConsumerSpan(getTracer('spec'), { name: 'failing' }, () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    const span = exporter.getFinishedSpans().find((s) => s.name === 'failing')!;
    expect(span.status.code).toBe(2);
  });

  it('ignores missing or malformed headers', () => {
    expect(trace.getSpanContext(extractTraceContext(undefined))).toBeUndefined();
    expect(trace.getSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
  });
});
