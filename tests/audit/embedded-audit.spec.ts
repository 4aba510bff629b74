// The audit trail of the four pipeline services (strategy, risk, execution, pnl) run in one
// process over the in-process bus on a slice of the recorded data (Binance spot 1h, BTC and ETH,
// 2020-12-20 .. 2021-02-01; see ../shared/data/README.md): every chain verifies, every link
// resolves, and every published fill traces back through its order and approval to an intent.
import { fromStoredRecord, verifyAudit, type AuditKind, type AuditRecord, type StoredAuditRecord } from '@atp/audit';
import { auditCollection, AuditLog } from '@atp/nest-kit';
import type { Store } from '@atp/storage';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { collect } from '../pipeline/support/collect';
import { startEmbeddedPipeline } from '../pipeline/support/embedded';
import { maCrossoverSpec } from '../pipeline/support/spec';

const FROM = Date.UTC(2020, 11, 20);
const TO = Date.UTC(2021, 1, 1);
const SERVICES = ['strategy', 'risk', 'execution', 'pnl'];

async function chainOf(store: Store, service: string): Promise<AuditRecord[]> {
  return (await store.repository<StoredAuditRecord>({ name: auditCollection(service), timeField: 'seq' }).range({ order: 'asc' })).map(fromStoredRecord);
}

describe('audit trail of the embedded pipeline', () => {
  it('hash chains per service, links from intent to approval, order, fill and pnl for every fill; a replayed batch appends nothing', async () => {
    const spec = maCrossoverSpec('audit-embedded', ['BTC/USDT', 'ETH/USDT']);
    const p = await startEmbeddedPipeline(spec);
    try {
      const c = await collect(p.bus, spec.runId);
      const driver = new ReplayDriver(p.bus, recordedCandleSource(), { runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 0 });
      await driver.run();
      await eventually(async () => expect(await c.lag()).toBe(0));

      const chains = new Map<string, AuditRecord[]>();
      for (const s of SERVICES) chains.set(s, await chainOf(p.stores.get(s)!, s));
      const all = [...chains.values()].flat();
      const report = verifyAudit(all);
      expect(report.issues).toEqual([]);
      expect(report.chains.map((r) => r.chain)).toEqual(['execution', 'pnl', 'risk', 'strategy']);

      // One strategy record per decision record published, intents and no-ops alike.
      const strategy = chains.get('strategy')!;
      expect(strategy.map((r) => r.subject).sort()).toEqual(c.data.decisions.map((d) => d.decisionId).sort());
      expect(strategy.filter((r) => r.kind === 'intent')).toHaveLength(c.data.decisions.filter((d) => d.kind === 'intent').length);
      expect(strategy[0]!.versions).toMatchObject({ strategyId: 'ma-x' });
      expect(chains.get('risk')!.filter((r) => r.kind === 'approval')).toHaveLength(c.data.approved.length);
      expect(chains.get('risk')!.filter((r) => r.kind === 'rejection')).toHaveLength(c.data.rejected.length);

      // Every fill: pnl -> fill -> order (-> entry order for a bracket leg) -> approval -> intent (or risk's stop monitor).
      const find = (kind: AuditKind, id: string) => all.find((r) => r.kind === kind && (r.subject === id || r.ids.includes(id)));
      const cause = (r: AuditRecord, kind: AuditKind) => {
        const ref = r.causes.find((x) => x.kind === kind);
        return ref ? find(kind, ref.id) : undefined;
      };
      const fills = [...new Map(c.data.fills.map((f) => [f.fillId, f])).values()];
      expect(fills.length).toBeGreaterThan(5);
      expect(fills.some((f) => f.role === 'stop-loss')).toBe(true);
      for (const f of fills) {
        const pnl = find('pnl', f.fillId);
        expect(pnl?.service).toBe('pnl');
        const fill = cause(pnl!, 'fill')!;
        expect(fill).toMatchObject({ kind: 'fill', subject: f.fillId, inputs: { price: f.price, quantity: f.quantity, fee: f.fee } });
        let order = cause(fill, 'order')!;
        expect(order.subject).toBe(f.clientOrderId);
        while (!order.causes.some((x) => x.kind === 'approval')) order = cause(order, 'order')!; // bracket leg -> its entry
        const approval = cause(order, 'approval')!;
        expect(approval.service).toBe('risk');
        if (approval.origin !== 'stop-monitor') expect(cause(approval, 'intent')).toMatchObject({ service: 'strategy', kind: 'intent' });
      }

      // The same batch again (a redelivered input after a restart): nothing appended, the head unchanged.
      const execution = chains.get('execution')!;
      const again = new AuditLog({ store: p.stores.get('execution')!, service: 'execution' });
      const head = await again.head();
      expect(head).toEqual({ chain: 'execution', nextSeq: execution.length, lastHash: execution[execution.length - 1]!.hash });
      const replayed = execution.slice(-3).map(({ kind, subject, ids, causes, refs, decision, inputs, versions, time }) => ({ kind, subject, ids, causes, refs, decision, inputs, versions, time }));
      expect(await again.append(replayed)).toEqual([]);
      expect(await again.head()).toEqual(head);

      // Query by id across the chains of this process: a fill id finds its fill and pnl records.
      const logs = AuditLog.inProcess(p.bus);
      expect(logs.map((l) => l.service)).toEqual(['execution', 'pnl', 'risk', 'strategy']);
      const byId = (await Promise.all(logs.map((l) => l.query({ id: fills[0]!.fillId })))).flat();
      expect(byId.map((r) => `${r.service}:${r.kind}`).sort()).toEqual(['execution:fill', 'pnl:pnl']);
      expect(p.errors()).toEqual([]);
      console.log(`audit: ${report.records} records in ${report.chains.length} chains, ${report.links} links, ${fills.length} fills traced to their intents`);
      await c.close();
    } finally {
      await p.stop();
    }
  }, 120_000);
});
