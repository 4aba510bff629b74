import { Inject, Injectable, Module } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { InProcessBus, type Bus, type BusMessage } from '@atp/bus';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { mdCandlesV1, riskAlertsV1, TOPICS, type CandleEvent, type RiskAlertEvent } from '@atp/contracts';
import { memorySink, setupTracing, type Logger } from '@atp/observability';
import { MemoryStore, type Store } from '@atp/storage';
import { eventually } from '@atp/testing';
import {
  bootstrapService, BUS, commonConfigProperties, ConfigError, defineService, LOGGER, OnEvent, SERVICE_CONFIG, serviceConfig, serviceModule, STORE,
  StartupError, type Infrastructure, type RunningHost, type ServiceRuntime,
} from './index';

const candle = (i: number): CandleEvent => ({
  eventId: `c${i}`, tsEvent: 1_700_000_000_000 + i * 60_000, tsInit: 1, source: 'spec', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m',
  openTime: 1_700_000_000_000 + (i - 1) * 60_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10, closed: true,
});

@Injectable()
class CandleRecorder {
  readonly seen: string[] = [];
  failNext = 0;
  constructor(
    @Inject(LOGGER) readonly logger: Logger,
    @Inject(STORE) readonly store: Store,
    @Inject(BUS) readonly bus: Bus,
    @Inject(SERVICE_CONFIG) readonly config: { SYMBOL_LIMIT: number },
  ) {}

  @OnEvent(mdCandlesV1, { retryBackoffMs: 1 })
  async onCandle(c: CandleEvent, msg: BusMessage<CandleEvent>): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('transient');
    }
    this.seen.push(`${c.eventId}@${msg.topic}`);
  }
}

@Module({})
class RecorderModule {}

const spec = serviceConfig(Type.Object({ ...commonConfigProperties({ port: 0 }), SYMBOL_LIMIT: Type.Integer({ default: 3, 'x-env': 'int', 'x-rule': 'an integer' }) }));
const recorderService = defineService({
  name: 'recorder',
  version: '1.2.3',
  config: spec,
  envPrefix: 'RECORDER_',
  module: (rt: ServiceRuntime) => serviceModule(RecorderModule, rt, { providers: [CandleRecorder] }),
});

const env = { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'debug' };


