// Execution at service level over the in-process bus: on shutdown it leaves or cancels its working
// orders as configured (ON_SHUTDOWN), and a restarted execution finds the orders it left working.
import { InProcessBus } from '@atp/bus';
import { parsePipelineSpec } from '@atp/backtest';
import { TOPICS, type OrderApprovedEvent } from '@atp/contracts';
import type { ServiceDefinition } from '@atp/nest-kit';
import type { Store } from '@atp/storage';
import { eventually } from '@atp/testing';
import { executionService, ExecutionHandlers } from '@atp/svc-execution';
import { collect } from './support/collect';
import { startEmbeddedPipeline } from './support/embedded';
import { candle, H } from './support/events';

const T0 = Date.UTC(2021, 0, 1);
const spec = (runId: string) => parsePipelineSpec({ version: 1, runId, exchange: 'binance', timeframe: '1h', symbols: ['BTC/USDT'], initialCash: '10000', strategies: [{ id: 'a', strategy: 'ma-crossover' }] });
const limitBuy = (runId: string): OrderApprovedEvent => ({
  eventId: 'ap1', tsEvent: T0 + H, tsInit: 0, source: 'test', exchange: 'binance', symbol: 'BTC/USDT', runId, decisionId: 'd1', clientOrderId: 'lim-1', strategyId: 'a', decisionTime: T0 + H,
  side: 'buy', type: 'limit', quantity: '1', limitPrice: '50', timeInForce: 'GTC', postOnly: false, reduceOnly: false, sizing: {},
});

describe('execution service shutdown', () => {
  it.each([
    ['cancel', ['acknowledged', 'cancel-requested', 'cancelled'], 0],
    ['leave', ['acknowledged'], 1],
  ])('ON_SHUTDOWN=%s', async (mode, statuses, workingAfterRestart) => {
    const s = spec(`exec-shutdown-${mode}`);
    const bus = new InProcessBus();
    const stores = new Map<string, Store>();
    const defs = [executionService] as unknown as ServiceDefinition<never>[];
    const env = { EXECUTION_ON_SHUTDOWN: mode, JOURNAL: 'on' };
    let p = await startEmbeddedPipeline(s, { bus, services: defs, stores, env });
    const c = await collect(bus, s.runId);
    await bus.publish(TOPICS.mdCandles, candle('BTC/USDT', T0, 100), { runId: s.runId });
    await bus.publish(TOPICS.ordersApproved, limitBuy(s.runId), { runId: s.runId });
    await eventually(() => expect(c.data.orderEvents.some((e) => e.kind === 'order' && e.status === 'acknowledged')).toBe(true));
    await p.stop(); // SIGTERM's graceful path
    await eventually(() => expect(c.data.orderEvents.flatMap((e) => (e.kind === 'order' ? [e.status] : []))).toEqual(statuses));
    p = await startEmbeddedPipeline(s, { bus, services: defs, stores, env });
    expect(p.get(ExecutionHandlers).core.venue.openOrders()).toHaveLength(workingAfterRestart);
    await p.stop();
    await c.close();
    await bus.close();
  });
});
