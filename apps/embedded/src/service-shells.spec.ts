// Every service shell, table-driven: boots through the real bootstrap (in-process bus, memory
// store, port 0), reports healthy on /health over HTTP, serves atp_ metrics, logs JSON, stops
// gracefully, and refuses a bad configuration with one message naming the key.
import { memorySink } from '@atp/observability';
import { bootstrapService, ConfigError, type RunningHost, type ServiceDefinition } from '@atp/nest-kit';
import { ALL_SERVICES } from './services';

const ENV = { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info' };

/** One bad value of the service's own configuration, and the key the message must name. */
const BAD_OWN_CONFIG: Record<string, [Record<string, string>, string]> = {
  'market-feed': [{ SYMBOLS: 'btcusdt' }, 'SYMBOLS must be a comma-separated list of BASE/QUOTE symbols'],
  'otc-quotes': [{ OTC_QUOTE_TTL_MS: '5' }, 'OTC_QUOTE_TTL_MS must be an integer between 100 and 600000'],
  features: [{ FEATURE_SET: 'Default V1' }, 'FEATURE_SET must be a feature set id'],
  'ml-inference': [{ MIN_CONFIDENCE: '1.5' }, 'MIN_CONFIDENCE must be a number >= 0 and <= 1'],
  strategy: [{ STRATEGIES: 'SMA Cross' }, 'STRATEGIES must be a comma-separated list of strategy ids'],
  risk: [{ RISK_MAX_ORDER_NOTIONAL: '-5' }, 'RISK_MAX_ORDER_NOTIONAL must be a non-negative decimal'],
  execution: [{ TRADING_MODE: 'live', ATP_LIVE_CONFIRM: 'yes-i-understand' }, 'EXCHANGE_API_KEY is required when TRADING_MODE=live'],
  pnl: [{ INITIAL_CASH: 'lots' }, 'INITIAL_CASH must be a non-negative decimal'],
  gateway: [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS must be a comma-separated list of origins'],
};

describe.each(ALL_SERVICES.map((d) => [d.name, d] as const))('service shell %s', (name, def: ServiceDefinition<never>) => {
  const sink = memorySink();
  let host: RunningHost;
  beforeAll(async () => {
    host = await bootstrapService(def, { env: ENV, logSink: sink });
  });
  afterAll(() => host?.stop());

  it('boots, reports healthy on /health, serves atp_ metrics and logs JSON', async () => {
    const res = await fetch(`${host.url}/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ready: boolean; services: Record<string, { ready: boolean; version: string }> };
    expect(body.ready).toBe(true);
    expect(body.services[name]).toMatchObject({ ready: true, version: def.version });
    expect((await fetch(`${host.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${host.url}/health/live`)).status).toBe(200);

    const metrics = await (await fetch(`${host.url}/metrics`)).text();
    expect(metrics).toContain(`atp_service_info{service="${name}",version="${def.version}",mode="paper"} 1`);
    expect(metrics).toContain('atp_process_resident_memory_bytes');
    expect(metrics.split('\n').filter((l) => /^[a-z]/.test(l) && !l.startsWith('atp_'))).toEqual([]);

    const records = sink.records();
    expect(records.find((r) => r['msg'] === 'ready')).toMatchObject({ level: 'info', service: name });
    for (const r of records) expect(Object.keys(r).slice(0, 4)).toEqual(['time', 'level', 'service', 'msg']);
  });

  it('stops gracefully: readiness drops, bus and store close', async () => {
    const [rt] = host.context.services;
    await host.stop('test');
    expect(host.context.phase).toBe('stopped');
    expect((await rt!.store.health()).ok).toBe(false);
    expect((await rt!.bus.health()).ok).toBe(false);
    await expect(fetch(`${host.url}/health`)).rejects.toThrow();
  });

  it.each([
    [{ SERVICE_PORT: 'http' }, 'Invalid configuration: SERVICE_PORT must be a TCP port (an integer between 0 and 65535) (got "http")'],
    [{ BUS: 'kafka', KAFKA_BROKERS: 'localhost' }, 'Invalid configuration: KAFKA_BROKERS must be a comma-separated list of host:port (got "localhost")'],
    [{ TRADING_MODE: 'live' }, 'Invalid configuration: ATP_LIVE_CONFIRM must be "yes-i-understand" when TRADING_MODE=live'],
    BAD_OWN_CONFIG[name]!,
  ])('refuses to start on %j with a message naming the key', async (bad, message) => {
    const err = await bootstrapService(def, { env: { ...ENV, ...bad }, logSink: memorySink() }).then(
      (h) => h.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(message);
  });
});

it('covers the nine services of ARCHITECTURE.md', () => {
  expect(ALL_SERVICES.map((d) => d.name).sort()).toEqual(Object.keys(BAD_OWN_CONFIG).sort());
  expect(new Set(ALL_SERVICES.map((d) => d.envPrefix)).size).toBe(9);
});
