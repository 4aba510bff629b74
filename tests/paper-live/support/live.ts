import type { Bus, Subscription } from '@atp/bus';
import { TOPICS, type CandleEvent, type FeatureVectorEvent } from '@atp/contracts';
import { ReplayDriver } from '@atp/svc-market-feed';

/**
 * Waits until every pipeline consumer group (strategy, risk, execution, pnl) has drained what was
 * published: lockstep replay's race-free drain check (ReplayDriver.drained), on topics without a
 * run id (paper trading publishes none). The driver is only used for that check: it replays nothing.
 */
export function pipelineDrain(bus: Bus, stallMs = 20_000): () => Promise<number> {
  const driver = new ReplayDriver(bus, { load: async () => [] }, { runId: '', exchange: 'binance', symbols: [], timeframe: '1h', mode: 'lockstep', pollMs: 0, stallMs });
  return () => driver.drained();
}

/** Market data and features as a downstream consumer sees them (every copy delivered). */
export async function collectMarketData(bus: Bus, group = 'test-paper-live'): Promise<{ candles: CandleEvent[]; features: FeatureVectorEvent[]; close(): Promise<void> }> {
  const candles: CandleEvent[] = [];
  const features: FeatureVectorEvent[] = [];
  const subs: Subscription[] = [
    await bus.subscribe({ contract: TOPICS.mdCandles, group: `${group}.candles`, from: 'earliest' }, (m) => void candles.push(m.value)),
    await bus.subscribe({ contract: TOPICS.features, group: `${group}.features`, from: 'earliest' }, (m) => void features.push(m.value)),
  ];
  return { candles, features, close: async () => void (await Promise.all(subs.map((s) => s.close()))) };
}
