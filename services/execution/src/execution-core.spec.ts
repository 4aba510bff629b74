import { parsePipelineSpec } from '@atp/backtest';
import { ManualClock } from '@atp/core';
import type { CandleEvent, DecisionEvent, OrderRejectedEvent, OrderUpdate } from '@atp/contracts';
import { EXEC_INPUT, ExecutionCore, type ExecutionOutput } from './execution-core';
import { approval, candle, close, H, spec, T0 } from './test-support';

/** s1's decision record of bar i: an intent (answered by approval `coid` or a rejection) or a no-op. */
function decision(i: number, kind: 'intent' | 'noop', strategyId = 's1'): DecisionEvent {
  const id = `d-${strategyId}-${i}`;
  return {
    eventId: id, tsEvent: close(i), tsInit: 0, source: 'strategy', exchange: 'binance', symbol: 'BTC/USDT', runId: 'ex', decisionId: id, strategyId, strategyVersion: '1', timeframe: '1h',
    decisionTime: close(i), kind, ...(kind === 'intent' ? { intent: { target: 'long', entry: 'market', reason: 'test' } } : {}), inputs: {}, causeIds: [],
  } as DecisionEvent;
}
function rejection(i: number, strategyId = 's1'): OrderRejectedEvent {
  return { eventId: `r-${strategyId}-${i}`, tsEvent: close(i), tsInit: 0, source: 'risk', exchange: 'binance', symbol: 'BTC/USDT', runId: 'ex', decisionId: `d-${strategyId}-${i}`, strategyId, decisionTime: close(i), code: 'MAX_POSITION', reason: 'test' };
}

const fills = (o: ExecutionOutput[]) => o.flatMap((x) => (x.kind === 'fill' ? [x.fill] : []));
const updates = (o: ExecutionOutput[]) => o.flatMap((x) => (x.kind === 'order' && x.event.kind === 'order' ? [x.event as OrderUpdate] : []));
const markers = (o: ExecutionOutput[]) => o.flatMap((x) => (x.kind === 'order' && x.event.kind === 'bar-matched' ? [x.event] : []));

