import { InProcessBus } from '@atp/bus';
import { groupName, TOPICS, type CandleEvent, type FillEvent } from '@atp/contracts';
import type { Candle } from '@atp/market-data';
import type { CandleSource } from './candle-source';
import { ReplayDriver } from './replay-driver';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const bars = (n: number, skip: number[] = []): Candle[] =>
  Array.from({ length: n }, (_, i) => i)
    .filter((i) => !skip.includes(i))
    .map((i) => ({ openTime: T0 + i * H, open: 1, high: 1, low: 1, close: 1, volume: 1 }));
const source = (bySymbol: Record<string, Candle[]>): CandleSource => ({ load: async (_e, s, _tf, from = -Infinity, to = Infinity) => (bySymbol[s] ?? []).filter((c) => c.openTime >= from && c.openTime < to) });

function fill(c: CandleEvent): FillEvent {
  return { eventId: `f-${c.eventId}`, tsEvent: c.tsEvent, tsInit: 0, source: 'x', exchange: c.exchange, symbol: c.symbol, runId: 'r', fillId: `f-${c.openTime}-${c.symbol}`, clientOrderId: 'c', strategyId: 's', side: 'buy', price: '1', quantity: '1', fee: '0', feeCurrency: 'USDT', liquidity: 'taker', role: 'entry' };
}

describe('ReplayDriver', () => {
  it('lockstep: publishes event time T+1 only after every group drained what T caused, across hops', async () => {
    const bus = new InProcessBus();
    const log: string[] = [];
    // A two-hop pipeline: "a" turns a candle into a fill after a delay, "b" consumes the fill slowly.
    // Groups of a run are namespaced by its run id (groupName), as the services' are.
    await bus.subscribe({ contract: TOPICS.mdCandles, group: groupName('a', 'r'), runId: 'r' }, async (m) => {
      await new Promise((r) => setTimeout(r, 5));
      await bus.publish(TOPICS.fills, fill(m.value), { runId: 'r' });
    });
    await bus.subscribe({ contract: TOPICS.fills, group: groupName('b', 'r'), runId: 'r' }, async (m) => {
      await new Promise((r) => setTimeout(r, 5));
      log.push(`done ${m.value.symbol}@${m.value.tsEvent}`);
    });
    const groups = [
      { group: 'a', topics: [TOPICS.mdCandles] },
      { group: 'b', topics: [TOPICS.fills] },
    ];
    const driver = new ReplayDriver(bus, source({ 'BTC/USDT': bars(3), 'ETH/USDT': bars(3, [1]) }), {
      runId: 'r', exchange: 'binance', symbols: ['ETH/USDT', 'BTC/USDT'], timeframe: '1h', mode: 'lockstep', pollMs: 0, groups,
      onEventTime: (t) => void log.push(`drained ${t}`),
    });
    const stats = await driver.run();
    expect(stats).toMatchObject({ eventTimes: 3, candles: 5 });
    const t = (i: number) => T0 + (i + 1) * H;
    expect(log).toEqual([
      `done BTC/USDT@${t(0)}`, `done ETH/USDT@${t(0)}`, `drained ${t(0)}`,
      `done BTC/USDT@${t(1)}`, `drained ${t(1)}`,
      `done BTC/USDT@${t(2)}`, `done ETH/USDT@${t(2)}`, `drained ${t(2)}`,
    ]);
    await bus.close();
  });

  it('free-running at N x speed paces event times by their spacing', async () => {
    const bus = new InProcessBus();
    const driver = new ReplayDriver(bus, source({ 'BTC/USDT': bars(5) }), { runId: 'r2', exchange: 'binance', symbols: ['BTC/USDT'], timeframe: '1h', mode: 'free', speed: H / 20 }); // one hour of data per 20 ms
    const t0 = Date.now();
    const stats = await driver.run();
    expect(stats.candles).toBe(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 20 - 5);
    expect(await bus.lag('nobody', ['run.r2.md.candles.v1'])).toBe(5);
    await bus.close();
  });

  it('lockstep gives up with the groups that did not drain', async () => {
    const bus = new InProcessBus();
    const driver = new ReplayDriver(bus, source({ 'BTC/USDT': bars(1) }), { runId: 'r3', exchange: 'binance', symbols: ['BTC/USDT'], timeframe: '1h', mode: 'lockstep', pollMs: 1, stallMs: 50, groups: [{ group: 'absent', topics: [TOPICS.mdCandles] }] });
    await expect(driver.run()).rejects.toThrow(/has not drained for 50 ms \(lag run\.r3\.absent=1\)/);
    await bus.close();
  });
});
