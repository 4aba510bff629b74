import { ManualClock } from '@atp/core';
import { RISK_INPUT } from './risk-core';
import { close, MiniPipeline, riskSpec } from './testing/mini-pipeline';

const BTC = 'BTC/USDT';
const ETH = 'ETH/USDT';

describe('RiskCore: the per-event-time barrier', () => {
  it('decides the intents of T only when every decision record of T is in and every bar of T is matched', () => {
    const m = new MiniPipeline(riskSpec());
    m.bar(0, 100);
    m.send(RISK_INPUT.decision, m.decision('b', ETH, 0, { target: 'long' }));
    m.send(RISK_INPUT.decision, m.decision('a', BTC, 0));
    m.send(RISK_INPUT.decision, m.decision('a', ETH, 0));
    expect(m.outcomes()).toEqual([]); // (b, BTC, T) is missing
    m.send(RISK_INPUT.decision, m.decision('b', BTC, 0, { target: 'long' }));
    expect(m.outcomes().map((o) => [o.kind, o.strategyId, o.symbol])).toEqual([
      ['approved', 'b', BTC],
      ['approved', 'b', ETH],
    ]);
  });

  it('waits for a bar of T whose candle or marker is missing', () => {
    const m = new MiniPipeline(riskSpec());
    m.bar(0, { [BTC]: 100 }); // ETH's bar of T not in yet
    m.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    expect(m.outcomes()).toEqual([]);
    m.bar(0, { [ETH]: 10 });
    expect(m.outcomes().map((o) => o.kind)).toEqual(['approved']);
  });

  it('checks intents in (strategy id, symbol) order, the next one after execution answered the previous', () => {
    const m = new MiniPipeline(riskSpec());
    m.bar(0, 100);
    m.deliverExecution = false; // execution has not answered yet
    m.decide(0, { [`b|${BTC}`]: { target: 'long' }, [`a|${ETH}`]: { target: 'long' } });
    expect(m.outcomes().map((o) => [o.strategyId, o.symbol])).toEqual([['a', ETH]]);
    m.release();
    expect(m.outcomes().map((o) => [o.strategyId, o.symbol])).toEqual([
      ['a', ETH],
      ['b', BTC],
    ]);
  });

  it('sees the fills of T before deciding, even when the marker overtakes them', () => {
    const m = new MiniPipeline(riskSpec());
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    m.bar(1, 110); // the entry fills at 110 (marker delivered before the fill)
    m.decide(1, { [`a|${BTC}`]: { target: 'flat' } });
    const [entry, exit] = m.outcomes();
    expect(exit).toMatchObject({ kind: 'approved', quantity: entry!.quantity });
    expect(exit!.approved).toMatchObject({ side: 'sell', reduceOnly: true });
  });
});

