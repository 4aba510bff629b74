import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { ALL_TOPICS, buildHeaders, decode, dlqTopicName, encode, HEADER, instrumentKey, mdCandlesV1, ordersEventsV1, topicName, validate, fillsV1, type CandleEvent } from './index';
import { generateProtoFiles } from './proto';

const candle: CandleEvent = {
  eventId: 'e1', tsEvent: 1_609_462_800_000, tsInit: 1_609_462_800_005, source: 'test',
  exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', openTime: 1_609_459_200_000,
  open: 28923.63, high: 29031.34, low: 28690.17, close: 28995.13, volume: 2311.811445, closed: true,
};

describe('topic contracts', () => {
  it('names every topic of ARCHITECTURE.md once, versioned', () => {
    const names = ALL_TOPICS.map((t) => t.name).sort();
    expect(names).toEqual([
      'features.v1', 'fills.v1', 'md.book.v1', 'md.candles.v1', 'md.trades.v1', 'orders.approved.v1', 'orders.commands.v1',
      'orders.events.v1', 'orders.intents.v1', 'orders.rejected.v1', 'otc.quotes.v1', 'pnl.v1', 'risk.alerts.v1',
      'risk.commands.v1', 'signals.v1',
    ]);
    for (const t of ALL_TOPICS) expect(t.partitions).toBeGreaterThan(0);
    expect(mdCandlesV1.retentionMs).toBe(-1); // md.* must be replayable
  });

  it("says what each key function keys by (keyDoc), and says it truly", () => {
    // a value with every field a key reads, in each field its own name's value
    const v = { exchange: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', account: 'paper', strategyId: 'ma-1', code: 'kill-switch' };
    for (const t of ALL_TOPICS) {
      const key = (t.key as (x: typeof v) => string)(v);
      const doc = t.keyDoc.replace(/ or "all"$/, '');
      if (doc.endsWith('(constant)')) expect(`"${key}" (constant)`).toBe(doc);
      else expect(key).toBe(doc.replace(/[a-zA-Z]+/g, (f) => v[f as keyof typeof v]));
    }
    expect(ALL_TOPICS.map((t) => t.keyDoc).filter((d) => d === 'exchange:symbol')).toHaveLength(10);
  });

  it('round-trips a valid candle and keys it by exchange:symbol', () => {
    const bytes = encode(mdCandlesV1, candle);
    const r = decode(mdCandlesV1, bytes);
    expect(r).toEqual({ ok: true, value: candle });
    expect(mdCandlesV1.key(candle)).toBe('binance:BTC/USDT');
  });

  it('rejects schema violations with the path and rule, without throwing', () => {
    const bad = decode(mdCandlesV1, Buffer.from(JSON.stringify({ ...candle, close: -1 })));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errorKind).toBe('schema');
      expect(bad.reason).toMatch(/md\.candles\.v1: \/close/);
    }
    const extra = validate(mdCandlesV1, { ...candle, surprise: 1 });
    expect(extra.ok).toBe(false);
    const missing = validate(mdCandlesV1, { ...candle, eventId: undefined });
    expect(missing.ok).toBe(false);
  });

  it('reports undecodable bytes as decode errors', () => {
    const r = decode(mdCandlesV1, Buffer.from([0xff, 0xfe, 0x00]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errorKind).toBe('decode');
    const empty = decode(mdCandlesV1, Buffer.alloc(0));
    expect(empty.ok).toBe(false);
  });

  it('refuses to encode an invalid value (a producer bug)', () => {
    expect(() => encode(mdCandlesV1, { ...candle, high: 0 })).toThrow(/md\.candles\.v1: \/high/);
  });

  it('carries money as exact decimal strings only', () => {
    const fill = {
      eventId: 'f', tsEvent: 1, tsInit: 1, source: 't', exchange: 'binance', symbol: 'BTC/USDT', runId: 'r', fillId: 'o:0',
      clientOrderId: 'o', strategyId: 's', side: 'buy', price: '29000.01', quantity: '0.00123', fee: '0.03567001',
      feeCurrency: 'USDT', liquidity: 'taker', role: 'entry',
    } as const;
    expect(validate(fillsV1, fill).ok).toBe(true);
    expect(validate(fillsV1, { ...fill, price: 29000.01 }).ok).toBe(false);
    expect(validate(fillsV1, { ...fill, price: '2.9e4' }).ok).toBe(false);
  });

  it('validates discriminated unions (order updates and bar-matched markers)', () => {
    const marker = { eventId: 'm', tsEvent: 1, tsInit: 1, source: 'execution', exchange: 'binance', symbol: 'BTC/USDT', kind: 'bar-matched', runId: 'r', timeframe: '1h', barTime: 3_600_000, fills: 0 };
    expect(validate(ordersEventsV1, marker).ok).toBe(true);
    expect(validate(ordersEventsV1, { ...marker, kind: 'order' }).ok).toBe(false);
  });

  it('prefixes topics with the run id and names dead-letter topics', () => {
    expect(topicName(mdCandlesV1)).toBe('md.candles.v1');
    expect(topicName(mdCandlesV1, 'bt-42')).toBe('run.bt-42.md.candles.v1');
    expect(dlqTopicName('run.bt-42.md.candles.v1')).toBe('run.bt-42.md.candles.v1.dlq');
    expect(() => topicName(mdCandlesV1, 'bad id')).toThrow(/bad run id/);
  });
});

