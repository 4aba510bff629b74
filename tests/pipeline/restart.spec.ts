// Restarts over the in-process bus: each pipeline service in its own host on one bus (as separate
// processes would be), one of them stopped in the middle of a lockstep replay and started again on
// its store: its input journal is replayed and it resumes from its group's positions. The run ends
// with the backtester's fills and P&L, and no client order id is submitted twice.
import { InProcessBus } from '@atp/bus';
import { backtestConfigFromSpec, runBacktest } from '@atp/backtest';
import type { ServiceDefinition } from '@atp/nest-kit';
import type { Store } from '@atp/storage';
import { eventually } from '@atp/testing';
import type { SubmissionDoc } from '@atp/svc-execution';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { PnlHandlers } from '@atp/svc-pnl';
import { collect } from './support/collect';
import { backtestRecords, canonical, firstDifference, pnlOf } from './support/compare';
import { PIPELINE_SERVICES, startEmbeddedPipeline, type EmbeddedPipeline } from './support/embedded';
import { maCrossoverSpec, recordedSeries } from './support/spec';

const FROM = Date.UTC(2020, 11, 20);
const TO = Date.UTC(2021, 1, 1);

describe.each(['execution', 'risk', 'pnl', 'strategy'])('restart of %s in the middle of a lockstep replay (in-process bus)', (victim) => {
  it('resumes from its journal: the same decisions, orders, fills and P&L as the backtester', async () => {
    const spec = maCrossoverSpec(`restart-${victim}`, ['BTC/USDT', 'ETH/USDT']);
    const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), recordedSeries(spec, FROM, TO));
    const bus = new InProcessBus();
    const stores = new Map<string, Store>();
    const hosts = new Map<string, EmbeddedPipeline>();
    const start = async (def: ServiceDefinition<never>) => hosts.set(def.name, await startEmbeddedPipeline(spec, { bus, services: [def], stores, env: { JOURNAL: 'on' } }));
    for (const def of PIPELINE_SERVICES) await start(def);
    const c = await collect(bus, spec.runId);
    let restarts = 0;
    const driver = new ReplayDriver(bus, recordedCandleSource(), {
      runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h', from: FROM, to: TO, mode: 'lockstep', pollMs: 0,
      onEventTime: async (_t, i, n) => {
        if (i !== Math.floor(n / 2)) return;
        await hosts.get(victim)!.stop();
        // Down while the next event time is published: it comes back to pending input.
        restarted = new Promise((r) => setTimeout(r, 50)).then(() => start(PIPELINE_SERVICES.find((d) => d.name === victim)!)).then(() => void restarts++);
      },
    });
    let restarted: Promise<void> = Promise.resolve();
    await driver.run();
    await restarted;
    await eventually(async () => expect(await c.lag()).toBe(0));
    expect(restarts).toBe(1);
    expect(firstDifference(canonical(backtestRecords(bt)), canonical(c.data))).toBeUndefined();
    expect(pnlOf(hosts.get('pnl')!.get(PnlHandlers).core.pnl())).toEqual(pnlOf(bt.final));
    const subs = await stores.get('execution')!.repository<SubmissionDoc>({ name: 'execution_submissions' }).range({});
    expect(subs.map((s) => s._id).sort()).toEqual(bt.approved.map((a) => a.clientOrderId).sort());
    for (const h of hosts.values()) expect(h.errors()).toEqual([]);
    await c.close();
    for (const h of hosts.values()) await h.stop();
    await bus.close();
  }, 120_000);
});
