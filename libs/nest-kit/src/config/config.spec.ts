import { Type } from '@sinclair/typebox';
import { commonConfigProperties, ConfigError, databaseName, Env, LIVE_CONFIRM_PHRASE, loadConfig, printableConfig, serviceConfig } from './index';

const spec = serviceConfig(
  Type.Object({
    ...commonConfigProperties({ port: 3100 }),
    MAX_ORDERS: Env.int({ default: 10, minimum: 1, maximum: 100 }),
    FEE_RATE: Env.decimal({ default: '0.001' }),
    SYMBOLS: Env.list(Type.String({ pattern: '^[A-Z]+/[A-Z]+$' }), { default: ['BTC/USDT'], rule: 'a comma-separated list of BASE/QUOTE symbols' }),
    DRY_RUN: Env.bool({ default: false }),
    EXCHANGE_API_SECRET: Type.Optional(Env.string({ secret: true })),
  }),
);
const base = { BUS: 'in-process', STORE: 'memory' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults and parses ints, bools, decimals and comma lists', () => {
    const c = loadConfig(spec, { ...base, MAX_ORDERS: '42', DRY_RUN: 'yes', SYMBOLS: 'BTC/USDT, ETH/USDT', KAFKA_BROKERS: 'a:1,b:2' });
    expect(c).toMatchObject({ SERVICE_PORT: 3100, LOG_LEVEL: 'info', BUS: 'in-process', STORE: 'memory', TRADING_MODE: 'paper', MAX_ORDERS: 42, DRY_RUN: true, FEE_RATE: '0.001' });
    expect(c.SYMBOLS).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(c.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(c.RUN_ID).toBeUndefined();
    expect(c.KAFKA_PRODUCER_THREADS).toBe(1);
    expect(c.KAFKA_PRODUCER_WORKER).toBe(false);
    expect(c.KAFKA_COMMIT_INTERVAL_MS).toBe(0);
    expect(c).toMatchObject({ KAFKA_FETCH_MIN_BYTES: 1, KAFKA_MAX_WAIT_TIME_MS: 250 });
    expect(loadConfig(spec, { ...base, KAFKA_FETCH_MIN_BYTES: '1048576', KAFKA_MAX_WAIT_TIME_MS: '100' })).toMatchObject({ KAFKA_FETCH_MIN_BYTES: 1048576, KAFKA_MAX_WAIT_TIME_MS: 100 });
    expect(() => loadConfig(spec, { ...base, KAFKA_FETCH_MIN_BYTES: '0' })).toThrow(/KAFKA_FETCH_MIN_BYTES/);
    expect(loadConfig(spec, { ...base, KAFKA_PRODUCER_WORKER: 'true', KAFKA_PRODUCER_THREADS: '2' })).toMatchObject({ KAFKA_PRODUCER_WORKER: true, KAFKA_PRODUCER_THREADS: 2 });
  });

  it('returns a deeply frozen object: mutation throws', () => {
    const c = loadConfig(spec, base) as Record<string, unknown>;
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      c['SERVICE_PORT'] = 1;
    }).toThrow(TypeError);
    expect(() => {
      (c['SYMBOLS'] as string[]).push('X/Y');
    }).toThrow(TypeError);
  });

  it.each([
    [{ KAFKA_BROKERS: 'x' }, 'Invalid configuration: KAFKA_BROKERS must be a comma-separated list of host:port (got "x")'],
    [{ SERVICE_PORT: '70000' }, 'Invalid configuration: SERVICE_PORT must be a TCP port (an integer between 0 and 65535) (got "70000")'],
    [{ SERVICE_PORT: '80abc' }, 'SERVICE_PORT must be a TCP port'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of trace|debug|info|warn|error|fatal|silent (got "loud")'],
    [{ BUS: 'rabbit' }, 'BUS must be one of in-process|kafka (got "rabbit")'],
    [{ MAX_ORDERS: '2.5' }, 'MAX_ORDERS must be an integer between 1 and 100 (got "2.5")'],
    [{ DRY_RUN: 'maybe' }, 'DRY_RUN must be one of true|false|1|0|yes|no (got "maybe")'],
    [{ KAFKA_PRODUCER_WORKER: 'sometimes' }, 'KAFKA_PRODUCER_WORKER must be one of true|false|1|0|yes|no (got "sometimes")'],
    [{ KAFKA_PRODUCER_THREADS: '17' }, 'KAFKA_PRODUCER_THREADS must be an integer between 1 and 16 (got "17")'],
    [{ FEE_RATE: '1e-3' }, 'FEE_RATE must be a non-negative decimal number such as 0.001 (got "1e-3")'],
    [{ SYMBOLS: 'btc' }, 'SYMBOLS must be a comma-separated list of BASE/QUOTE symbols (got "btc")'],
    [{ RUN_ID: 'a b' }, 'RUN_ID must be a run id of 1-64 characters [A-Za-z0-9_-] (got "a b")'],
    [{ MONGO_URL: 'http://x' }, 'MONGO_URL must be a mongodb or mongodb+srv:// URL (got "http://x")'],
    [{ BUS: 'kafka' }, 'Invalid configuration: KAFKA_BROKERS is required when BUS=kafka'],
    [{ STORE: 'mongo' }, 'Invalid configuration: MONGO_URL is required when STORE=mongo'],
  ])('refuses %j with one message naming the key and the rule', (bad, message) => {
    const e = errorOf(() => loadConfig(spec, { ...base, ...bad }));
    expect(e.message).toContain(message);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('names every bad key in the same single message', () => {
    const e = errorOf(() => loadConfig(spec, { ...base, SERVICE_PORT: '-1', LOG_LEVEL: 'x' }));
    expect(e.issues.map((i) => i.key)).toEqual(['SERVICE_PORT', 'LOG_LEVEL']);
    expect(e.message).toMatch(/^Invalid configuration: SERVICE_PORT .*; LOG_LEVEL /);
  });

  it('refuses live trading without the explicit opt-in', () => {
    expect(errorOf(() => loadConfig(spec, { ...base, TRADING_MODE: 'live' })).message).toBe(
      `Invalid configuration: ATP_LIVE_CONFIRM must be "${LIVE_CONFIRM_PHRASE}" when TRADING_MODE=live (live trading places real orders)`,
    );
    expect(errorOf(() => loadConfig(spec, { ...base, TRADING_MODE: 'live', ATP_LIVE_CONFIRM: 'yes' })).issues[0]!.key).toBe('ATP_LIVE_CONFIRM');
    expect(loadConfig(spec, { ...base, TRADING_MODE: 'live', ATP_LIVE_CONFIRM: LIVE_CONFIRM_PHRASE }).TRADING_MODE).toBe('live');
  });

  it('reads PREFIX_KEY before KEY and names the variable it read', () => {
    const c = loadConfig(spec, { ...base, LOG_LEVEL: 'warn', RISK_LOG_LEVEL: 'debug', MAX_ORDERS: '5' }, 'RISK_');
    expect(c.LOG_LEVEL).toBe('debug');
    expect(c.MAX_ORDERS).toBe(5);
    expect(errorOf(() => loadConfig(spec, { ...base, RISK_MAX_ORDERS: '0' }, 'RISK_')).message).toContain('RISK_MAX_ORDERS must be');
    expect(errorOf(() => loadConfig(spec, { ...base, MAX_ORDERS: '0' }, 'RISK_')).message).toContain('Invalid configuration: MAX_ORDERS must be');
  });

  it('never echoes a secret value in an error or in the printable config', () => {
    const e = errorOf(() => loadConfig(spec, { ...base, EXCHANGE_API_SECRET: ' ', MONGO_URL: 'ftp://u:pw@h' }));
    expect(e.message).not.toContain('pw');
    const c = loadConfig(spec, { ...base, EXCHANGE_API_SECRET: 'shh', MONGO_URL: 'mongodb://atp:pw@db:27017/' });
    const printed = JSON.stringify(printableConfig(spec, c));
    expect(printed).not.toContain('shh');
    expect(printed).not.toContain(':pw@');
    expect(printableConfig(spec, c)['MONGO_URL']).toBe('mongodb://atp:[REDACTED]@db:27017/');
  });

  it('gives each service its own database, and a run its own', () => {
    expect(databaseName({ MONGO_DB: 'atp' }, 'risk')).toBe('atp_risk');
    expect(databaseName({ MONGO_DB: 'atp', RUN_ID: 'r1' }, 'ml-inference')).toBe('atp_ml-inference_run_r1');
    const long = databaseName({ MONGO_DB: 'atp', RUN_ID: 'x'.repeat(64) }, 'ml-inference');
    expect(long).toMatch(/^atp_ml-inference_run_x+_[0-9a-f]{8}$/);
    expect(long).toHaveLength(63);
    expect(databaseName({ MONGO_DB: 'atp', RUN_ID: 'y'.repeat(64) }, 'ml-inference')).not.toBe(long);
  });
});