describe('proto/', () => {
  const protoDir = path.resolve(__dirname, '../../../proto');
  const generated = generateProtoFiles();

  it('matches a fresh generation from the schemas (run `npm run proto` after changing a contract)', () => {
    const committed = fs.readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, content] of generated) {
      expect(fs.readFileSync(path.join(protoDir, name), 'utf8')).toBe(content);
    }
  });

  it('is valid proto3 that a protobuf parser accepts, with one field per schema property', () => {
    for (const [name, content] of generated) {
      const parsed = protobuf.parse(content, { keepCase: true });
      expect(parsed.package).toMatch(/^atp\./);
      expect(name).toMatch(/\.proto$/);
    }
    const root = protobuf.parse(generated.get('md.candles.v1.proto')!, { keepCase: true }).root;
    const msg = root.lookupType('atp.md.candles.v1.CandleEvent');
    expect(Object.keys(msg.fields)).toEqual(Object.keys(mdCandlesV1.schema.properties).map((k) => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()));
    expect(msg.fields['close']!.type).toBe('double');
    const fills = protobuf.parse(generated.get('fills.v1.proto')!, { keepCase: true }).root.lookupType('atp.fills.v1.FillEvent');
    expect(fills.fields['price']!.type).toBe('string');
  });
});

describe('buildHeaders', () => {
  it('writes the HEADER names, in a fixed order, optional ones only when given', () => {
    expect(Object.entries(buildHeaders({ schemaVersion: 2, eventTime: 1_600_000_000_000, eventId: 'e1' }))).toEqual([
      [HEADER.schemaVersion, '2'],
      [HEADER.eventTime, '1600000000000'],
      [HEADER.eventId, 'e1'],
      [HEADER.contentType, 'application/json'],
    ]);
    expect(buildHeaders({ schemaVersion: 1, eventTime: 5, eventId: 'e2', runId: 'r1', traceparent: 'tp' })).toEqual({ [HEADER.schemaVersion]: '1', [HEADER.eventTime]: '5', [HEADER.eventId]: 'e2', [HEADER.contentType]: 'application/json', [HEADER.runId]: 'r1', [HEADER.traceparent]: 'tp' });
  });
});

describe('instrumentKey', () => {
  it('is `<exchange>:<symbol>`, the same string object for the same pair, as the topics key their messages', () => {
    expect(instrumentKey('binance', 'BTC/USDT')).toBe('binance:BTC/USDT');
    const a = instrumentKey('binance', `ETH/${'USDT'}`);
    expect(instrumentKey('binance', 'ETH/USDT')).toBe(a);
    expect(instrumentKey('kraken', 'ETH/USDT')).toBe('kraken:ETH/USDT');
    expect(mdCandlesV1.key(candle)).toBe(`${candle.exchange}:${candle.symbol}`);
    expect(fillsV1.key({ exchange: 'x', symbol: 'y' } as Parameters<typeof fillsV1.key>[0])).toBe('x:y');
  });
});
