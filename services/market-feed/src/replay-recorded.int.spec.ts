// Issue 4 acceptance, on the real Kafka broker `npm test` starts (FAILS when KAFKA_BROKERS is
// unset): the replay driver publishes ALL recorded candles of the four symbols free-running through
// Kafka, and one consumer group reads every candle exactly once, in order per key — the 1h set
// (4 x 5,482) and the 5m set (263k).
// Reference values are independent of the importer and the driver: the rows of the recorded files,
// parsed here with JSON.parse (the last bar of a file may be incomplete, but it is a row: replay
// publishes it too).
// Data: recorded Binance spot candles (shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createBus, type Bus } from '@atp/bus';
import { TOPICS, topicName, type CandleEvent } from '@atp/contracts';
import { resolveDataDir } from '@atp/market-data';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from './replay';

const SYMBOLS = ['ADA/USDT', 'BTC/USDT', 'ETH/USDT', 'XRP/USDT'];

function kafkaBrokers(): string[] {
  const v = process.env.KAFKA_BROKERS?.trim();
  if (!v) throw new Error('KAFKA_BROKERS is not set: run through `npm test`, which starts Kafka (or start it with infra/up.sh and export what it prints)');
  return v.split(',').map((b) => b.trim()).filter(Boolean);
}

/** Open times of a recorded file, straight from its JSON rows. */
function recordedOpenTimes(symbol: string, timeframe: '1h' | '5m'): number[] {
  const file = path.join(resolveDataDir(), 'binance-spot', `${symbol.replace('/', '_')}-${timeframe}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as number[][]).map((r) => r[0]!);
}

describe('replay of all recorded candles through Kafka (four symbols)', () => {
  const brokers = kafkaBrokers();
  const stamp = `${process.pid}-${Date.now().toString(36)}`;
  const runIds: string[] = [];
  let bus: Bus;
  /** The same bus with the producer pool (KAFKA_PRODUCER_THREADS=2): two kafkajs producers in worker threads. */
  let pooled: Bus;

  beforeAll(async () => {
    bus = await createBus({ kind: 'kafka', brokers, clientId: `replay-recorded-int-${stamp}`, logger: () => undefined, logLevel: 'error' });
    pooled = await createBus({ kind: 'kafka', brokers, clientId: `replay-recorded-pool-${stamp}`, logger: () => undefined, logLevel: 'error', producerThreads: 2 });
  });
  afterAll(async () => {
    await bus.close();
    await pooled.close();
    const admin = new Kafka({ clientId: 'replay-recorded-int-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const names = runIds.map((r) => topicName(TOPICS.mdCandles, r));
    await admin.deleteTopics({ topics: [...names, ...names.map((n) => `${n}.dlq`)] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function replayAndRead(timeframe: '1h' | '5m', publisher: Bus = bus): Promise<void> {
    const runId = `replay-all-${timeframe}-${publisher === bus ? '' : 'pool-'}${stamp}`;
    runIds.push(runId);
    const expected = new Map(SYMBOLS.map((s) => [s, recordedOpenTimes(s, timeframe)]));
    const total = [...expected.values()].reduce((n, l) => n + l.length, 0);

    await bus.ensureTopics([TOPICS.mdCandles], runId);
    const got = new Map<string, CandleEvent[]>(SYMBOLS.map((s) => [s, []]));
    let received = 0;
    // Subscribed before the replay starts, so it consumes while the driver publishes.
    const sub = await bus.subscribe({ contract: TOPICS.mdCandles, group: `reader-${runId}`, runId }, (m) => {
      got.get(m.value.symbol)!.push(m.value);
      received++;
    });
    try {
      const stats = await new ReplayDriver(publisher, recordedCandleSource(), { runId, exchange: 'binance', symbols: SYMBOLS, timeframe, mode: 'free', speed: 'max' }).run();
      expect(stats.candles).toBe(total);
      await eventually(() => expect(received).toBeGreaterThanOrEqual(total), { timeoutMs: 120_000, intervalMs: 50 });
      await new Promise((r) => setTimeout(r, 200)); // a duplicate would arrive right behind
    } finally {
      await sub.close();
    }
    expect(received).toBe(total);
    for (const s of SYMBOLS) {
      const events = got.get(s)!;
      // every candle once, and in order per key (exchange:symbol): exactly the file's open times
      expect(events.map((e) => e.openTime)).toEqual(expected.get(s));
      expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
      expect(events.every((e) => e.exchange === 'binance' && e.timeframe === timeframe && e.closed)).toBe(true);
    }
  }

  it('1h: 4 x 5,482 candles, each delivered once, in order per key', async () => {
    expect(SYMBOLS.map((s) => recordedOpenTimes(s, '1h').length)).toEqual([5482, 5482, 5482, 5482]);
    await replayAndRead('1h');
  }, 120_000);

  it('5m: the 263k candles, each delivered once, in order per key', async () => {
    const n = SYMBOLS.map((s) => recordedOpenTimes(s, '5m').length);
    expect(n.every((x) => x >= 65_740 && x <= 65_745)).toBe(true);
    expect(n.reduce((a, b) => a + b, 0)).toBeGreaterThan(262_000);
    await replayAndRead('5m');
  }, 240_000); // 23 s on the 2-core box at load 2.5, 61 s at load 11

  it('5m through the producer pool (2 producer threads, keys routed to one each): the 263k candles, each delivered once, in order per key', async () => {
    await replayAndRead('5m', pooled);
  }, 240_000);
});
