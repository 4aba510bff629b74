// Parity (b) with (a): the in-process backtester and the four pipeline services (strategy, risk,
// execution, pnl) wired in one process over the in-process bus, fed by the lockstep replay driver,
// on the same recorded data (Binance spot 1h, 4 symbols, see ../shared/data/README.md; source
// iterativv/NostalgiaForInfinity, GPL-3.0) under one run id: the same decision records, approvals,
// rejections, order events (with bar-matched markers), fills and final P&L, to the last decimal.
import { backtestConfigFromSpec, runBacktest } from '@atp/backtest';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { ExecutionHandlers } from '@atp/svc-execution';
import { PnlHandlers } from '@atp/svc-pnl';
import { RiskHandlers } from '@atp/svc-risk';
import { collect } from './support/collect';
import { backtestRecords, canonical, firstDifference, pnlOf } from './support/compare';
import { startEmbeddedPipeline } from './support/embedded';
import { maCrossoverSpec, recordedSeries } from './support/spec';

// Lockstep publishes the next event time once the pipeline drained the previous one. Free-running
// publishes every candle at once: the services' own barriers (strategy and risk wait for
// execution's bar-matched markers, risk for every decision record, execution for risk's answers to
// the decisions of the bar before) keep the per-event-time order, so the result is the same.
describe('parity: backtester vs the services in one process over the in-process bus', () => {
  it.each(['lockstep', 'free'] as const)('%s replay, MA crossover on all four symbols of the 1h data: the same decisions, orders, fills and final P&L', async (mode) => {
    const spec = maCrossoverSpec(`parity-embedded-${mode}`);
    const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), recordedSeries(spec));
    expect(bt.bars).toBe(4 * 5482);

    const p = await startEmbeddedPipeline(spec);
    try {
      const c = await collect(p.bus, spec.runId);
      const driver = new ReplayDriver(p.bus, recordedCandleSource(), { runId: spec.runId, exchange: spec.exchange, symbols: spec.symbols, timeframe: '1h', mode, pollMs: 0 });
      const stats = await driver.run();
      expect(stats).toMatchObject({ eventTimes: 5482, candles: 4 * 5482 });
      // Lockstep: drained when the driver returns. Free: the services work through the backlog.
      await eventually(async () => {
        expect(c.data.decisions.length).toBe(4 * 5482);
        expect(await c.lag()).toBe(0);
      }, { timeoutMs: 60_000 });
      expect(p.get(ExecutionHandlers).core.held()).toEqual([]);

      const a = canonical(backtestRecords(bt));
      const b = canonical(c.data);
      expect(firstDifference(a, b)).toBeUndefined();
      expect(b.decisions).toHaveLength(4 * 5482);
      expect(b.fills.length).toBeGreaterThan(100);
      expect(b.fills.some((f) => f.role === 'stop-loss')).toBe(true);

      const pnl = p.get(PnlHandlers).core;
      await eventually(() => expect(pnlOf(pnl.pnl())).toEqual(pnlOf(bt.final)), { timeoutMs: 60_000 }); // free: pnl may still be working through its backlog
      expect(pnl.portfolio.roundTrips()).toHaveLength(bt.roundTrips.length);
      // Risk's own projection agrees with pnl's (its last marks are those of its last decision).
      expect(p.get(RiskHandlers).core.portfolio.cash().toString()).toBe(bt.final.cash);
      expect(p.errors()).toEqual([]);
      console.log(`embedded ${mode} replay: ${stats.eventTimes} event times, ${stats.candles} candles in ${stats.wallMs} ms (${stats.polls} lag polls); ${b.fills.length} fills, final equity ${bt.final.equity}`);
      await c.close();
    } finally {
      await p.stop();
    }
  }, 600_000);
});
