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
import { PnlHandlers, type SummaryDoc } from './pnl.handlers';

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

function handlers(store: MemoryStore, summaryEveryMs: number): PnlHandlers {
  const env = { STORE: 'memory', BUS: 'in-process', JOURNAL: 'on', RUN_ID: spec.runId, PIPELINE_SPEC: JSON.stringify(spec), SUMMARY_EVERY_MS: String(summaryEveryMs), METRICS_EVERY_BARS: '10' };
  const config = loadConfig(pnlConfig, env) as PnlConfig;
  const logger = createLogger({ service: 'pnl', level: 'warn', sink: memorySink() });
  return new PnlHandlers({ name: 'pnl', version: '0', config, bus: new InProcessBus(), store, clock: new ManualClock(0), logger, metrics: createMetrics({ defaultMetrics: false }) });
}

/** Bars [from, to) of both symbols, each input awaited as the bus would (the marker releases the bar). */
async function bars(h: PnlHandlers, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await Promise.all(SYMBOLS.flatMap((s) => [h.onCandle(candle(s, i)), h.onOrderEvent(marker(s, i))]));
}

const summaryOf = (store: MemoryStore) => store.repository<SummaryDoc>({ name: 'pnl_summary' }).get('account');

describe('PnlHandlers: pnl_summary', () => {
  it('is written at most every SUMMARY_EVERY_MS (equity points with every bar), ends at the last bar, and a restart writes the replayed state', async () => {
    const store = new CountingStore('p');
    const h = handlers(store, 200);
    await h.onModuleInit();
    await bars(h, 0, 30);
    expect(store.writes.get('pnl_equity')).toBe(30);
    expect(store.writes.get('pnl_summary') ?? 0).toBeLessThanOrEqual(2); // 30 bars in far less than 200 ms: the first write, then a timer
    await eventually(async () => expect((await summaryOf(store))?.time).toBe(close(29)), { timeoutMs: 2_000 });
    const final = await summaryOf(store);
    expect(final).toMatchObject({ time: close(29), pnl: JSON.parse(JSON.stringify(h.core.pnl())) as unknown, fills: 0 });
    expect(final?.metrics).not.toBeNull(); // METRICS_EVERY_BARS = 10 were due
    const writes = store.writes.get('pnl_summary')!;
    await new Promise((r) => setTimeout(r, 300));
    expect(store.writes.get('pnl_summary')).toBe(writes); // nothing new: no write

    // A summary behind the journal (the process stopped before its timer): the restart writes the replayed state.
    await store.repository<SummaryDoc>({ name: 'pnl_summary' }).upsert({ ...final!, time: close(3) });
    const restarted = handlers(store, 200);
    await restarted.onModuleInit();
    expect(await summaryOf(store)).toEqual(final);
    await bars(restarted, 30, 32);
    await restarted.beforeApplicationShutdown(); // shutdown writes the last state at once
    expect((await summaryOf(store))?.time).toBe(close(31));
    await h.beforeApplicationShutdown();
  });

  it('with SUMMARY_EVERY_MS=0 is written with every bar, before the inputs are acknowledged', async () => {
    const store = new CountingStore('p');
    const h = handlers(store, 0);
    await h.onModuleInit();
    for (let i = 0; i < 5; i++) {
      await bars(h, i, i + 1);
      expect((await summaryOf(store))?.time).toBe(close(i));
    }
    expect(store.writes.get('pnl_summary')).toBe(5);
    await h.beforeApplicationShutdown();
  });
});
