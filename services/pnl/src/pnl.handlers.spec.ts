import { parsePipelineSpec } from '@atp/backtest';
import { InProcessBus } from '@atp/bus';
import { ManualClock } from '@atp/core';
import type { CandleEvent, OrderEvent } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import { loadConfig } from '@atp/nest-kit';
import { createLogger, createMetrics, memorySink } from '@atp/observability';
import { MemoryStore, type CollectionDef, type Doc, type Repository } from '@atp/storage';
import { eventually } from '@atp/testing';
import { pnlConfig, type PnlConfig } from './config';
import { PnlHandlers, type EquityDoc, type SummaryDoc } from './pnl.handlers';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const close = (i: number) => T0 + (i + 1) * H;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT'];
const spec = parsePipelineSpec({ version: 1, runId: 'pls', exchange: 'binance', timeframe: '1h', symbols: SYMBOLS, initialCash: '1000', strategies: [{ id: 's', strategy: 'ma-crossover' }] });
const candle = (symbol: string, i: number): CandleEvent =>
  toCandleEvent({ exchange: 'binance', symbol, timeframe: '1h' }, { openTime: T0 + i * H, open: 100 + i, high: 102 + i, low: 99 + i, close: 101 + i, volume: 10 }, { closed: true, tsInit: 0, source: 'test' });
const marker = (symbol: string, i: number): OrderEvent => ({ eventId: `m-${symbol}-${i}`, tsEvent: close(i), tsInit: 0, source: 'x', exchange: 'binance', symbol, kind: 'bar-matched', runId: 'pls', timeframe: '1h', barTime: close(i), fills: 0 });

/** A memory store counting the writes of each collection. */
class CountingStore extends MemoryStore {
  readonly writes = new Map<string, number>();
  override repository<T extends Doc>(def: CollectionDef<T>): Repository<T> {
    const repo = super.repository(def);
    const count = () => this.writes.set(def.name, (this.writes.get(def.name) ?? 0) + 1);
    return Object.assign(Object.create(repo) as Repository<T>, {
      upsert: (d: T) => (count(), repo.upsert(d)),
      upsertMany: (ds: readonly T[]) => (count(), repo.upsertMany(ds)),
    });
  }
}

function handlers(store: MemoryStore, persistEveryMs: number): PnlHandlers {
  const env = { STORE: 'memory', BUS: 'in-process', JOURNAL: 'on', RUN_ID: spec.runId, PIPELINE_SPEC: JSON.stringify(spec), PERSIST_EVERY_MS: String(persistEveryMs), METRICS_EVERY_BARS: '10' };
  const config = loadConfig(pnlConfig, env) as PnlConfig;
  const logger = createLogger({ service: 'pnl', level: 'warn', sink: memorySink() });
  return new PnlHandlers({ name: 'pnl', version: '0', config, bus: new InProcessBus(), store, clock: new ManualClock(0), logger, metrics: createMetrics({ defaultMetrics: false }) });
}

/** Bars [from, to) of both symbols, each input awaited as the bus would (the marker releases the bar). */
async function bars(h: PnlHandlers, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await Promise.all(SYMBOLS.flatMap((s) => [h.onCandle(candle(s, i)), h.onOrderEvent(marker(s, i))]));
}

const summaryOf = (store: MemoryStore) => store.repository<SummaryDoc>({ name: 'pnl_summary' }).get('account');
const equityOf = async (store: MemoryStore) => (await store.repository<EquityDoc>({ name: 'pnl_equity', timeField: 'time' }).range({ order: 'asc' })).map((d) => d.time);
const times = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => close(from + i));

describe('PnlHandlers: pnl_equity and pnl_summary', () => {
  it('are written together at most every PERSIST_EVERY_MS, up to the last bar; a shutdown writes the last state', async () => {
    const store = new CountingStore('p');
    const h = handlers(store, 200);
    await h.onModuleInit();
    await bars(h, 0, 30);
    // 30 bars in far less than 200 ms: the first bar's write, then one timer.
    expect(store.writes.get('pnl_summary') ?? 0).toBeLessThanOrEqual(2);
    expect(store.writes.get('pnl_equity') ?? 0).toBeLessThanOrEqual(2);
    await eventually(async () => expect((await summaryOf(store))?.time).toBe(close(29)), { timeoutMs: 2_000 });
    expect(await equityOf(store)).toEqual(times(0, 30));
    const final = await summaryOf(store);
    expect(final).toMatchObject({ time: close(29), pnl: JSON.parse(JSON.stringify(h.core.pnl())) as unknown, fills: 0 });
    expect(final?.metrics).not.toBeNull(); // METRICS_EVERY_BARS = 10 were due
    const writes = [store.writes.get('pnl_summary'), store.writes.get('pnl_equity')];
    await new Promise((r) => setTimeout(r, 300));
    expect([store.writes.get('pnl_summary'), store.writes.get('pnl_equity')]).toEqual(writes); // nothing new: no write
    await bars(h, 30, 32);
    await h.beforeApplicationShutdown(); // at once, not after the timer
    expect((await summaryOf(store))?.time).toBe(close(31));
    expect(await equityOf(store)).toEqual(times(0, 32));
  });

  it('a process that died before its write: the restart replays the journal and writes the equity points and summary it lacks', async () => {
    const store = new CountingStore('p');
    const dead = handlers(store, 60_000);
    await dead.onModuleInit();
    await bars(dead, 0, 25); // the first bar written, the rest waits for a timer that never fires (the process "dies")
    expect(await equityOf(store)).toEqual(times(0, 1));
    expect((await summaryOf(store))?.time).toBe(close(0));
    const expected = JSON.parse(JSON.stringify(dead.core.pnl())) as unknown;

    const restarted = handlers(store, 60_000);
    await restarted.onModuleInit();
    expect(await equityOf(store)).toEqual(times(0, 25));
    expect(await summaryOf(store)).toMatchObject({ time: close(24), pnl: expected });
    expect(store.writes.get('pnl_equity')).toBe(2); // only the points after the last stored one
    await restarted.beforeApplicationShutdown();
    await dead.beforeApplicationShutdown(); // its timer
  });

  it('with PERSIST_EVERY_MS=0 are written with every bar, before the inputs are acknowledged', async () => {
    const store = new CountingStore('p');
    const h = handlers(store, 0);
    await h.onModuleInit();
    for (let i = 0; i < 5; i++) {
      await bars(h, i, i + 1);
      expect((await summaryOf(store))?.time).toBe(close(i));
      expect(await equityOf(store)).toEqual(times(0, i + 1));
    }
    expect(store.writes.get('pnl_summary')).toBe(5);
    expect(store.writes.get('pnl_equity')).toBe(5);
    await h.beforeApplicationShutdown();
  });
});
