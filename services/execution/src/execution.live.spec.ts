import { memorySink } from '@atp/observability';
import { TOPICS, type FillEvent, type OrderApprovedEvent, type OrderEvent, type RiskAlertEvent } from '@atp/contracts';
import { bootstrapService, type RunningHost } from '@atp/nest-kit';
import { eventually, FakeExchangeServer } from '@atp/testing';
import { executionService, LiveExecutionHandlers } from './index';

/**
 * GATEWAY=ccxt (TRADING_MODE=live) end to end in one process: in-process bus, memory store, ccxt's
 * binance class against the local fake exchange (EXCHANGE_API_URL), HMAC signatures verified.
 */

const RUN = 'live-spec';
const SECRET = 'do-not-log-this-secret';

function approval(over: Partial<OrderApprovedEvent>): OrderApprovedEvent {
  return {
    eventId: `appr-${over.clientOrderId}`, tsEvent: 1_700_000_000_000, tsInit: 1_700_000_000_000, source: 'risk', exchange: 'binance', symbol: 'BTC/USDT',
    runId: RUN, decisionId: `d-${over.clientOrderId}`, clientOrderId: 'x', strategyId: 'ma-crossover', decisionTime: 1_600_000_000_000, side: 'buy', type: 'market',
    quantity: '0.002', timeInForce: 'GTC', postOnly: false, reduceOnly: false, sizing: {}, ...over,
  };
}

describe('execution with GATEWAY=ccxt against the fake exchange', () => {
  let fake: FakeExchangeServer;
  let host: RunningHost;
  let live: LiveExecutionHandlers;
  const sink = memorySink();
  const fills: FillEvent[] = [];
  const events: OrderEvent[] = [];
  const alerts: RiskAlertEvent[] = [];

  beforeAll(async () => {
    fake = await FakeExchangeServer.start();
    fake.privateApi.secret = SECRET;
    fake.privateApi.setBalance('USDT', '10000');
    fake.privateApi.setBalance('BTC', '1');
    fake.privateApi.setMarket('BTCUSDT', { price: '50000.00' });
    host = await bootstrapService(executionService, {
      env: {
        BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', RUN_ID: RUN, TRADING_MODE: 'live', ATP_LIVE_CONFIRM: 'yes-i-understand',
        GATEWAY: 'ccxt', EXCHANGE_API_KEY: 'spec-key', EXCHANGE_API_SECRET: SECRET, EXCHANGE_API_URL: fake.httpUrl, EXCHANGE_TIMEOUT_MS: '2000',
        POLL_INTERVAL_MS: '50', RECONCILE_INTERVAL_MS: '200', LOG_LEVEL: 'debug',
      },
      logSink: sink,
    });
    live = host.app.get(LiveExecutionHandlers, { strict: false });
    const bus = live.rt.bus;
    await bus.subscribe({ contract: TOPICS.fills, group: 'spec-fills', runId: RUN }, (m) => void fills.push(m.value));
    await bus.subscribe({ contract: TOPICS.ordersEvents, group: 'spec-events', runId: RUN }, (m) => void events.push(m.value));
    await bus.subscribe({ contract: TOPICS.riskAlerts, group: 'spec-alerts', runId: RUN }, (m) => void alerts.push(m.value));
  });
  afterAll(async () => {
    await host?.stop();
    await fake?.close();
  });

  it('approvals become venue orders; fills come from the submit and from polling; drift is alerted; the secret is never logged', async () => {
    const bus = live.rt.bus;
    // Start-up reconciliation of an empty account: no drift.
    expect(alerts).toEqual([]);

    await bus.publish(TOPICS.ordersApproved, approval({ clientOrderId: 'live-mkt-1' }), { runId: RUN });
    await bus.publish(TOPICS.ordersApproved, approval({ clientOrderId: 'live-lim-1', type: 'limit', quantity: '0.01', limitPrice: '49000' }), { runId: RUN });
    // Redelivery of the same approval: no second order.
    await bus.publish(TOPICS.ordersApproved, approval({ clientOrderId: 'live-mkt-1' }), { runId: RUN });

    await eventually(() => expect(fills.map((f) => [f.fillId, f.price, f.quantity, f.fee, f.feeCurrency, f.liquidity])).toEqual([['live-mkt-1:0', '50000', '0.002', '0.000002', 'BTC', 'taker']]), { timeoutMs: 15_000 });
    await eventually(() => expect(events.filter((e) => e.kind === 'order' && e.clientOrderId === 'live-lim-1').map((e) => e.kind === 'order' && e.status)).toEqual(['acknowledged']), { timeoutMs: 15_000 });
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').map((r) => r.body!.newClientOrderId)).toEqual(['live-mkt-1', 'live-lim-1']);

    // The price trades through the limit: the poll timer publishes the fill.
    fake.privateApi.setLastPrice('BTCUSDT', '48999');
    await eventually(() => expect(fills.map((f) => f.fillId)).toEqual(['live-mkt-1:0', 'live-lim-1:0']), { timeoutMs: 15_000 });
    expect(fills[1]).toMatchObject({ price: '49000', quantity: '0.01', fee: '0.00001', liquidity: 'maker', runId: RUN, strategyId: 'ma-crossover' });
    expect(events.filter((e) => e.kind === 'order' && e.clientOrderId === 'live-lim-1').map((e) => e.kind === 'order' && e.status)).toEqual(['acknowledged', 'filled']);

    // In sync so far (the expected balances followed both fills).
    expect(await live.reconcileNow()).toEqual([]);
    expect(alerts).toEqual([]);

    // Drift: an order placed at the venue by someone else, and 400 USDT withdrawn.
    fake.privateApi.placeDirect({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '60000', newClientOrderId: 'manual-1' });
    fake.privateApi.setBalance('USDT', '9010'); // expected 10000 - 100 - 490 = 9410
    const found = await eventually(() => {
      const codes = alerts.map((a) => [a.code, a.severity, a.details.kind, a.details.clientOrderId ?? a.details.asset]);
      expect(codes).toEqual(expect.arrayContaining([['RECONCILE_DRIFT', 'critical', 'unknown-venue-order', 'manual-1'], ['RECONCILE_DRIFT', 'warning', 'balance-difference', 'USDT']]));
      return alerts;
    }, { timeoutMs: 15_000 });
    expect(found.find((a) => a.details.asset === 'USDT')!.details).toMatchObject({ local: '9410', venue: '9010', difference: '-400' });

    // The credentials never reach the logs.
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(sink.lines.join('\n')).not.toContain(SECRET);
  });
});