describe('ExecutionCore (paper venue behind the gateway port)', () => {
  it('matches by event time: an order decided at T fills at the open of the first bar after T, then the marker counts it', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    expect(markers(core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false))).toEqual([expect.objectContaining({ barTime: close(0), fills: 0 })]);
    const sub = core.apply(EXEC_INPUT.approval, approval('c1', 0, { bracket: { stopLoss: '90' } }), false);
    expect(updates(sub).map((u) => u.status)).toEqual(['acknowledged']);
    expect(sub).toContainEqual({ kind: 'submitted', clientOrderId: 'c1', decisionTime: close(0) });
    const out = core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false);
    expect(fills(out)).toEqual([expect.objectContaining({ fillId: 'c1:0', price: '102', quantity: '1', fee: '0.102', tsEvent: close(1) })]);
    expect(markers(out)).toEqual([expect.objectContaining({ barTime: close(1), fills: 1 })]);
    expect(out[out.length - 1]!.kind === 'order' && out[out.length - 1]!.kind).toBeTruthy(); // the marker comes last
    // the stop loss was armed by the fill; a bar through it fills the stop at the stop price
    const stop = core.apply(EXEC_INPUT.candle, candle(2, 95, 96, 89, 90), false);
    expect(fills(stop)).toEqual([expect.objectContaining({ role: 'stop-loss', price: '90', side: 'sell' })]);
  });

  it('an approval arriving after later bars were matched still fills on the first bar after its decision time', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
    core.apply(EXEC_INPUT.candle, candle(1, 104, 105, 103, 104), false);
    core.apply(EXEC_INPUT.candle, candle(2, 108, 109, 107, 108), false);
    const late = core.apply(EXEC_INPUT.approval, approval('late', 0), false);
    expect(fills(late)).toEqual([expect.objectContaining({ price: '104', tsEvent: close(1) })]);
  });

  it('never submits a client order id twice and ignores old or repeated candles', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
    core.apply(EXEC_INPUT.approval, approval('c1', 0), false);
    expect(core.apply(EXEC_INPUT.approval, approval('c1', 0), false)).toEqual([]);
    expect(core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false)).toEqual([]);
    expect(core.venue.openOrders()).toHaveLength(1);
  });

  it('obeys cancel and cancel-all commands and cancels working orders on shutdown', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
    core.apply(EXEC_INPUT.approval, approval('l1', 0, { type: 'limit', limitPrice: '80' }), false);
    core.apply(EXEC_INPUT.approval, approval('l2', 0, { type: 'limit', limitPrice: '81' }), false);
    core.apply(EXEC_INPUT.approval, approval('l3', 0, { type: 'limit', limitPrice: '82', strategyId: 's2' }), false);
    const cmd = { eventId: 'k1', tsEvent: close(0), tsInit: 0, source: 'test', commandId: 'k1', kind: 'cancel' as const, clientOrderId: 'l1', reason: 'test', actor: 'gateway:ops' };
    expect(updates(core.apply(EXEC_INPUT.command, cmd, false)).map((u) => [u.clientOrderId, u.status])).toEqual([['l1', 'cancel-requested'], ['l1', 'cancelled']]);
    const all = core.apply(EXEC_INPUT.command, { ...cmd, eventId: 'k2', commandId: 'k2', kind: 'cancel-all', clientOrderId: undefined, symbol: 'BTC/USDT', strategyId: 's1' }, false);
    expect(updates(all).filter((u) => u.status === 'cancelled').map((u) => u.clientOrderId)).toEqual(['l2']);
    expect(core.venue.openOrders().map((o) => o.clientOrderId)).toEqual(['l3']);
    expect(updates(core.apply(EXEC_INPUT.shutdown, {}, false)).filter((u) => u.status === 'cancelled').map((u) => u.clientOrderId)).toEqual(['l3']);
  });

  it('a journal replay rebuilds the venue exactly, without recording submissions again', () => {
    const inputs: [string, unknown][] = [
      [EXEC_INPUT.candle, candle(0, 100, 101, 99, 100)],
      [EXEC_INPUT.approval, approval('c1', 0, { bracket: { stopLoss: '95', takeProfit: '110' } })],
      [EXEC_INPUT.candle, candle(1, 101, 102, 100, 101)],
    ];
    const live = new ExecutionCore(spec, new ManualClock(0));
    const replayed = new ExecutionCore(spec, new ManualClock(0));
    const a = inputs.flatMap(([k, v]) => live.apply(k, v, false));
    const b = inputs.flatMap(([k, v]) => replayed.apply(k, v, true));
    expect(b).toEqual(a.filter((o) => o.kind !== 'submitted'));
    expect(replayed.venue.openOrders()).toEqual(live.venue.openOrders());
  });

  describe('decision barrier (a burst of closed bars)', () => {
    const barrier = () => new ExecutionCore(spec, new ManualClock(0), { decisionBarrier: true });

    it('holds bar T+1 until risk answered the decisions of T, so its marker counts the fills of the orders decided at T', () => {
      const core = barrier();
      // Bars 0, 1, 2 close at once (a REST catch-up); s1's decision on bar 0 is not in yet.
      expect(core.waits(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100))).toBe(false);
      expect(markers(core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false)).map((m) => m.barTime)).toEqual([close(0)]);
      // waits(): a candle the barrier holds (risk not done with bar 0; then bar 1 held before it).
      expect(core.waits(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102))).toBe(true);
      expect(core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false)).toEqual([]);
      expect(core.waits(EXEC_INPUT.candle, candle(2, 104, 105, 103, 104))).toBe(true);
      expect(core.apply(EXEC_INPUT.candle, candle(2, 104, 105, 103, 104), false)).toEqual([]);
      expect(core.waits(EXEC_INPUT.decision, decision(0, 'intent'))).toBe(false);
      expect(core.held()).toEqual([{ symbol: 'BTC/USDT', since: T0 + H, count: 2 }]);
      // The decision record of bar 0 is an intent: still waiting for risk's answer.
      expect(core.apply(EXEC_INPUT.decision, decision(0, 'intent'), false)).toEqual([]);
      // The approval: submitted, then bar 1 is matched with its fill, and the marker of bar 1 counts it.
      const out = core.apply(EXEC_INPUT.approval, approval('c1', 0, { decisionId: 'd-s1-0' }), false);
      expect(updates(out).map((u) => u.status)).toEqual(['acknowledged', 'filled']);
      expect(fills(out)).toEqual([expect.objectContaining({ fillId: 'c1:0', price: '102', tsEvent: close(1) })]);
      expect(markers(out)).toEqual([expect.objectContaining({ barTime: close(1), fills: 1 })]);
      // Bar 2 waits for the decision of bar 1; a no-op releases it.
      expect(core.held()).toEqual([{ symbol: 'BTC/USDT', since: T0 + 2 * H, count: 1 }]);
      expect(markers(core.apply(EXEC_INPUT.decision, decision(1, 'noop'), false))).toEqual([expect.objectContaining({ barTime: close(2), fills: 0 })]);
      expect(core.held()).toEqual([]);
      // Bar 3 waits for the decision of bar 2; once it is in, bar 4 is matched at once.
      expect(core.waits(EXEC_INPUT.candle, candle(3, 104, 105, 103, 104))).toBe(true);
      core.apply(EXEC_INPUT.decision, decision(2, 'noop'), false);
      expect(core.waits(EXEC_INPUT.candle, candle(3, 104, 105, 103, 104))).toBe(false);
      expect(markers(core.apply(EXEC_INPUT.candle, candle(3, 104, 105, 103, 104), false))).toHaveLength(1);
    });

    it('gives the same outputs on a burst as the core without barrier on paced input', () => {
      const paced = new ExecutionCore(spec, new ManualClock(0));
      const burst = barrier();
      const c0 = candle(0, 100, 101, 99, 100);
      const c1 = candle(1, 102, 103, 101, 102);
      const c2 = candle(2, 99, 100, 90, 95); // through the stop at 97
      const a0 = approval('c1', 0, { decisionId: 'd-s1-0', bracket: { stopLoss: '97' } });
      const p = [
        ...paced.apply(EXEC_INPUT.candle, c0, false),
        ...paced.apply(EXEC_INPUT.approval, a0, false),
        ...paced.apply(EXEC_INPUT.candle, c1, false),
        ...paced.apply(EXEC_INPUT.candle, c2, false),
      ];
      const b = [
        ...burst.apply(EXEC_INPUT.candle, c0, false),
        ...burst.apply(EXEC_INPUT.candle, c1, false),
        ...burst.apply(EXEC_INPUT.candle, c2, false),
        ...burst.apply(EXEC_INPUT.decision, decision(0, 'intent'), false),
        ...burst.apply(EXEC_INPUT.approval, a0, false),
        ...burst.apply(EXEC_INPUT.decision, decision(1, 'noop'), false),
      ];
      expect(fills(b).map((f) => [f.role, f.price, f.tsEvent])).toEqual([['entry', '102', close(1)], ['stop-loss', '97', close(2)]]);
      expect(b).toEqual(p);
    });

    it('holds every symbol until risk is done with T for all of them (risk decides T across symbols before anything of T+1 fills)', () => {
      const two = parsePipelineSpec({ ...spec, symbols: ['BTC/USDT', 'ETH/USDT'] });
      const core = new ExecutionCore(two, new ManualClock(0), { decisionBarrier: true });
      const eth = (c: CandleEvent): CandleEvent => ({ ...c, symbol: 'ETH/USDT', eventId: `eth-${c.eventId}` });
      const ethDecision = (i: number, kind: 'intent' | 'noop'): DecisionEvent => ({ ...decision(i, kind), symbol: 'ETH/USDT', decisionId: `e-${i}`, eventId: `e-${i}` });
      for (const c of [candle(0, 100, 101, 99, 100), candle(1, 102, 103, 101, 102)]) {
        core.apply(EXEC_INPUT.candle, c, false);
        core.apply(EXEC_INPUT.candle, eth(c), false);
      }
      // BTC's decision of bar 0 is a no-op, ETH's an intent risk has not answered: BTC's bar 1 waits too.
      expect(core.apply(EXEC_INPUT.decision, decision(0, 'noop'), false)).toEqual([]);
      expect(core.apply(EXEC_INPUT.decision, ethDecision(0, 'intent'), false)).toEqual([]);
      expect(core.held().map((h) => h.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
      // ETH's approval: submitted, then both bars 1 are matched (ETH's order fills at its open).
      const out = core.apply(EXEC_INPUT.approval, approval('e1', 0, { symbol: 'ETH/USDT', decisionId: 'e-0' }), false);
      expect(markers(out).map((m) => [m.symbol, m.barTime, m.fills])).toEqual([['BTC/USDT', close(1), 0], ['ETH/USDT', close(1), 1]]);
      expect(core.held()).toEqual([]);
    });

    it('a symbol without a bar at T (a gap) has no decisions to wait for', () => {
      const two = parsePipelineSpec({ ...spec, symbols: ['BTC/USDT', 'ETH/USDT'] });
      const core = new ExecutionCore(two, new ManualClock(0), { decisionBarrier: true });
      const eth = (c: CandleEvent): CandleEvent => ({ ...c, symbol: 'ETH/USDT', eventId: `eth-${c.eventId}` });
      core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
      core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false);
      core.apply(EXEC_INPUT.decision, decision(0, 'noop'), false);
      expect(core.held()).toHaveLength(1); // ETH's bar 0 may still come
      // ETH has no bar 0: its bar 1 shows the gap; BTC's bar 1 is matched, ETH's bar 1 too (its first).
      const out = core.apply(EXEC_INPUT.candle, eth(candle(1, 102, 103, 101, 102)), false);
      expect(markers(out).map((m) => [m.symbol, m.barTime])).toEqual([['BTC/USDT', close(1)], ['ETH/USDT', close(1)]]);
    });

    it('an intent of T that comes after T was found done holds the bars of T+1 not yet matched until it is answered', () => {
      const two = parsePipelineSpec({ ...spec, symbols: ['BTC/USDT', 'ETH/USDT'] });
      const core = new ExecutionCore(two, new ManualClock(0), { decisionBarrier: true });
      const eth = (c: CandleEvent): CandleEvent => ({ ...c, symbol: 'ETH/USDT', eventId: `eth-${c.eventId}` });
      const ethDecision = (i: number, kind: 'intent' | 'noop', id: string): DecisionEvent => ({ ...decision(i, kind), symbol: 'ETH/USDT', decisionId: id, eventId: id });
      core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
      core.apply(EXEC_INPUT.candle, eth(candle(0, 100, 101, 99, 100)), false);
      core.apply(EXEC_INPUT.decision, decision(0, 'noop'), false);
      core.apply(EXEC_INPUT.decision, ethDecision(0, 'noop', 'e-0'), false);
      // Risk is done with bar 0: BTC's bar 1 is matched at once.
      expect(markers(core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false)).map((m) => [m.symbol, m.barTime])).toEqual([['BTC/USDT', close(1)]]);
      // Another record of bar 0 for ETH, an intent: ETH's bar 1 waits for its answer.
      expect(core.apply(EXEC_INPUT.decision, ethDecision(0, 'intent', 'e-0b'), false)).toEqual([]);
      expect(core.apply(EXEC_INPUT.candle, eth(candle(1, 102, 103, 101, 102)), false)).toEqual([]);
      expect(core.held()).toEqual([{ symbol: 'ETH/USDT', since: T0 + H, count: 1 }]);
      const out = core.apply(EXEC_INPUT.rejection, { ...rejection(0), symbol: 'ETH/USDT', decisionId: 'e-0b' }, false);
      expect(markers(out).map((m) => [m.symbol, m.barTime])).toEqual([['ETH/USDT', close(1)]]);
      expect(core.held()).toEqual([]);
    });

    it('a rejection answers an intent like an approval', () => {
      const core = barrier();
      core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
      core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false);
      core.apply(EXEC_INPUT.decision, decision(0, 'intent'), false);
      expect(core.held()).toHaveLength(1);
      expect(markers(core.apply(EXEC_INPUT.rejection, rejection(0), false))).toEqual([expect.objectContaining({ barTime: close(1), fills: 0 })]);
    });

    it('a release (the timeout: strategy down) matches the held bars at once and stops holding until a decision record comes again', () => {
      const core = barrier();
      core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
      core.apply(EXEC_INPUT.decision, decision(0, 'intent'), false);
      core.apply(EXEC_INPUT.approval, approval('c1', 0, { decisionId: 'd-s1-0', bracket: { stopLoss: '97' } }), false);
      core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false); // entry fills; no decision of bar 1 ever comes
      core.apply(EXEC_INPUT.candle, candle(2, 99, 100, 90, 95), false);
      core.apply(EXEC_INPUT.candle, candle(3, 95, 96, 94, 95), false);
      expect(core.held()).toEqual([{ symbol: 'BTC/USDT', since: T0 + 2 * H, count: 2 }]);
      const out = core.apply(EXEC_INPUT.release, { symbol: 'BTC/USDT' }, false);
      expect(fills(out).map((f) => [f.role, f.price])).toEqual([['stop-loss', '97']]);
      expect(markers(out).map((m) => m.barTime)).toEqual([close(2), close(3)]);
      // Bypassed: the next bar is matched at once; a decision record re-arms the barrier.
      expect(markers(core.apply(EXEC_INPUT.candle, candle(4, 95, 96, 94, 95), false))).toHaveLength(1);
      core.apply(EXEC_INPUT.decision, decision(4, 'intent'), false);
      expect(core.apply(EXEC_INPUT.candle, candle(5, 95, 96, 94, 95), false)).toEqual([]);
      expect(core.held()).toHaveLength(1);
    });

    it('waits for every strategy trading the symbol, and a journal replay rebuilds the held bars', () => {
      const two = parsePipelineSpec({ ...spec, strategies: [{ id: 's1', strategy: 'ma-crossover' }, { id: 's2', strategy: 'ma-crossover' }] });
      const inputs: [string, unknown][] = [
        [EXEC_INPUT.candle, candle(0, 100, 101, 99, 100)],
        [EXEC_INPUT.candle, candle(1, 102, 103, 101, 102)],
        [EXEC_INPUT.decision, decision(0, 'noop', 's2')],
      ];
      const live = new ExecutionCore(two, new ManualClock(0), { decisionBarrier: true });
      const replayed = new ExecutionCore(two, new ManualClock(0), { decisionBarrier: true });
      for (const [k, v] of inputs) live.apply(k, v, false);
      for (const [k, v] of inputs) replayed.apply(k, v, true);
      expect(live.held()).toHaveLength(1); // s1's record of bar 0 is missing
      expect(replayed.held()).toEqual(live.held());
      expect(markers(replayed.apply(EXEC_INPUT.decision, decision(0, 'noop', 's1'), true))).toEqual(markers(live.apply(EXEC_INPUT.decision, decision(0, 'noop', 's1'), false)));
      expect(live.held()).toEqual([]);
    });
  });
});