describe('RiskCore: kill switch, stops, stale data', () => {
  it('a kill-switch command cancels the working entries and blocks the next entry; exits still pass', () => {
    const m = new MiniPipeline(riskSpec());
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' }, [`a|${ETH}`]: { target: 'long', entry: 'limit', limitPrice: '5' } });
    m.bar(1, 100);
    m.decide(1);
    expect(m.position('a', BTC)).not.toBe('0');
    expect(m.venue.openOrders().filter((o) => o.role === 'entry').map((o) => o.symbol)).toEqual([ETH]);
    m.command('kill-switch-on', close(1));
    expect(m.alerts()).toContain('KILL_SWITCH_TRIPPED');
    expect(m.out.filter((o) => o.kind === 'command').map((o) => o.kind === 'command' && [o.event.kind, o.event.symbol])).toEqual([['cancel', ETH]]);
    expect(m.venue.openOrders().filter((o) => o.role === 'entry')).toEqual([]);
    m.bar(2, 100);
    m.decide(2, { [`b|${BTC}`]: { target: 'long' }, [`a|${BTC}`]: { target: 'flat' } });
    expect(m.outcomes().slice(-2).map((o) => [o.strategyId, o.kind, o.code])).toEqual([
      ['a', 'approved', undefined],
      ['b', 'rejected', 'KILL_SWITCH'],
    ]);
    m.command('kill-switch-off', close(2));
    m.bar(3, 100);
    m.decide(3, { [`b|${BTC}`]: { target: 'long' } });
    expect(m.outcomes().slice(-1)[0]).toMatchObject({ strategyId: 'b', kind: 'approved' });
  });

  it('trips the kill switch on the drawdown limit at a bar close and cancels the working entries', () => {
    const spec = riskSpec({ risk: { limits: { sizing: { method: 'fixed-notional', notional: '5000' }, maxDrawdownPct: '10' } } });
    const m = new MiniPipeline(spec, { killSwitchCheck: 'every-bar' });
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' }, [`b|${ETH}`]: { target: 'long', entry: 'limit', limitPrice: '5' } });
    m.bar(1, 100);
    m.decide(1);
    m.bar(2, { [BTC]: 70, [ETH]: 10 }); // 50 BTC-units of 100 now at 70: equity 8500, 15% below the peak
    m.decide(2);
    expect(m.alerts()).toEqual(expect.arrayContaining(['MAX_DRAWDOWN', 'KILL_SWITCH_TRIPPED']));
    expect(m.risk.state.killSwitch).toMatchObject({ engaged: true, cause: 'MAX_DRAWDOWN' });
    expect(m.venue.openOrders().filter((o) => o.role === 'entry')).toEqual([]);
  });

  it('fires stop exits from candles alone when the venue has no native stops (the strategy service is down)', () => {
    const m = new MiniPipeline(riskSpec(), { nativeStops: false });
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long', stopLoss: '95' } });
    const entry = m.outcomes()[0]!.approved!;
    expect(entry.bracket).toBeUndefined(); // no native stop: the bracket stays with risk
    m.bar(1, 100);
    // no decision records any more: strategy is down. A bar reaching the stop:
    m.bar(2, { [BTC]: 96, [ETH]: 10 }, { [BTC]: { l: 94 } });
    const exit = m.outcomes().slice(-1)[0]!;
    expect(exit).toMatchObject({ kind: 'approved', strategyId: 'a', symbol: BTC, decisionTime: close(2), quantity: entry.quantity });
    expect(exit.approved).toMatchObject({ side: 'sell', reduceOnly: true, sizing: expect.objectContaining({ method: 'stop-monitor' }) });
    expect(m.alerts()).toContain('STOP_MONITOR_FIRED');
    m.bar(3, { [BTC]: 97, [ETH]: 10 });
    expect(m.position('a', BTC)).toBe('0');
  });

  it('the stale-data guard refuses entries decided on bars older than the limit (wall clock)', () => {
    const spec = riskSpec({ risk: { limits: { sizing: { method: 'fixed-notional', notional: '1000' }, staleAfterBars: 2 } } });
    const clock = new ManualClock(close(0) + 10 * 3_600_000); // the decision of bar 0 arrives 10 hours late
    const m = new MiniPipeline(spec, { clock: 'wall' }, clock);
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    expect(m.outcomes()[0]).toMatchObject({ kind: 'rejected', code: 'STALE_DATA' });
    const fresh = new MiniPipeline(spec, { clock: 'wall' }, new ManualClock(close(0) + 60_000));
    fresh.bar(0, 100);
    fresh.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    expect(fresh.outcomes()[0]).toMatchObject({ kind: 'approved' });
  });
});

/** One entry intent of `a` on BTC at 100 under the given limits: its outcome. */
function entryUnder(limits: Record<string, unknown>, intent: Record<string, unknown> = {}, opts = {}) {
  const m = new MiniPipeline(riskSpec({ risk: { limits, atrPeriod: 2 } }), opts);
  m.bar(0, 100);
  m.decide(0);
  m.bar(1, 100);
  m.decide(1);
  m.bar(2, 100);
  m.decide(2, { [`a|${BTC}`]: { target: 'long', ...intent } });
  return m.outcomes()[0]!;
}

