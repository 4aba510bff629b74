/**
 * The three libs together, as the backtester drives them (ARCHITECTURE.md, "Order within one event
 * time T"): market orders decided at T fill at the open of T+1; positions are marked at the close;
 * risk decides on the state after the marks. Not a backtester: a check that the pieces fit and that
 * the invariants hold along a path that trips the drawdown limit.
 */
import { decToString, ManualClock, roundToPlaces, toDecimal } from '@atp/core';
import { computeMetrics } from '@atp/metrics';
import { Portfolio } from '@atp/portfolio';
import { decideRisk, initialRiskState, portfolioView, type Approval, type MarketInfo, type RiskLimits } from './index';

const H = 3_600_000;
const BTC: MarketInfo = { exchange: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: '0.00001', priceTick: '0.01', minAmount: '0.00001', minCost: '5', makerFee: '0.001', takerFee: '0.001' };

/** A path that trends up for 60 bars, then falls 1.5% a bar for 40, then drifts. Opens = previous close. */
function bars(): { time: number; open: number; close: number }[] {
  const out = [];
  let c = 40000;
  for (let i = 1; i <= 160; i++) {
    const o = c;
    const step = i <= 60 ? 0.004 : i <= 100 ? -0.015 : 0.001 * Math.sin(i);
    c = Math.round(c * (1 + step + 0.002 * Math.sin(i * 1.7)) * 100) / 100;
    out.push({ time: i * H, open: o, close: c });
  }
  return out;
}

describe('risk + portfolio + metrics along one path', () => {
  it('keeps every invariant and trips the drawdown kill switch, after which only exits pass', () => {
    const portfolio = new Portfolio({ account: 'bt', initialCash: '10000', timeframe: '1h' });
    const limits: RiskLimits = { sizing: { method: 'fixed-fractional', riskPct: '2' }, maxDrawdownPct: '10', staleAfterBars: 2, maxGrossLeverage: '1' };
    let state = initialRiskState();
    let pending: Approval | null = null;
    let approvals = 0;
    let rejections = 0;
    let trippedAt = -1;
    const codes = new Set<string>();

    for (const b of bars()) {
      // 1. the order decided at the previous bar fills at this bar's open (taker fee, 8 places)
      if (pending) {
        const price = toDecimal(b.open);
        const fee = roundToPlaces(price.mul(pending.quantity).mul('0.001'), 8, 'half-away-from-zero');
        portfolio.applyFill({ fillId: `${pending.clientOrderId}:0`, exchange: 'binance', symbol: 'BTC/USDT', strategyId: 's1', side: pending.side, price: decToString(price), quantity: decToString(pending.quantity), fee: decToString(fee), feeCurrency: 'USDT', tsEvent: b.time - H });
        expect(portfolio.audit()).toEqual([]);
        const s = portfolio.pnl();
        expect(decToString(toDecimal(s.initialCash).plus(s.realized).plus(s.unrealized).minus(s.fees))).toBe(s.equity);
        pending = null;
      }
      // 2. mark at the close of T
      portfolio.mark({ exchange: 'binance', symbol: 'BTC/USDT' }, b.close, b.time);
      // 3. the strategy: long every 10 bars with a 3% stop, flat 5 bars later
      const i = b.time / H;
      const target = i % 10 === 0 ? 'long' : i % 10 === 5 ? 'flat' : null;
      if (!target) continue;
      // 4. risk on the state after steps 1-2
      const res = decideRisk({
        decision: { runId: 'bt', decisionId: `d${i}`, strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', decisionTime: b.time, kind: 'intent', intent: { target, entry: 'market', stopLoss: (b.close * 0.97).toFixed(2), reason: 'test' } },
        market: BTC,
        portfolio: portfolioView(portfolio),
        marketData: { lastClose: b.close, lastBarTime: b.time },
        limits,
        state,
        clock: new ManualClock(b.time),
      });
      state = res.state;
      if (trippedAt < 0 && state.killSwitch.engaged) trippedAt = i;
      if (res.outcome.kind === 'approval') {
        approvals++;
        if (trippedAt >= 0 && i >= trippedAt) expect(res.outcome.reduceOnly).toBe(true);
        pending = res.outcome;
      } else if (res.outcome.kind === 'rejection') {
        rejections++;
        codes.add(res.outcome.code);
      }
    }

    expect(trippedAt).toBeGreaterThan(60);
    expect(state.killSwitch).toMatchObject({ engaged: true, cause: 'MAX_DRAWDOWN' });
    expect(approvals + rejections).toBe(32); // 16 longs + 16 flats: one outcome each
    expect([...codes].sort()).toEqual(expect.arrayContaining(['KILL_SWITCH']));

    const curve = portfolio.equityCurve();
    const report = computeMetrics({
      ...curve,
      timeframe: '1h',
      start: { time: 0, equity: 10000 },
      trades: portfolio.roundTrips(),
      feesPaid: portfolio.pnl().fees,
      tradedNotional: decToString(portfolio.tradedNotional()),
    });
    expect(report.trades.trades).toBe(portfolio.roundTrips().length);
    expect(report.endEquity).toBe(Number(portfolio.pnl().equity));
    expect(report.bars.maxDrawdown).toBeLessThan(0);
    expect(Number.isFinite(report.bars.sharpe)).toBe(true);
    expect(report.exposure).toBeGreaterThan(0);
    expect(report.exposure).toBeLessThan(1);
    // Net P&L of the closed trades + what is still open = equity - initial cash.
    const net = portfolio.roundTrips().reduce((a, t) => a.plus(t.netPnl), toDecimal(0));
    if (portfolio.positions().length === 0) expect(decToString(net.plus(10000))).toBe(portfolio.pnl().equity);
  });
});
