// Risk's audit records around the kill switch, at service level over the in-process bus with
// execution and pnl and WITHOUT the strategy service (the test publishes the decision records):
// the command, the alert, the cancel it sends, the order's cancellation and the rejection that
// follows are recorded in order; the links to the unaudited decisions are what the verifier flags.
import { parsePipelineSpec } from '@atp/backtest';
import { fromStoredRecord, verifyChain, verifyLinks, type StoredAuditRecord } from '@atp/audit';
import { TOPICS } from '@atp/contracts';
import { auditCollection, type ServiceDefinition } from '@atp/nest-kit';
import { eventually } from '@atp/testing';
import { executionService } from '@atp/svc-execution';
import { pnlService } from '@atp/svc-pnl';
import { riskService } from '@atp/svc-risk';
import { collect } from '../pipeline/support/collect';
import { startEmbeddedPipeline } from '../pipeline/support/embedded';
import { candle, decision, H, riskCommand } from '../pipeline/support/events';

const BTC = 'BTC/USDT';
const T0 = Date.UTC(2021, 0, 1);
const close = (i: number) => T0 + (i + 1) * H;

describe('audit of the kill switch (risk service, strategy down)', () => {
  it('records the command, its alert and cancel, the cancellation and the rejection; verifies the chains and flags the unaudited intents', async () => {
    const s = parsePipelineSpec({ version: 1, runId: 'audit-kill', exchange: 'binance', timeframe: '1h', symbols: [BTC], initialCash: '10000', strategies: [{ id: 'a', strategy: 'ma-crossover' }], risk: { limits: { sizing: { method: 'fixed-notional', notional: '1000' } } } });
    const p = await startEmbeddedPipeline(s, { services: [riskService, executionService, pnlService] as unknown as ServiceDefinition<never>[] });
    try {
      const c = await collect(p.bus, s.runId);
      await p.bus.publish(TOPICS.mdCandles, candle(BTC, T0, 100), { runId: s.runId });
      await p.bus.publish(TOPICS.ordersIntents, decision(s.runId, 'a', BTC, close(0), { target: 'long', entry: 'limit', limitPrice: '90' }), { runId: s.runId });
      await eventually(() => expect(c.data.orderEvents.some((e) => e.kind === 'order' && e.status === 'acknowledged')).toBe(true));
      const kill = riskCommand('kill-switch-on', close(0));
      await p.bus.publish(TOPICS.riskCommands, kill, { runId: s.runId });
      await eventually(() => expect(c.data.orderEvents.some((e) => e.kind === 'order' && e.status === 'cancelled')).toBe(true));
      await p.bus.publish(TOPICS.mdCandles, candle(BTC, T0 + H, 100), { runId: s.runId });
      const second = decision(s.runId, 'a', BTC, close(1), { target: 'long' });
      await p.bus.publish(TOPICS.ordersIntents, second, { runId: s.runId });
      await eventually(() => expect(c.data.rejected).toHaveLength(1));

      const read = async (svc: string) => (await p.stores.get(svc)!.repository<StoredAuditRecord>({ name: auditCollection(svc), timeField: 'seq' }).range({ order: 'asc' })).map(fromStoredRecord);
      // The audit append finishes with the publish, before risk acknowledges its input: poll for it.
      await eventually(async () => expect(await read('risk')).toHaveLength(5));
      const risk = await read('risk');
      const execution = await read('execution');
      const coid = c.data.approved[0]!.clientOrderId;
      expect(risk.map((r) => `${r.kind}:${r.decision}`)).toEqual(['approval:approved', 'command:kill-switch-on', 'alert:KILL_SWITCH_TRIPPED', 'command:cancel', 'rejection:KILL_SWITCH']);
      expect(risk[1]).toMatchObject({ subject: kill.commandId, origin: kill.actor, inputs: { reason: kill.reason } });
      expect(risk[3]).toMatchObject({ inputs: { clientOrderId: coid, actor: 'risk' } });
      expect(risk[4]).toMatchObject({ subject: second.decisionId, causes: [{ kind: 'intent', id: second.decisionId }], inputs: { reason: c.data.rejected[0]!.reason } });
      expect(risk[0]!.inputs).toMatchObject({ sizing_method: 'fixed-notional', quantity: c.data.approved[0]!.quantity });
      expect(execution.filter((r) => r.kind === 'order-event').map((r) => r.decision)).toEqual(expect.arrayContaining(['acknowledged', 'cancelled']));
      for (const chain of [risk, execution]) expect(verifyChain(chain).issues).toEqual([]);
      // No strategy chain here: the approval and the rejection point at intents nobody recorded.
      expect(verifyLinks([risk, execution]).issues.map((i) => i.reason)).toEqual([`approval:${coid}: dangling link to intent ${c.data.approved[0]!.decisionId}`, `rejection:${second.decisionId}: dangling link to intent ${second.decisionId}`]);
      expect(p.errors()).toEqual([]);
      await c.close();
    } finally {
      await p.stop();
    }
  });
});