describe('RiskCore: every limit and sizing rule, through the service core', () => {
  const notional = { method: 'fixed-notional', notional: '1000' };
  it.each([
    ['fixed-notional: 1000 / 100', { sizing: notional }, {}, { kind: 'approved', quantity: '10' }],
    ['fixed-fractional: 1% of 10000 to a stop 5 below', { sizing: { method: 'fixed-fractional', riskPct: '1' } }, { stopLoss: '95' }, { kind: 'approved', quantity: '20' }],
    ['fixed-fractional without a stop', { sizing: { method: 'fixed-fractional', riskPct: '1' } }, {}, { kind: 'rejected', code: 'STOP_REQUIRED' }],
    ['atr: 1% of 10000 / (2 x ATR 2)', { sizing: { method: 'atr', riskPct: '1', atrMultiple: '2' } }, {}, { kind: 'approved', quantity: '25' }],
    ['kelly: (0.6 - 0.4 / 1) x 0.5 of 10000 / 100', { sizing: { method: 'kelly', winRate: '0.6', payoffRatio: '1', cap: '0.5', fraction: '0.5' } }, {}, { kind: 'approved', quantity: '10' }],
    ['kelly without an edge', { sizing: { method: 'kelly', winRate: '0.4', payoffRatio: '1', cap: '0.5' } }, {}, { kind: 'rejected', code: 'NO_EDGE' }],
    ['maxPositionQty caps the size', { sizing: notional, maxPositionQty: '5' }, {}, { kind: 'approved', quantity: '5' }],
    ['maxPositionNotional caps the size', { sizing: notional, maxPositionNotional: '300' }, {}, { kind: 'approved', quantity: '3' }],
    ['maxGrossExposure caps the size', { sizing: notional, maxGrossExposure: '200' }, {}, { kind: 'approved', quantity: '2' }],
    ['maxGrossLeverage caps the size', { sizing: notional, maxGrossLeverage: '0.05' }, {}, { kind: 'approved', quantity: '5' }],
    ['priceCollarPct refuses a limit far from the close', { sizing: notional, priceCollarPct: '1' }, { entry: 'limit', limitPrice: '90' }, { kind: 'rejected', code: 'PRICE_COLLAR' }],
    ['requireStopLoss refuses an entry without a stop', { sizing: notional, requireStopLoss: true }, {}, { kind: 'rejected', code: 'STOP_REQUIRED' }],
    ['a stop above a long entry is refused', { sizing: notional }, { stopLoss: '101' }, { kind: 'rejected', code: 'INVALID_STOP_LOSS' }],
  ])('%s', (_name, limits, intent, expected) => {
    expect(entryUnder(limits, intent)).toMatchObject(expected);
  });

  it('limitOrderTtlBars: a limit entry expires after that many bars', () => {
    const o = entryUnder({ sizing: notional, limitOrderTtlBars: 3 }, { entry: 'limit', limitPrice: '99' });
    expect(o.approved).toMatchObject({ type: 'limit', limitPrice: '99', expireAt: close(2) + 3 * 3_600_000 });
  });

  it('maxOrderRate blocks the next entry inside the window', () => {
    const m = new MiniPipeline(riskSpec({ risk: { limits: { sizing: notional, maxOrderRate: { count: 1, windowMs: 10 * 3_600_000 } } } }));
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    m.bar(1, 100);
    m.decide(1, { [`b|${ETH}`]: { target: 'long' } });
    expect(m.outcomes().map((o) => [o.kind, o.code])).toEqual([
      ['approved', undefined],
      ['rejected', 'ORDER_RATE'],
    ]);
  });

  it('dailyLossLimitPct trips the kill switch at the decision after the loss', () => {
    const m = new MiniPipeline(riskSpec({ risk: { limits: { sizing: { method: 'fixed-notional', notional: '5000' }, dailyLossLimitPct: '5' } } }));
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    m.bar(1, 100);
    m.decide(1, { [`b|${ETH}`]: { target: 'long' } }); // day start equity observed ~10000
    m.bar(2, { [BTC]: 85, [ETH]: 100 });
    m.decide(2, { [`b|${BTC}`]: { target: 'long' } });
    expect(m.outcomes().slice(-1)[0]).toMatchObject({ kind: 'rejected', code: 'DAILY_LOSS_LIMIT' });
    expect(m.alerts()).toEqual(expect.arrayContaining(['DAILY_LOSS_LIMIT', 'KILL_SWITCH_TRIPPED']));
  });

  it('set-limit commands change a limit; RISK_* overrides apply on top of the spec', () => {
    const m = new MiniPipeline(riskSpec({ risk: { limits: { sizing: notional } } }), { limitOverrides: [{ limit: 'maxPositionNotional', value: '400' }] });
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long' } });
    expect(m.outcomes()[0]).toMatchObject({ quantity: '4' });
    m.command('set-limit', close(0), { limit: 'maxPositionNotional', value: '200' });
    expect(m.alerts()).toContain('LIMIT_CHANGED');
    m.bar(1, 100);
    m.decide(1, { [`a|${ETH}`]: { target: 'long' } });
    expect(m.outcomes()[1]).toMatchObject({ quantity: '2' });
    m.command('set-limit', close(1), { limit: 'noSuchLimit', value: '1' });
    expect(m.alerts()).toContain('RISK_COMMAND_REJECTED');
  });
});

