import { createLogger, memorySink, NestLoggerAdapter, REDACTED, redact, redactUrlCredentials } from './index';

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 6);

function setup(level: Parameters<typeof createLogger>[0]['level'] = 'info') {
  const sink = memorySink();
  const logger = createLogger({ service: 'risk', level, sink, now: () => T0 });
  return { sink, logger };
}

describe('JSON logger', () => {
  it('writes one JSON line per record: time, level, service, msg, then context fields', () => {
    const { sink, logger } = setup();
    logger.info('order approved', { clientOrderId: 'o1', qty: '0.5' });
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).not.toContain('\n');
    expect(Object.keys(JSON.parse(sink.lines[0]!))).toEqual(['time', 'level', 'service', 'msg', 'clientOrderId', 'qty']);
    expect(sink.records()[0]).toEqual({ time: '2024-01-02T03:04:05.006Z', level: 'info', service: 'risk', msg: 'order approved', clientOrderId: 'o1', qty: '0.5' });
  });

  it('drops records below its level, and writes nothing when silent', () => {
    const { sink, logger } = setup('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.fatal('f');
    expect(sink.records().map((r) => r['level'])).toEqual(['warn', 'fatal']);
    const quiet = setup('silent');
    quiet.logger.fatal('nothing');
    expect(quiet.sink.lines).toEqual([]);
  });

  it('child loggers add bindings and may rename the service; reserved fields cannot be overwritten', () => {
    const { sink, logger } = setup();
    const child = logger.child({ service: 'pnl', runId: 'r1' }).child({ symbol: 'BTC/USDT' });
    child.info('marked', { level: 'bogus', msg: 'bogus' });
    expect(sink.records()[0]).toEqual({
      time: '2024-01-02T03:04:05.006Z', level: 'info', service: 'pnl', msg: 'marked', runId: 'r1', symbol: 'BTC/USDT', 'ctx.level': 'bogus', 'ctx.msg': 'bogus',
    });
  });

  it('never logs secrets: values under secret-looking keys, at any depth, and URL credentials', () => {
    const { sink, logger } = setup('trace');
    logger.info('connecting to mongodb://atp:hunter2@db:27017/atp?authSource=admin&apiToken=abc', {
      apiKey: 'AKIA123', secret: 's3cr3t', exchange: { password: 'pw', passphrase: 'pp', nested: [{ accessToken: 'tok' }] },
      MONGO_URL: 'mongodb://user:pa55@host/db', KAFKA_BROKERS: ['b:9092'], emptyKey: '',
    });
    const line = sink.lines[0]!;
    for (const secret of ['AKIA123', 's3cr3t', '"pw"', '"pp"', 'tok', 'hunter2', 'pa55', 'abc']) expect(line).not.toContain(secret);
    const r = sink.records()[0]!;
    expect(r['msg']).toBe(`connecting to mongodb://atp:${REDACTED}@db:27017/atp?authSource=admin&apiToken=${REDACTED}`);
    expect(r['apiKey']).toBe(REDACTED);
    expect(r['exchange']).toEqual({ password: REDACTED, passphrase: REDACTED, nested: [{ accessToken: REDACTED }] });
    expect(r['MONGO_URL']).toBe(`mongodb://user:${REDACTED}@host/db`);
    expect(r['KAFKA_BROKERS']).toEqual(['b:9092']);
  });

  it('serialises errors (name, message, stack, cause) and redacts credentials inside them', () => {
    const { sink, logger } = setup();
    const err = new Error('auth failed for https://bot:pw123@api.example.com', { cause: new TypeError('inner') });
    logger.error('request failed', { err });
    const r = sink.records()[0]!;
    const e = r['err'] as Record<string, unknown>;
    expect(e['name']).toBe('Error');
    expect(e['message']).toBe(`auth failed for https://bot:${REDACTED}@api.example.com`);
    expect(String(e['stack'])).not.toContain('pw123');
    expect(e['cause']).toMatchObject({ name: 'TypeError', message: 'inner' });
  });

  it('survives cycles, bigint and buffers', () => {
    const { sink, logger } = setup();
    const a: Record<string, unknown> = { n: 1n, buf: Buffer.from('abc') };
    a['self'] = a;
    logger.info('odd', { a });
    expect(sink.records()[0]!['a']).toEqual({ n: '1', buf: '[Buffer 3 bytes]', self: '[Circular]' });
  });

  it('redact() does not mutate its input', () => {
    const input = { token: 't', url: 'http://u:p@h' };
    const out = redact(input);
    expect(input).toEqual({ token: 't', url: 'http://u:p@h' });
    expect(out).toEqual({ token: REDACTED, url: `http://u:${REDACTED}@h` });
    expect(redactUrlCredentials('no url here')).toBe('no url here');
  });
});

describe('NestLoggerAdapter', () => {
  it('maps Nest levels and contexts to JSON records; framework chatter goes to debug', () => {
    const { sink, logger } = setup('info');
    const nest = new NestLoggerAdapter(logger);
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('consumer started', 'BusConsumer');
    nest.error('boom', 'Error: boom\n    at x', 'ExceptionHandler');
    nest.warn('careful');
    expect(sink.records()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'consumer started', context: 'BusConsumer' }),
      expect.objectContaining({ level: 'error', msg: 'boom', context: 'ExceptionHandler', stack: 'Error: boom\n    at x' }),
      expect.objectContaining({ level: 'warn', msg: 'careful' }),
    ]);
  });
});
