// Parity (b) with (a): the in-process backtester and the four pipeline services (strategy, risk,
// execution, pnl) wired in one process over the in-process bus, fed by the lockstep replay driver,
// on the same recorded data (Binance spot 1h, 4 symbols, see ../shared/data/README.md; source
// iterativv/NostalgiaForInfinity, GPL-3.0) under one run id: the same decision records, approvals,
// rejections, order events (with bar-matched markers), fills and final P&L, to the last decimal.
import { backtestConfigFromSpec, runBacktest } from '@atp/backtest';
import { eventually } from '@atp/testing';
import { recordedCandleSource, ReplayDriver } from '@atp/svc-market-feed';
import { PnlHandlers } from '@atp/svc-pnl';
import { RiskHandlers } from '@atp/svc-risk';
import { collect } from './support/collect';
import { backtestRecords, canonical, firstDifference, pnlOf } from './support/compare';
import { startEmbeddedPipeline } from './support/embedded';
import { maCrossoverSpec, recordedSeries } from './support/spec';

describe('parity: backtester vs the services in one process over the in-process bus (lockstep)', () => {
  it('MA crossover on all four symbols of the 1h data: the same decisions, orders, fills and final P&L', async () => {
    const spec = maCrossoverSpec('parity-embedded');
    const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), recordedSeries(spec));
    expect(bt.bars).toBe(4 * 5482);

    const p = await startEmbeddedPipeline(spec);
    try {
      const c = await collect(p.bus, spec.runId);
      const driver = new ReplayDriver(p.bus, recordedCandleSource(), { runId: spec.runId, exchange: spec.exchange, symbols: spec.symbols, timeframe: '1h', mode: 'lockstep', pollMs: 0 });
      const stats = await driver.run();
      expect(stats).toMatchObject({ eventTimes: 5482, candles: 4 * 5482 });
      await eventually(async () => expect(await c.lag()).toBe(0), { timeoutMs: 30_000 });

      const a = canonical(backtestRecords(bt));
      const b = canonical(c.data);
      expect(firstDifference(a, b)).toBeUndefined();
      expect(b.decisions).toHaveLength(4 * 5482);
      expect(b.fills.length).toBeGreaterThan(100);
      expect(b.fills.some((f) => f.role === 'stop-loss')).toBe(true);

      const pnl = p.get(PnlHandlers).core;
      expect(pnlOf(pnl.pnl())).toEqual(pnlOf(bt.final));
      expect(pnl.portfolio.roundTrips()).toHaveLength(bt.roundTrips.length);
      // Risk's own projection agrees with pnl's (its last marks are those of its last decision).
      expect(p.get(RiskHandlers).core.portfolio.cash().toString()).toBe(bt.final.cash);
      expect(p.errors()).toEqual([]);
      console.log(`embedded lockstep replay: ${stats.eventTimes} event times, ${stats.candles} candles in ${stats.wallMs} ms (${stats.polls} lag polls); ${b.fills.length} fills, final equity ${bt.final.equity}`);
      await c.close();
    } finally {
      await p.stop();
    }
  }, 600_000);
});