describe('bootstrapService with an @OnEvent handler', () => {
  let host: RunningHost;
  const sink = memorySink();
  let bus: Bus;
  beforeAll(async () => {
    host = await bootstrapService(recorderService, { env, logSink: sink });
    bus = host.context.services[0]!.bus;
  });
  afterAll(() => host.stop());

  it('injects the runtime under the constant tokens', () => {
    const r = host.app.get(CandleRecorder);
    expect(r.config.SYMBOL_LIMIT).toBe(3);
    expect(r.store).toBeInstanceOf(MemoryStore);
    expect(r.bus).toBeInstanceOf(InProcessBus);
    expect(r.bus).toBe(bus);
  });

  it('subscribes the handler through the Bus port and delivers, retrying a failure', async () => {
    const r = host.app.get(CandleRecorder);
    r.failNext = 1;
    await bus.publish(mdCandlesV1, candle(1));
    await bus.publish(mdCandlesV1, candle(2));
    await eventually(() => expect(r.seen).toEqual(['c1@md.candles.v1', 'c2@md.candles.v1']));
    const metrics = await (await fetch(`${host.url}/metrics`)).text();
    expect(metrics).toContain('atp_bus_messages_total{topic="md.candles.v1",group="recorder",outcome="ok"} 2');
    expect(metrics).toContain('atp_bus_messages_total{topic="md.candles.v1",group="recorder",outcome="error"} 1');
    expect(metrics).toMatch(/atp_bus_handle_seconds_count\{topic="md.candles.v1",group="recorder"\} 3/);
    expect(sink.records()).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'handler failed', service: 'recorder', attempt: 1 }));
    expect(sink.records()).toContainEqual(expect.objectContaining({ level: 'info', msg: 'subscribed', topic: TOPICS.mdCandles.name, group: 'recorder' }));
  });

  it('serves /health, /health/live and /health/ready as JSON', async () => {
    const res = await fetch(`${host.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ status: 'ok', live: true, ready: true, deployment: 'standalone', mode: 'paper' });
    expect(body['services']['recorder']).toMatchObject({ version: '1.2.3', ready: true, checks: { bus: { ok: true }, store: { ok: true }, consumers: { ok: true, detail: '1 subscription(s)' } } });
    expect((await fetch(`${host.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${host.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${host.url}/metrics`)).headers.get('content-type')).toContain('text/plain');
  });

  it('logs JSON lines with the service name', () => {
    const ready = sink.records().find((r) => r['msg'] === 'ready')!;
    expect(ready).toMatchObject({ level: 'info', service: 'recorder' });
    expect(typeof ready['startupMs']).toBe('number');
  });
});

describe('trace propagation through the bus', () => {
  /** A service relaying each candle as an alert; records what each handler saw (its span's trace id, the message's traceparent). */
  function relayService(seen: { topic: string; traceId?: string; traceparent?: string }[]) {
    @Injectable()
    class Relay {
      constructor(@Inject(BUS) private readonly bus: Bus) {}

      @OnEvent(mdCandlesV1, { group: 'relay' })
      async onCandle(c: CandleEvent, msg: BusMessage<CandleEvent>): Promise<void> {
        seen.push({ topic: msg.topic, traceId: trace.getActiveSpan()?.spanContext().traceId, traceparent: msg.headers['traceparent'] });
        const alert: RiskAlertEvent = {
          eventId: `a-${c.eventId}`, tsEvent: c.tsEvent, tsInit: c.tsInit, source: 'relay', alertId: `a-${c.eventId}`, severity: 'info', code: 'TEST', message: 'relayed', details: {},
        };
        await this.bus.publish(riskAlertsV1, alert);
      }

      @OnEvent(riskAlertsV1, { group: 'relay' })
      onAlert(_a: RiskAlertEvent, msg: BusMessage<RiskAlertEvent>): void {
        seen.push({ topic: msg.topic, traceId: trace.getActiveSpan()?.spanContext().traceId, traceparent: msg.headers['traceparent'] });
      }
    }
    @Module({})
    class RelayModule {}
    return defineService({ name: 'relay', version: '0.0.0', config: spec, envPrefix: 'RELAY_', module: (rt: ServiceRuntime) => serviceModule(RelayModule, rt, { providers: [Relay] }) });
  }

  it('with an exporter: continues the producer\'s trace in a CONSUMER span per delivery, hop after hop', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = setupTracing({ serviceName: 'relay', exporter });
    const seen: { topic: string; traceId?: string; traceparent?: string }[] = [];
    const host = await bootstrapService(relayService(seen), { env, logSink: memorySink() });
    try {
      await host.context.services[0]!.bus.publish(mdCandlesV1, candle(3));
      await eventually(() => expect(seen).toHaveLength(2));
      const [first, second] = seen;
      expect(first!.traceparent).toBeUndefined(); // published outside any span: the consumer starts the trace
      expect(first!.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(second!.traceparent).toContain(first!.traceId);
      expect(second!.traceId).toBe(first!.traceId);
      // One exported CONSUMER span per delivery, the second a child of the first.
      await eventually(() => expect(exporter.getFinishedSpans().filter((s) => s.name.endsWith(' process'))).toHaveLength(2));
      const candleSpan = exporter.getFinishedSpans().find((s) => s.name === `${seen[0]!.topic} process`);
      const alertSpan = exporter.getFinishedSpans().find((s) => s.name === `${seen[1]!.topic} process`);
      expect(candleSpan!.kind).toBe(SpanKind.CONSUMER);
      expect(alertSpan!.parentSpanContext?.spanId).toBe(candleSpan!.spanContext().spanId);
      expect(alertSpan!.spanContext().traceId).toBe(first!.traceId);
    } finally {
      await host.stop();
      await tracing.shutdown();
    }
  });

  it('without an exporter: no span per delivery, yet a traceparent the producer set is carried on by what the handler publishes', async () => {
    const seen: { topic: string; traceId?: string; traceparent?: string }[] = [];
    const host = await bootstrapService(relayService(seen), { env, logSink: memorySink() });
    try {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      await host.context.services[0]!.bus.publish(mdCandlesV1, candle(4), { traceparent });
      await host.context.services[0]!.bus.publish(mdCandlesV1, candle(5));
      await eventually(() => expect(seen).toHaveLength(4));
      const byTopic = (t: string) => seen.filter((x) => x.topic === t);
      const [c4, c5] = byTopic(mdCandlesV1.name);
      const [a4, a5] = byTopic(riskAlertsV1.name);
      // The handlers run in the producer's context (its remote span), without a span of their own.
      expect(c4!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(a4!.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(c5!.traceId).toBeUndefined();
      expect(a5!.traceId).toBeUndefined();
      expect(c4!.traceparent).toBe(traceparent);
      expect(a4!.traceparent).toBe(traceparent); // the same trace and parent: no span of the relay in between
      expect(c5!.traceparent).toBeUndefined();
      expect(a5!.traceparent).toBeUndefined();
    } finally {
      await host.stop();
    }
  });
});

describe('graceful stop', () => {
  it('turns readiness 503, waits for the in-flight handler, then closes the bus and the store', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done: string[] = [];
    @Injectable()
    class Slow {
      @OnEvent(mdCandlesV1)
      async on(c: CandleEvent): Promise<void> {
        await gate;
        done.push(c.eventId);
      }
    }
    @Module({})
    class SlowModule {}
    const def = defineService({ name: 'slow', version: '0.0.0', config: spec, envPrefix: 'SLOW_', module: (rt: ServiceRuntime) => serviceModule(SlowModule, rt, { providers: [Slow] }) });
    const host = await bootstrapService(def, { env, logSink: memorySink() });
    const [rt] = host.context.services;
    await rt!.bus.publish(mdCandlesV1, candle(7));
    await new Promise((r) => setTimeout(r, 50));
    const stopping = host.stop('test');
    expect(host.context.phase).toBe('stopping');
    expect((await host.report()).ready).toBe(false);
    setTimeout(release, 100);
    await stopping;
    expect(done).toEqual(['c7']);
    expect(host.context.phase).toBe('stopped');
    expect(await rt!.store.health()).toMatchObject({ ok: false });
    await expect(rt!.bus.publish(mdCandlesV1, candle(8))).rejects.toThrow();
    await expect(host.stop()).resolves.toBeUndefined(); // idempotent
  });
});

describe('start-up failures', () => {
  it('refuses a bad config with a message naming the key', async () => {
    await expect(bootstrapService(recorderService, { env: { ...env, SERVICE_PORT: 'eighty' } })).rejects.toThrow(
      new ConfigError([{ key: 'SERVICE_PORT', rule: 'must be a TCP port (an integer between 0 and 65535)', got: 'eighty' }]),
    );
  });

  it('names SERVICE_PORT when the port is taken', async () => {
    const first = await bootstrapService(recorderService, { env, logSink: memorySink() });
    try {
      const err = await bootstrapService(recorderService, { env: { ...env, SERVICE_PORT: String(first.port) }, logSink: memorySink() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StartupError);
      expect((err as Error).message).toBe(`Start-up failed: SERVICE_PORT=${first.port} is already in use on 127.0.0.1 (another process listens there)`);
    } finally {
      await first.stop();
    }
  });

  it('fails fast, naming the setting, when the bus or store never becomes healthy', async () => {
    const closed: string[] = [];
    const unhealthy: Infrastructure = {
      async createBus() {
        const b = new InProcessBus();
        return Object.assign(Object.create(b) as Bus, { health: async () => ({ ok: false, detail: 'broker down' }), close: async () => void closed.push('bus') });
      },
      async createStore() {
        throw new Error('getaddrinfo ENOTFOUND db for mongodb://u:pw@db');
      },
    };
    const t0 = Date.now();
    const err = await bootstrapService(recorderService, { env: { ...env, STARTUP_TIMEOUT_MS: '300' }, infrastructure: unhealthy, logSink: memorySink() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(/^Start-up failed: cannot reach the in-process bus \(broker down\).*; cannot reach the memory store \(getaddrinfo ENOTFOUND db/);
    expect((err as Error).message).not.toContain('pw');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(closed).toEqual(['bus']);
  });
});
