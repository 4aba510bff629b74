import { memorySink } from '@atp/observability';
import { TOPICS, type FillEvent, type OrderApprovedEvent, type OrderEvent, type RiskAlertEvent } from '@atp/contracts';
import { bootstrapService, type RunningHost } from '@atp/nest-kit';
import { MongoStore } from '@atp/storage';
import { eventually, FakeExchangeServer } from '@atp/testing';
import { executionService, LiveExecutionHandlers } from './index';

/**
 * GATEWAY=ccxt across a restart, with its restart state in MongoDB (FerretDB at MONGO_URL): a
 * resting order fills while the service is down; the next process resumes it by client order id
 * (adopting the fill, same ids), a redelivered approval sends nothing, and start-up reconciliation
 * finds no drift. Its own database, dropped.
 */

const RUN = 'live-restart';
const SECRET = 'restart-spec-secret';

function approval(over: Partial<OrderApprovedEvent>): OrderApprovedEvent {
  return {
    eventId: `appr-${over.clientOrderId}`, tsEvent: 1_700_000_000_000, tsInit: 1_700_000_000_000, source: 'risk', exchange: 'binance', symbol: 'BTC/USDT',
    runId: RUN, decisionId: `d-${over.clientOrderId}`, clientOrderId: 'x', strategyId: 'ma-crossover', decisionTime: 1_600_000_000_000, side: 'buy', type: 'market',
    quantity: '0.002', timeInForce: 'GTC', postOnly: false, reduceOnly: false, sizing: {}, ...over,
  };
}

interface Seen {
  fills: FillEvent[];
  events: OrderEvent[];
  alerts: RiskAlertEvent[];
}

async function start(env: Record<string, string>): Promise<{ host: RunningHost; live: LiveExecutionHandlers; seen: Seen }> {
  const host = await bootstrapService(executionService, { env, logSink: memorySink() });
  const live = host.app.get(LiveExecutionHandlers, { strict: false });
  const seen: Seen = { fills: [], events: [], alerts: [] };
  await live.rt.bus.subscribe({ contract: TOPICS.fills, group: 'spec-fills', runId: RUN }, (m) => void seen.fills.push(m.value));
  await live.rt.bus.subscribe({ contract: TOPICS.ordersEvents, group: 'spec-events', runId: RUN }, (m) => void seen.events.push(m.value));
  await live.rt.bus.subscribe({ contract: TOPICS.riskAlerts, group: 'spec-alerts', runId: RUN }, (m) => void seen.alerts.push(m.value));
  return { host, live, seen };
}

describe('execution with GATEWAY=ccxt: restart state in MongoDB', () => {
  it('resumes a working order that filled while down, sends a redelivered approval nowhere, reconciles clean', async () => {
    const url = process.env.MONGO_URL;
    if (!url) throw new Error('MONGO_URL is not set: this integration test needs the MongoDB-compatible server that `npm test` (tools/test.mjs) starts. It does not skip.');
    const db = `exec_live_${process.pid}_${Date.now() % 1e6}`;
    const fake = await FakeExchangeServer.start();
    fake.privateApi.secret = SECRET;
    fake.privateApi.setBalance('USDT', '10000');
    fake.privateApi.setMarket('BTCUSDT', { price: '50000.00' });
    const env = {
      BUS: 'in-process', STORE: 'mongo', MONGO_URL: url, MONGO_DB: db, SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', RUN_ID: RUN, TRADING_MODE: 'live',
      ATP_LIVE_CONFIRM: 'yes-i-understand', GATEWAY: 'ccxt', EXCHANGE_API_KEY: 'spec-key', EXCHANGE_API_SECRET: SECRET, EXCHANGE_API_URL: fake.httpUrl,
      POLL_INTERVAL_MS: '100', RECONCILE_INTERVAL_MS: '600000',
    };
    const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').map((r) => r.body!.newClientOrderId);
    let first: Awaited<ReturnType<typeof start>> | undefined;
    let second: Awaited<ReturnType<typeof start>> | undefined;
    try {
      first = await start(env);
      const mkt = approval({ clientOrderId: 'rs-mkt-1' });
      await first.live.rt.bus.publish(TOPICS.ordersApproved, mkt, { runId: RUN });
      await first.live.rt.bus.publish(TOPICS.ordersApproved, approval({ clientOrderId: 'rs-lim-1', type: 'limit', quantity: '0.01', limitPrice: '49000' }), { runId: RUN });
      await eventually(() => expect(first!.seen.events.map((e) => e.kind === 'order' && `${e.clientOrderId} ${e.status}`)).toEqual(['rs-mkt-1 acknowledged', 'rs-mkt-1 filled', 'rs-lim-1 acknowledged']), { timeoutMs: 15_000 });
      const firstEventIds = first.seen.events.map((e) => e.eventId);
      await first.host.stop();
      first = undefined;

      // Down: the limit order fills at the venue.
      fake.privateApi.setLastPrice('BTCUSDT', '48999');
      expect(fake.privateApi.orderByClientId('rs-lim-1')!.status).toBe('FILLED');

      second = await start(env);
      const s = second.seen;
      await eventually(() => expect(s.fills.map((f) => [f.fillId, f.price, f.quantity, f.fee, f.liquidity])).toEqual([['rs-lim-1:0', '49000', '0.01', '0.00001', 'maker']]), { timeoutMs: 15_000 });
      // The resumed order's events continue from the same deterministic ids (o0 = acknowledged, as before).
      expect(s.events.map((e) => e.kind === 'order' && [e.eventId, e.status])).toEqual([['rs-lim-1/o0', 'acknowledged'], ['rs-lim-1/o1', 'filled']]);
      expect(firstEventIds).toContain('rs-lim-1/o0');

      // A redelivered approval (Kafka at-least-once): recorded as submitted, so it is resumed, not sent.
      await second.live.rt.bus.publish(TOPICS.ordersApproved, mkt, { runId: RUN });
      await eventually(() => expect(s.events.filter((e) => e.kind === 'order' && e.clientOrderId === 'rs-mkt-1').map((e) => e.eventId)).toEqual(['rs-mkt-1/o0', 'rs-mkt-1/o1']), { timeoutMs: 15_000 });
      expect(s.fills.map((f) => f.fillId)).toEqual(['rs-lim-1:0', 'rs-mkt-1:0']);
      expect(posts()).toEqual(['rs-mkt-1', 'rs-lim-1']);
      expect(fake.privateApi.orders).toHaveLength(2);

      // Start-up reconciliation found nothing, and neither does one now.
      expect(s.alerts).toEqual([]);
      expect(await second.live.reconcileNow()).toEqual([]);
    } finally {
      await first?.host.stop();
      await second?.host.stop();
      await fake.close();
      const store = await MongoStore.connect({ url, dbName: db });
      await store.dropDatabase().catch(() => undefined);
      await store.close();
    }
  }, 90_000);
});
