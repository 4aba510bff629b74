// The Kafka record headers the bus writes (wireHeaders) and the headers a consumer is handed for a
// record (presentedHeaders): derivable headers stay off the wire and come back on consume.
import { buildHeaders, mdCandlesV1 } from '@atp/contracts';
import { headersFor } from '../message-headers';
import { testCandle } from '../testing';
import { presentedHeaders, runIdOfTopic, wireHeaders } from './wire-headers';

const TOPIC = 'run.r-1_x.md.candles.v1';
const asRaw = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Buffer.from(v)]));

describe('Kafka wire headers', () => {
  const c = testCandle('BTC/USDT', 3);
  const full = headersFor(mdCandlesV1, c, { runId: 'r-1_x' }, 0);

  it('reads the run id of a physical topic name', () => {
    expect(runIdOfTopic(TOPIC)).toBe('r-1_x');
    expect(runIdOfTopic('run.r-1_x.md.candles.v1.dlq')).toBe('r-1_x');
    expect(runIdOfTopic('md.candles.v1')).toBeUndefined();
  });

  it('keeps schema version and event time on the wire, drops event id, run id and content type when derivable', () => {
    expect(full).toEqual({ 'schema-version': '1', 'event-time': String(c.tsEvent), 'event-id': c.eventId, 'content-type': 'application/json', 'run-id': 'r-1_x' });
    expect(wireHeaders(full, c.eventId, TOPIC)).toEqual({ 'schema-version': '1', 'event-time': String(c.tsEvent) });
    const traced = { ...full, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'a=b' };
    expect(wireHeaders(traced, c.eventId, TOPIC)).toEqual({ 'schema-version': '1', 'event-time': String(c.tsEvent), traceparent: traced.traceparent, tracestate: 'a=b' });
  });

  it('keeps what a consumer could not derive: another event id, run id or content type, extra headers', () => {
    const other = { ...full, 'event-id': 'custom', 'run-id': 'elsewhere', 'content-type': 'text/plain', x: '1' };
    expect(wireHeaders(other, c.eventId, TOPIC)).toEqual(other);
    // a value without an event id: headersFor's fallback id travels
    const noId = buildHeaders({ schemaVersion: 1, eventTime: 5, eventId: 'md.candles.v1@5' });
    expect(wireHeaders(noId, undefined, 'md.candles.v1')).toEqual({ 'schema-version': '1', 'event-time': '5', 'event-id': 'md.candles.v1@5' });
  });

  it('presents a compact record with exactly the headers it was published with', () => {
    for (const [h, topic] of [
      [full, TOPIC],
      [headersFor(mdCandlesV1, c, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', headers: { x: 'y' } }, 0), 'md.candles.v1'],
    ] as const) {
      expect(presentedHeaders(asRaw(wireHeaders(h, c.eventId, topic)), c, topic)).toEqual(h);
    }
  });

  it('reads records written with every header (older records) as they are', () => {
    expect(presentedHeaders(asRaw(full), c, TOPIC)).toEqual(full);
    // the wire's values win over derivation
    const written = { ...full, 'event-id': 'as-written', 'run-id': 'as-written' };
    expect(presentedHeaders(asRaw(written), c, TOPIC)).toEqual(written);
  });

  it('derives nothing for records the bus did not publish (no schema-version), nor an event id it cannot know', () => {
    expect(presentedHeaders(undefined, c, TOPIC)).toEqual({});
    expect(presentedHeaders(asRaw({ 'event-id': 'bad-1' }), c, TOPIC)).toEqual({ 'event-id': 'bad-1' });
    // a record that did not decode (no value): run id and content type, no event id
    expect(presentedHeaders(asRaw({ 'schema-version': '1', 'event-time': '7' }), undefined, TOPIC)).toEqual({
      'schema-version': '1',
      'event-time': '7',
      'run-id': 'r-1_x',
      'content-type': 'application/json',
    });
    // repeated keys: the first value
    expect(presentedHeaders({ a: [Buffer.from('1'), Buffer.from('2')] }, c, TOPIC)).toEqual({ a: '1' });
  });
});
