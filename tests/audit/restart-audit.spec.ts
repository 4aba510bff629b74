// Restarts and the audit trail: each pipeline service in its own host on one in-process bus (as
// separate processes would be), one stopped in the middle of a lockstep replay of recorded BTC/USDT
// 1h bars (Binance spot, see ../shared/data/README.md) and started again on its store. Its audit log
// resumes the chain's head from the store and the inputs it reprocesses append nothing: one chain
// per service, no key twice, every link resolved.
import { InProcessBus } from '@atp/bus';
import { fromStoredRecord, verifyAudit, type StoredAuditRecord } from '@atp/audit';
import { auditCollection, type ServiceDefinition } from '@atp/nest-kit';
import type { Store } from '@atp/storage';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { collect } from '../pipeline/support/collect';
import { PIPELINE_SERVICES, startEmbeddedPipeline, type EmbeddedPipeline } from '../pipeline/support/embedded';
import { maCrossoverSpec } from '../pipeline/support/spec';

const FROM = Date.UTC(2020, 11, 20);
const TO = Date.UTC(2021, 0, 20);

describe.each(['strategy', 'risk', 'execution', 'pnl'])('audit across a restart of %s (in-process bus)', (victim) => {
  it('continues the chain without a fork: intact chains and links, each key once, one record per decision and fill', async () => {
    const spec = maCrossoverSpec(`audit-restart-${victim}`, ['BTC/USDT']);
    const bus = new InProcessBus();
    const stores = new Map<string, Store>();
    const hosts = new Map<string, EmbeddedPipeline>();
    const start = async (def: ServiceDefinition<never>) => hosts.set(def.name, await startEmbeddedPipeline(spec, { bus, services: [def], stores, env: { JOURNAL: 'on' } }));
    for (const def of PIPELINE_SERVICES) await start(def);
    const c = await collect(bus, spec.runId);
    let restarted: Promise<void> = Promise.resolve();
    let headBefore = -1;
    const driver = new ReplayDriver(bus, recordedCandleSource(), {
      runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 0,
      onEventTime: async (_t, i, n) => {
        if (i !== Math.floor(n / 2)) return;
        await hosts.get(victim)!.stop();
        headBefore = await stores.get(victim)!.repository<StoredAuditRecord>({ name: auditCollection(victim), timeField: 'seq' }).count();
        restarted = new Promise((r) => setTimeout(r, 50)).then(() => start(PIPELINE_SERVICES.find((d) => d.name === victim)!)).then(() => undefined);
      },
    });
    await driver.run();
    await restarted;
    await eventually(async () => expect(await c.lag()).toBe(0));

    const chains = await Promise.all(['strategy', 'risk', 'execution', 'pnl'].map(async (s) => (await stores.get(s)!.repository<StoredAuditRecord>({ name: auditCollection(s), timeField: 'seq' }).range({ order: 'asc' })).map(fromStoredRecord)));
    const all = chains.flat();
    const report = verifyAudit(all);
    expect(report.issues).toEqual([]);
    for (const chain of chains) expect(new Set(chain.map((r) => r.key)).size).toBe(chain.length);
    const victimChain = chains[['strategy', 'risk', 'execution', 'pnl'].indexOf(victim)]!;
    expect(headBefore).toBeGreaterThan(0);
    expect(victimChain.length).toBeGreaterThan(headBefore); // appended after the restart, on the same chain
    const decisions = new Set(c.data.decisions.map((d) => d.decisionId));
    expect(chains[0]!.length).toBe(decisions.size);
    const fills = new Set(c.data.fills.map((f) => f.fillId));
    expect(fills.size).toBeGreaterThan(0);
    expect(all.filter((r) => r.kind === 'fill').map((r) => r.subject).sort()).toEqual([...fills].sort());
    expect(all.filter((r) => r.kind === 'pnl').map((r) => r.subject).sort()).toEqual([...fills].sort());
    for (const h of hosts.values()) expect(h.errors()).toEqual([]);
    await c.close();
    for (const h of hosts.values()) await h.stop();
    await bus.close();
  }, 120_000);
});
