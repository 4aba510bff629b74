// GET /api/audit of the gateway running beside the four pipeline services in one process (the
// embedded mode), after a lockstep replay of three weeks of recorded BTC/USDT 1h bars (Binance
// spot, see ../shared/data/README.md): by id across chains, by time range and service, bad queries.
import type { AuditRecord } from '@atp/audit';
import type { ServiceDefinition } from '@atp/nest-kit';
import { eventually } from '@atp/testing';
import { gatewayService } from '@atp/svc-gateway';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { collect } from '../pipeline/support/collect';
import { PIPELINE_SERVICES, startEmbeddedPipeline } from '../pipeline/support/embedded';
import { maCrossoverSpec } from '../pipeline/support/spec';

const FROM = Date.UTC(2020, 11, 20);
const TO = Date.UTC(2021, 0, 10);

interface Body {
  sources: string[];
  unreachable: string[];
  records: AuditRecord[];
  truncated: boolean;
}

describe('gateway GET /api/audit (embedded)', () => {
  it('finds the records of a fill across chains by id, and a service\'s records by time range', async () => {
    const spec = maCrossoverSpec('audit-gateway', ['BTC/USDT']);
    const p = await startEmbeddedPipeline(spec, { services: [...PIPELINE_SERVICES, gatewayService as unknown as ServiceDefinition<never>] });
    try {
      const c = await collect(p.bus, spec.runId);
      await new ReplayDriver(p.bus, recordedCandleSource(), { runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 0 }).run();
      await eventually(async () => expect(await c.lag()).toBe(0));
      const get = async (q: string) => {
        const r = await fetch(`${p.host.url}/api/audit?${q}`);
        return { status: r.status, body: (await r.json()) as Body };
      };

      const fill = c.data.fills.find((f) => f.role === 'entry')!;
      const approval = c.data.approved.find((a) => a.clientOrderId === fill.clientOrderId)!;
      const byOrder = await get(`id=${encodeURIComponent(fill.clientOrderId)}`);
      expect(byOrder.status).toBe(200);
      expect(byOrder.body.sources).toEqual(['execution', 'pnl', 'risk', 'strategy']);
      expect(byOrder.body.unreachable).toEqual([]);
      const kinds = byOrder.body.records.map((r) => `${r.service}:${r.kind}`);
      // The approval, the order, its updates and its fill all name the client order id.
      expect(kinds).toEqual(expect.arrayContaining(['risk:approval', 'execution:order', 'execution:order-event', 'execution:fill']));
      const times = byOrder.body.records.map((r) => r.time);
      expect(times).toEqual([...times].sort((a, b) => a - b));

      const byDecision = await get(`id=${approval.decisionId}`);
      expect(byDecision.body.records.map((r) => `${r.service}:${r.kind}`)).toEqual(['strategy:intent', 'risk:approval']);
      expect(byDecision.body.records[0]!.versions).toMatchObject({ strategyId: 'ma-x' });

      const day = Date.UTC(2021, 0, 2);
      const ranged = await get(`from=${new Date(day).toISOString()}&to=${day + 86_400_000}&service=strategy`);
      expect(ranged.body.sources).toEqual(['strategy']);
      expect(ranged.body.records.map((r) => r.time)).toEqual(c.data.decisions.filter((d) => d.decisionTime >= day && d.decisionTime < day + 86_400_000).map((d) => d.decisionTime).sort((a, b) => a - b));
      expect(ranged.body.records.length).toBe(24);

      expect((await get('limit=5')).status).toBe(400);
      expect((await get('from=yesterday')).status).toBe(400);
      expect((await get('from=0&service=features')).status).toBe(400);
      const limited = await get('from=0&limit=3');
      expect({ n: limited.body.records.length, truncated: limited.body.truncated }).toEqual({ n: 3, truncated: true });
      await c.close();
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('a gateway without the pipeline services in its process names them unreachable', async () => {
    const spec = maCrossoverSpec('audit-gateway-alone', ['BTC/USDT']);
    const p = await startEmbeddedPipeline(spec, { services: [gatewayService as unknown as ServiceDefinition<never>] });
    try {
      const r = await fetch(`${p.host.url}/api/audit?id=anything`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ sources: [], unreachable: ['strategy', 'risk', 'execution', 'pnl'], records: [], truncated: false });
    } finally {
      await p.stop();
    }
  });
});