describe('RiskCore.waits (the journal batching hint)', () => {
  /** Checks, on every input, that one the core says waits decides nothing when applied; returns `kind symbol` of those said to wait. */
  function watch(m: MiniPipeline): string[] {
    const waited: string[] = [];
    const apply = m.risk.apply.bind(m.risk);
    m.risk.apply = (kind: string, input: unknown) => {
      const waits = m.risk.waits(kind, input);
      const out = apply(kind, input);
      if (waits) {
        expect(out).toEqual([]);
        waited.push(`${kind} ${(input as { symbol: string }).symbol}`);
      }
      return out;
    };
    return waited;
  }

  it('candles before their marker and markers before their decision records wait; they decide nothing', () => {
    const m = new MiniPipeline(riskSpec());
    const waited = watch(m);
    for (let i = 0; i < 6; i++) {
      m.bar(i, 100 + i);
      m.decide(i, i === 1 ? { [`a|${BTC}`]: { target: 'long' } } : i === 4 ? { [`a|${BTC}`]: { target: 'flat' } } : {});
    }
    expect(m.outcomes().map((o) => [o.kind, o.decisionTime])).toEqual([
      ['approved', close(1)],
      ['approved', close(4)],
    ]);
    expect(waited.filter((k) => k.startsWith(`${RISK_INPUT.candle} `))).toHaveLength(12); // 6 bars x 2 symbols
    expect(waited.filter((k) => k.startsWith(`${RISK_INPUT.orderEvent} `))).toHaveLength(12); // their markers
    expect(m.risk.waits(RISK_INPUT.decision, m.decision('a', BTC, 6))).toBe(false);
  });

  it('nothing waits while the fallback stop monitor watches a position', () => {
    const m = new MiniPipeline(riskSpec(), { nativeStops: false });
    const waited = watch(m);
    m.bar(0, 100);
    m.decide(0, { [`a|${BTC}`]: { target: 'long', stopLoss: '95' } });
    m.bar(1, 100); // the entry fills (after the bar's marker): a stop is watched from now on
    expect(m.risk.waits(RISK_INPUT.candle, m.candle(ETH, 2, 10))).toBe(false);
    const before = waited.length;
    m.bar(2, { [BTC]: 96, [ETH]: 10 }, { [BTC]: { l: 94 } }); // BTC's bar fires the stop (then nothing is watched)
    expect(waited.slice(before)).toEqual([`${RISK_INPUT.candle} ${ETH}`, `${RISK_INPUT.orderEvent} ${ETH}`]); // not BTC's
    expect(m.alerts()).toContain('STOP_MONITOR_FIRED');
  });
});