describe('execution with GATEWAY=ccxt and ON_SHUTDOWN=cancel', () => {
  it('cancels its working orders at the venue on shutdown (orders placed by others stay)', async () => {
    const fake = await FakeExchangeServer.start();
    let host: RunningHost | undefined;
    try {
      fake.privateApi.setBalance('USDT', '10000');
      fake.privateApi.setMarket('BTCUSDT', { price: '50000.00' });
      fake.privateApi.placeDirect({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01', price: '30000', newClientOrderId: 'manual-2' });
      host = await bootstrapService(executionService, {
        env: {
          BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', RUN_ID: RUN, TRADING_MODE: 'live', ATP_LIVE_CONFIRM: 'yes-i-understand',
          GATEWAY: 'ccxt', EXCHANGE_API_KEY: 'spec-key', EXCHANGE_API_SECRET: SECRET, EXCHANGE_API_URL: fake.httpUrl, ON_SHUTDOWN: 'cancel', RECONCILE_INTERVAL_MS: '600000',
        },
        logSink: memorySink(),
      });
      const live = host.app.get(LiveExecutionHandlers, { strict: false });
      await live.rt.bus.publish(TOPICS.ordersApproved, approval({ clientOrderId: 'sd-1', type: 'limit', quantity: '0.01', limitPrice: '45000' }), { runId: RUN });
      await eventually(() => expect(fake.privateApi.orderByClientId('sd-1')?.status).toBe('NEW'), { timeoutMs: 15_000 });
      await host.stop();
      host = undefined;
      expect(fake.privateApi.orderByClientId('sd-1')!.status).toBe('CANCELED');
      expect(fake.privateApi.orderByClientId('manual-2')!.status).toBe('NEW');
      expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.query.origClientOrderId)).toEqual(['sd-1']);
    } finally {
      await host?.stop();
      await fake.close();
    }
  });
});
