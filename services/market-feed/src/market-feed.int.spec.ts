// market-feed on the real Kafka broker `npm test` starts (FAILS when KAFKA_BROKERS is unset):
// live candles from the fake Binance through ccxt.pro, published on run.<id>.md.candles.v1 and
// read back by a Kafka consumer group; a stale stream's alert on risk.alerts.v1.
// Data: recorded BTC/USDT 1h candles (shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0).
import { Kafka, logLevel } from 'kafkajs';
import { createBus, type Bus } from '@atp/bus';
import { TOPICS, topicName } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import { eventually, FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { collect, startFeedHost, type FeedHost } from './testing/feed-host';

const at = (iso: string) => Date.parse(iso);

function kafkaBrokers(): string[] {
  const v = process.env.KAFKA_BROKERS?.trim();
  if (!v) throw new Error('KAFKA_BROKERS is not set: run through `npm test`, which starts Kafka (or start it with infra/up.sh and export what it prints)');
  return v.split(',').map((b) => b.trim()).filter(Boolean);
}

describe('market-feed over Kafka', () => {
  const brokers = kafkaBrokers();
  const runId = `mf-${process.pid}-${Date.now().toString(36)}`;
  let server: FakeExchangeServer;
  let bus: Bus;
  let feed: FeedHost | undefined;

  beforeAll(async () => {
    server = await FakeExchangeServer.start();
    server.setCandles('BTCUSDT', '1h', loadRecordedOhlcv('BTC', '1h'));
    bus = await createBus({ kind: 'kafka', brokers, clientId: `mf-int-${runId}`, logger: () => undefined, logLevel: 'error' });
    await bus.ensureTopics([TOPICS.mdCandles, TOPICS.riskAlerts], runId);
  });
  afterAll(async () => {
    await feed?.stop().catch(() => undefined);
    await bus.close();
    await server.close();
    const admin = new Kafka({ clientId: 'mf-int-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const names = [TOPICS.mdCandles, TOPICS.riskAlerts].map((t) => topicName(t, runId));
    await admin.deleteTopics({ topics: [...names, ...names.map((n) => `${n}.dlq`)] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('publishes each closed live candle once on Kafka and a STALE_DATA alert for a silent stream', async () => {
    server.clock = at('2021-02-01T09:30:00Z');
    const candles = await collect(bus, TOPICS.mdCandles, runId);
    const alerts = await collect(bus, TOPICS.riskAlerts, runId);
    feed = await startFeedHost(bus, {
      BUS: 'kafka', KAFKA_BROKERS: brokers.join(','), RUN_ID: runId, FEED_SOURCE: 'live', EXCHANGE_API_URL: server.httpUrl,
      SYMBOLS: 'BTC/USDT', TIMEFRAMES: '1h', STALE_AFTER_MS: '1500', MARKETS_SNAPSHOT: 'none',
    });
    await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@kline_1h']), { timeoutMs: 30_000 });
    await eventually(() => expect(alerts.values.map((a) => a.code)).toEqual(['STALE_DATA']), { timeoutMs: 30_000 });
    for (const h of [10, 11, 12]) server.advanceTo(at(`2021-02-01T${h}:30:00Z`));
    await eventually(() => expect(candles.values).toHaveLength(3), { timeoutMs: 30_000 });
    await eventually(() => expect(alerts.values.map((a) => a.code)).toEqual(['STALE_DATA', 'STALE_DATA_RECOVERED']), { timeoutMs: 30_000 });

    const rows = loadRecordedOhlcv('BTC', '1h').filter((r) => r[0]! >= at('2021-02-01T09:00:00Z') && r[0]! < at('2021-02-01T12:00:00Z'));
    expect(candles.values).toEqual(rows.map((r) => ({
      ...toCandleEvent({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }, { closed: true, tsInit: 0, source: 'market-feed' }),
      tsInit: expect.any(Number),
    })));
    expect(candles.messages.map((m) => [m.topic, m.key])).toEqual(rows.map(() => [`run.${runId}.md.candles.v1`, 'binance:BTC/USDT']));
    expect(alerts.messages[0]!.key).toBe('STALE_DATA');
  }, 120_000);
});
