// Risk at service level, over the in-process bus with execution and pnl and WITHOUT the strategy
// service (the test publishes the decision records, or none: "strategy down"): the kill switch
// blocks the next intent and cancels the working entries, stops fire from candles alone when the
// venue has no native stops, and the stale-data guard blocks entries.
import { parsePipelineSpec, type PipelineSpec } from '@atp/backtest';
import { TOPICS } from '@atp/contracts';
import { eventually } from '@atp/testing';
import { executionService } from '@atp/svc-execution';
import { pnlService } from '@atp/svc-pnl';
import { riskService } from '@atp/svc-risk';
import type { ServiceDefinition } from '@atp/nest-kit';
import { collect } from './support/collect';
import { startEmbeddedPipeline, type EmbeddedPipeline } from './support/embedded';
import { candle, decision, H, riskCommand } from './support/events';

const SERVICES = [riskService, executionService, pnlService] as unknown as ServiceDefinition<never>[];
const BTC = 'BTC/USDT';
const T0 = Date.UTC(2021, 0, 1);
const close = (i: number) => T0 + (i + 1) * H;

function spec(runId: string, limits: Record<string, unknown> = { sizing: { method: 'fixed-notional', notional: '1000' } }): PipelineSpec {
  return parsePipelineSpec({ version: 1, runId, exchange: 'binance', timeframe: '1h', symbols: [BTC], initialCash: '10000', strategies: [{ id: 'a', strategy: 'ma-crossover' }], risk: { limits } });
}

describe('risk service (in-process bus, strategy service down)', () => {
  let p: EmbeddedPipeline | undefined;
  afterEach(async () => {
    await p?.stop();
    p = undefined;
  });

  async function bar(s: PipelineSpec, i: number, c: number, over: { l?: number; o?: number } = {}) {
    await p!.bus.publish(TOPICS.mdCandles, candle(BTC, T0 + i * H, c, over), { runId: s.runId });
  }
  async function decide(s: PipelineSpec, i: number, intent?: Record<string, unknown>) {
    await p!.bus.publish(TOPICS.ordersIntents, decision(s.runId, 'a', BTC, close(i), intent), { runId: s.runId });
  }

  it('the kill switch blocks the next intent and cancels the working entry orders', async () => {
    const s = spec('svc-kill');
    p = await startEmbeddedPipeline(s, { services: SERVICES });
    const c = await collect(p.bus, s.runId);
    await bar(s, 0, 100);
    await decide(s, 0, { target: 'long', entry: 'limit', limitPrice: '90' }); // a working entry far below
    await eventually(() => expect(c.data.orderEvents.some((e) => e.kind === 'order' && e.status === 'acknowledged')).toBe(true));
    await p.bus.publish(TOPICS.riskCommands, riskCommand('kill-switch-on', close(0)), { runId: s.runId });
    await eventually(() => expect(c.data.commands).toEqual([expect.objectContaining({ kind: 'cancel', actor: 'risk', clientOrderId: c.data.approved[0]!.clientOrderId })]));
    await eventually(() => expect(c.data.orderEvents.some((e) => e.kind === 'order' && e.status === 'cancelled')).toBe(true));
    expect(c.data.alerts.map((a) => a.code)).toContain('KILL_SWITCH_TRIPPED');
    await bar(s, 1, 100);
    await decide(s, 1, { target: 'long' });
    await eventually(() => expect(c.data.rejected).toEqual([expect.objectContaining({ code: 'KILL_SWITCH', decisionTime: close(1) })]));
    expect(c.data.approved).toHaveLength(1);
    await c.close();
  });

  it('stops fire with the strategy service down when the venue has no native stops', async () => {
    const s = spec('svc-stops');
    // Execution holds bar T+1 until the decisions of T are answered; with no decision records it
    // matches the held bars after EXECUTION_DECISION_WAIT_MS (5 s by default; 300 ms here).
    p = await startEmbeddedPipeline(s, { services: SERVICES, env: { RISK_NATIVE_STOPS: 'false', EXECUTION_DECISION_WAIT_MS: '300' } });
    const c = await collect(p.bus, s.runId);
    await bar(s, 0, 100);
    await decide(s, 0, { target: 'long', stopLoss: '95' });
    await eventually(() => expect(c.data.approved).toHaveLength(1));
    expect(c.data.approved[0]!.bracket).toBeUndefined();
    await bar(s, 1, 100); // the entry fills at the open
    await eventually(() => expect(c.data.fills).toEqual([expect.objectContaining({ side: 'buy', quantity: '10' })]));
    // From here on no decision records: the strategy service is down.
    await bar(s, 2, 96, { l: 94 }); // reaches the stop
    await bar(s, 3, 97, { o: 96 }); // the stop exit fills at this open
    await eventually(() => expect(c.data.fills.map((f) => [f.side, f.quantity, f.price])).toEqual([['buy', '10', '100'], ['sell', '10', '96']]));
    expect(c.data.approved[1]).toMatchObject({ decisionTime: close(2), reduceOnly: true, sizing: expect.objectContaining({ method: 'stop-monitor', stop: '95' }) });
    expect(c.data.alerts.map((a) => a.code)).toContain('STOP_MONITOR_FIRED');
    await c.close();
  });

  it('the stale-data guard blocks entries decided on bars older than the limit', async () => {
    const s = spec('svc-stale', { sizing: { method: 'fixed-notional', notional: '1000' }, staleAfterBars: 2 });
    p = await startEmbeddedPipeline(s, { services: SERVICES, env: { RISK_CLOCK: 'wall' } }); // live: the system clock, 2021 bars are years old
    const c = await collect(p.bus, s.runId);
    await bar(s, 0, 100);
    await decide(s, 0, { target: 'long' });
    await eventually(() => expect(c.data.rejected).toEqual([expect.objectContaining({ code: 'STALE_DATA' })]));
    expect(c.data.approved).toEqual([]);
    await c.close();
  });
});
