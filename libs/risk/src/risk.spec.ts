import { clientOrderId, Dec, decToString, eventIdFrom, ManualClock, utcDayStart } from '@atp/core';
import { ordersApprovedV1, ordersRejectedV1, riskAlertsV1, validate, type OrderIntent } from '@atp/contracts';
import { Portfolio } from '@atp/portfolio';
import {
  applyRiskCommand,
  decideRisk,
  initialRiskState,
  marketInfoFromCcxt,
  marketInfoFromPlaces,
  observeEquity,
  portfolioView,
  stepFromPlaces,
  toAlertEvent,
  toOutcomeEvent,
  withLimit,
  type Approval,
  type MarketInfo,
  type PortfolioView,
  type Rejection,
  type RiskLimits,
  type RiskRequest,
  type RiskResult,
  type RiskState,
} from './index';

const H = 3_600_000;
const T = Date.UTC(2024, 0, 2, 10); // 2024-01-02T10:00Z: the decision time (a bar close)

const BTC: MarketInfo = {
  exchange: 'binance',
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  amountStep: '0.00001',
  priceTick: '0.01',
  minAmount: '0.00001',
  minCost: '5',
  makerFee: '0.001',
  takerFee: '0.001',
};

const FLAT: PortfolioView = { equity: '10000', cash: '10000', positions: [] };

function req(over: {
  intent?: Partial<OrderIntent> | null;
  limits?: Partial<RiskLimits>;
  portfolio?: Partial<PortfolioView>;
  market?: Partial<MarketInfo>;
  lastClose?: number;
  lastBarTime?: number;
  atr?: number | null;
  state?: RiskState;
  now?: number;
  time?: number;
  strategyId?: string;
}): RiskRequest {
  const time = over.time ?? T;
  const intent: OrderIntent = { target: 'long', entry: 'market', reason: 'test', ...(over.intent ?? {}) };
  return {
    decision: {
      runId: 'run1',
      decisionId: `dec-${time}`,
      strategyId: over.strategyId ?? 's1',
      exchange: 'binance',
      symbol: 'BTC/USDT',
      timeframe: '1h',
      decisionTime: time,
      kind: over.intent === null ? 'noop' : 'intent',
      ...(over.intent === null ? {} : { intent }),
    },
    market: { ...BTC, ...(over.market ?? {}) },
    portfolio: { ...FLAT, ...(over.portfolio ?? {}) },
    marketData: { lastClose: over.lastClose ?? 50000, lastBarTime: over.lastBarTime ?? time, atr: over.atr === undefined ? 500 : over.atr },
    limits: { sizing: { method: 'fixed-notional', notional: '5000' }, ...(over.limits ?? {}) },
    state: over.state ?? initialRiskState(),
    clock: new ManualClock(over.now ?? time),
  };
}

function approved(r: RiskResult): Approval {
  if (r.outcome.kind !== 'approval') throw new Error(`expected an approval, got ${JSON.stringify(r.outcome)}`);
  return r.outcome;
}
function rejected(r: RiskResult): Rejection {
  if (r.outcome.kind !== 'rejection') throw new Error(`expected a rejection, got ${JSON.stringify(r.outcome)}`);
  return r.outcome;
}
const q = (a: Approval) => decToString(a.quantity);

describe('position sizers (hand-computed)', () => {
  it('fixed fractional: 1% of 10000 = 100 at risk over |50000 - 49000| = 1000 per BTC -> 0.1 BTC', () => {
    const a = approved(decideRisk(req({ intent: { stopLoss: '49000' }, limits: { sizing: { method: 'fixed-fractional', riskPct: '1' } } })));
    expect(q(a)).toBe('0.1');
    expect(a.sizing).toMatchObject({ method: 'fixed-fractional', riskAmount: '100', perUnitRisk: '1000', rawQuantity: '0.1', cappedBy: null, notional: '5000' });
    expect(decToString(a.bracket!.stopLoss!)).toBe('49000');
  });

  it('fixed fractional sizes with the stop rounded toward the entry: 48999.995 -> 49000 (tick 0.01)', () => {
    const a = approved(decideRisk(req({ intent: { stopLoss: '48999.995' }, limits: { sizing: { method: 'fixed-fractional', riskPct: 1 } } })));
    expect(decToString(a.bracket!.stopLoss!)).toBe('49000');
    expect(q(a)).toBe('0.1');
  });

  it('fixed fractional: a 0.5% risk to a stop 333 away -> 50/333 = 0.15015015... -> 0.15015 (rounded down to 0.00001)', () => {
    const a = approved(decideRisk(req({ intent: { stopLoss: '49667' }, limits: { sizing: { method: 'fixed-fractional', riskPct: '0.5' } } })));
    expect(q(a)).toBe('0.15015');
  });

  it('ATR: 1% of 10000 = 100 over 2 x ATR 333 = 666 -> 0.15015015... -> 0.15015', () => {
    const a = approved(decideRisk(req({ atr: 333, limits: { sizing: { method: 'atr', riskPct: '1', atrMultiple: '2' } } })));
    expect(q(a)).toBe('0.15015');
    expect(a.sizing).toMatchObject({ method: 'atr', riskAmount: '100', atr: '333', atrMultiple: '2' });
  });

  it('ATR without an ATR is rejected (NO_ATR)', () => {
    expect(rejected(decideRisk(req({ atr: null, limits: { sizing: { method: 'atr', riskPct: '1', atrMultiple: '2' } } }))).code).toBe('NO_ATR');
  });

  it('Kelly: f = 0.55 - 0.45/1.5 = 0.25, half Kelly 0.125 (< cap 0.2): 0.125 x 10000 / 50000 = 0.025', () => {
    const a = approved(decideRisk(req({ limits: { sizing: { method: 'kelly', winRate: '0.55', payoffRatio: '1.5', fraction: '0.5', cap: '0.2' } } })));
    expect(q(a)).toBe('0.025');
    expect(a.sizing).toMatchObject({ kellyFraction: '0.25', fractionUsed: '0.125' });
  });

  it('Kelly is capped: full Kelly 0.25 capped at 0.1 -> 0.1 x 10000 / 50000 = 0.02', () => {
    const a = approved(decideRisk(req({ limits: { sizing: { method: 'kelly', winRate: '0.55', payoffRatio: '1.5', cap: '0.1' } } })));
    expect(q(a)).toBe('0.02');
  });

  it('Kelly without an edge: 0.4 - 0.6/1 = -0.2 -> NO_EDGE', () => {
    const r = rejected(decideRisk(req({ limits: { sizing: { method: 'kelly', winRate: '0.4', payoffRatio: '1', cap: '0.2' } } })));
    expect(r.code).toBe('NO_EDGE');
    expect(r.reason).toContain('-0.2');
  });

  it('fixed notional: 1234.56 / 50000 = 0.0246912 -> 0.02469', () => {
    const a = approved(decideRisk(req({ limits: { sizing: { method: 'fixed-notional', notional: '1234.56' } } })));
    expect(q(a)).toBe('0.02469');
  });

  it('per-strategy sizing overrides the default', () => {
    const a = approved(decideRisk(req({ limits: { sizingByStrategy: { s1: { method: 'fixed-notional', notional: '500' } } } })));
    expect(q(a)).toBe('0.01');
  });

  it('every sizer is capped by cash: 20000 wanted, cash 10000 / (50000 x 1.001) = 0.1998001998... -> 0.1998', () => {
    const a = approved(decideRisk(req({ limits: { sizing: { method: 'fixed-notional', notional: '20000' } } })));
    expect(q(a)).toBe('0.1998');
    expect(a.sizing).toMatchObject({ cappedBy: 'cash', rawQuantity: '0.4' });
  });

  it('cash already reserved by an open buy counts: 10000 - 0.1 x 40000 x 1.001 = 5996 -> 5996 / 50050 = 0.11980... -> 0.1198', () => {
    const openOrders = [{ strategyId: 's2', exchange: 'binance', symbol: 'ETH/USDT', side: 'buy' as const, quantity: '0.1', price: '40000', reduceOnly: false }];
    const a = approved(decideRisk(req({ limits: { sizing: { method: 'fixed-notional', notional: '20000' } }, portfolio: { openOrders } })));
    expect(q(a)).toBe('0.1198');
  });

  it('the cash cap binds exactly when cash / (price x 1.001) < the sized quantity, however close (seeded; decimal.js reference)', () => {
    let seed = 4242;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let capped = 0;
    let free = 0;
    for (let i = 0; i < 3000; i++) {
      const cash = new Dec((rnd() * 1e6).toFixed(Math.floor(rnd() * 9)));
      const price = new Dec((1 + rnd() * 60000).toFixed(Math.floor(rnd() * 6)));
      // notionals around the cash cap: exactly on it, a few 60-digit ulps either side, or further
      const onCap = cash.div(new Dec('1.001'));
      const eps = [0, 1e-58, -1e-58, 1e-15, -1e-15, 1e-12, -1e-12, 1e-6, -0.5][Math.floor(rnd() * 9)]!;
      const notional = onCap.mul(new Dec(1).plus(eps)).toDecimalPlaces(Math.floor(rnd() * 70));
      if (notional.lte(0) || cash.isZero()) continue;
      const r = decideRisk(req({ lastClose: price.toNumber(), portfolio: { cash: cash.toFixed(), equity: cash.toFixed() }, market: { amountStep: '0.00000001', minAmount: undefined, minCost: undefined }, limits: { sizing: { method: 'fixed-notional', notional: notional.toFixed() } } }));
      const px = new Dec(String(price.toNumber()));
      const sized = notional.div(px);
      const cap = cash.div(px.mul(new Dec('1.001')));
      const want = cap.lt(sized) ? cap : sized;
      const wantQty = want.toDecimalPlaces(8, Dec.ROUND_DOWN);
      if (wantQty.isZero()) {
        expect(rejected(r).code).toBe('MIN_AMOUNT');
        continue;
      }
      const a = approved(r);
      expect([q(a), a.sizing.cappedBy, a.sizing.cappedQuantity]).toEqual([decToString(wantQty), cap.lt(sized) ? 'cash' : null, decToString(want)]);
      if (cap.lt(sized)) capped++;
      else free++;
    }
    expect(capped).toBeGreaterThan(300);
    expect(free).toBeGreaterThan(300);
  });

  it('a fixed-notional entry explains its sizing as { ...explain, equity, ..., notional }: the final notional in the explain\'s slot, keys in order', () => {
    const a = approved(decideRisk(req({ limits: { sizing: { method: 'fixed-notional', notional: '20000' } }, intent: { stopLoss: '39000' } })));
    const explain = { method: 'fixed-notional', notional: '20000' };
    // 20000 / 50000 = 0.4 wanted, cash 10000 / (50000 x 1.001) = 0.1998001998... -> 0.1998 (step 0.00001), x 50000 = 9990
    const want = { ...explain, equity: '10000', entryPrice: '50000', stopLoss: '39000', rawQuantity: '0.4', cappedBy: 'cash', cappedQuantity: '0.1998001998001998001998001998001998001998001998001998001998', amountStep: '0.00001', quantity: '0.1998', notional: '9990' };
    expect(Object.keys(a.sizing)).toEqual(Object.keys(want));
    expect(a.sizing).toEqual(want);
  });

  it('no cash: INSUFFICIENT_CASH', () => {
    expect(rejected(decideRisk(req({ portfolio: { cash: '0' } }))).code).toBe('INSUFFICIENT_CASH');
  });
});

describe('pre-trade limits (hand-computed)', () => {
  const other = (qty: string, symbol = 'BTC/USDT', mark = '50000') => ({ strategyId: 's2', exchange: 'binance', symbol, quantity: qty, mark });

  it('max position quantity per symbol: 0.05 max, 0.03 held by another strategy -> capped at 0.02', () => {
    const a = approved(decideRisk(req({ limits: { maxPositionQty: '0.05' }, portfolio: { positions: [other('0.03')] } })));
    expect(q(a)).toBe('0.02');
    expect(a.sizing.cappedBy).toBe('maxPositionQty');
  });
  it('max position quantity per symbol: no room left -> MAX_POSITION_QTY', () => {
    const r = rejected(decideRisk(req({ limits: { maxPositionQty: '0.05' }, portfolio: { positions: [other('0.05')] } })));
    expect(r.code).toBe('MAX_POSITION_QTY');
    expect(r.reason).toContain('0.05');
  });
  it('max position notional per symbol: 2000 / 50000 = 0.04', () => {
    expect(q(approved(decideRisk(req({ limits: { maxPositionNotional: '2000' } }))))).toBe('0.04');
    // 0.04 held at mark 50000 = 2000: full
    expect(rejected(decideRisk(req({ limits: { maxPositionNotional: '2000' }, portfolio: { positions: [other('0.04')] } }))).code).toBe('MAX_POSITION_NOTIONAL');
  });
  it('max gross exposure across strategies: 3000 - 1 ETH x 2000 = 1000 left -> 1000 / 50000 = 0.02', () => {
    const positions = [other('1', 'ETH/USDT', '2000')];
    expect(q(approved(decideRisk(req({ limits: { maxGrossExposure: '3000' }, portfolio: { positions } }))))).toBe('0.02');
    expect(rejected(decideRisk(req({ limits: { maxGrossExposure: '2000' }, portfolio: { positions } }))).code).toBe('MAX_GROSS_EXPOSURE');
  });
  it('max gross leverage: 0.5 x equity 10000 = 5000 - 2000 used = 3000 -> 0.06', () => {
    expect(q(approved(decideRisk(req({ limits: { maxGrossLeverage: '0.5' }, portfolio: { positions: [other('1', 'ETH/USDT', '2000')] } }))))).toBe('0.06');
  });

  it('max order rate per rolling window of event time: 2 per 3h', () => {
    const limits = { maxOrderRate: { count: 2, windowMs: 3 * H } };
    // window (T-3h, T]: T-2h and T-1h are in it, T-3h is not -> 2 recent -> refused
    const full = { ...initialRiskState(), orderTimes: [T - 3 * H, T - 2 * H, T - H] };
    const r = rejected(decideRisk(req({ limits, state: full })));
    expect(r.code).toBe('ORDER_RATE');
    expect(r.details).toMatchObject({ recent: 2, count: 2 });
    // only T-2h in the window -> approved, and the window is pruned and extended
    const res = decideRisk(req({ limits, state: { ...initialRiskState(), orderTimes: [T - 3 * H, T - 2 * H] } }));
    approved(res);
    expect(res.state.orderTimes).toEqual([T - 2 * H, T]);
  });

  it('price collar: 1% of 50000 = 500, so a buy limit at 49500 passes and 49499.99 is refused', () => {
    const limits = { priceCollarPct: '1' };
    const a = approved(decideRisk(req({ limits, intent: { entry: 'limit', limitPrice: '49500.004' } })));
    expect(decToString(a.limitPrice!)).toBe('49500'); // buy limit rounded down to the tick
    expect(a.type).toBe('limit');
    const r = rejected(decideRisk(req({ limits, intent: { entry: 'limit', limitPrice: '49499.99' } })));
    expect(r.code).toBe('PRICE_COLLAR');
    expect(r.reason).toContain('[49500, 50500]');
  });

  it('sizes limit entries at the limit price with the maker fee, and sets expireAt from the TTL', () => {
    const a = approved(decideRisk(req({ limits: { limitOrderTtlBars: 3, sizing: { method: 'fixed-notional', notional: '4000' } }, intent: { entry: 'limit', limitPrice: '40000' } })));
    expect(q(a)).toBe('0.1');
    expect(a.expireAt).toBe(T + 3 * H);
  });

  it('stale data: the last bar 3 bars before the decision with a limit of 2 bars is refused; 2 bars passes', () => {
    const limits = { staleAfterBars: 2 };
    const r = rejected(decideRisk(req({ limits, lastBarTime: T - 3 * H })));
    expect(r.code).toBe('STALE_DATA');
    expect(r.details).toMatchObject({ ageBars: 3, staleAfterBars: 2 });
    approved(decideRisk(req({ limits, lastBarTime: T - 2 * H })));
  });
  it('stale data: a decision arriving 3 bars late (clock) is refused', () => {
    expect(rejected(decideRisk(req({ limits: { staleAfterBars: 2 }, now: T + 3 * H }))).code).toBe('STALE_DATA');
  });

  it('min notional after rounding: 4.99 / 50000 = 0.0000998 -> 0.00009 -> 4.5 USDT < 5: refused, never rounded up', () => {
    const r = rejected(decideRisk(req({ limits: { sizing: { method: 'fixed-notional', notional: '4.99' } } })));
    expect(r.code).toBe('MIN_NOTIONAL');
    expect(r.details).toMatchObject({ quantity: '0.00009', notional: '4.5', minCost: '5' });
  });
  it('min amount after rounding: 0.4 / 50000 = 0.000008 -> 0; and 0.0005 < a 0.001 minimum', () => {
    expect(rejected(decideRisk(req({ limits: { sizing: { method: 'fixed-notional', notional: '0.4' } } }))).code).toBe('MIN_AMOUNT');
    const r = rejected(decideRisk(req({ market: { minAmount: '0.001' }, limits: { sizing: { method: 'fixed-notional', notional: '25' } } })));
    expect(r.code).toBe('MIN_AMOUNT');
    expect(r.details).toMatchObject({ quantity: '0.0005', minAmount: '0.001' });
  });
  it('caps to the market max amount', () => {
    expect(q(approved(decideRisk(req({ market: { maxAmount: '0.03' } }))))).toBe('0.03');
  });

  it('requireStopLoss refuses entries without a stop; fixed-fractional needs one anyway', () => {
    expect(rejected(decideRisk(req({ limits: { requireStopLoss: true } }))).code).toBe('STOP_REQUIRED');
    expect(rejected(decideRisk(req({ limits: { sizing: { method: 'fixed-fractional', riskPct: '1' } } }))).code).toBe('STOP_REQUIRED');
  });
});

describe('protective levels', () => {
  it('long: stop below and take profit above the entry, rounded to the tick', () => {
    const a = approved(decideRisk(req({ intent: { stopLoss: '48000.001', takeProfit: '55000.005', trailingStopPct: 2 } })));
    expect(decToString(a.bracket!.stopLoss!)).toBe('48000.01'); // toward the entry
    expect(decToString(a.bracket!.takeProfit!)).toBe('55000.01'); // nearest, half away from zero
    expect(a.bracket!.trailingStopPct).toBe(2);
  });
  it('long: a stop at or above the entry, or a take profit below it, is refused', () => {
    expect(rejected(decideRisk(req({ intent: { stopLoss: '50000' } }))).code).toBe('INVALID_STOP_LOSS');
    expect(rejected(decideRisk(req({ intent: { stopLoss: '51000' } }))).code).toBe('INVALID_STOP_LOSS');
    expect(rejected(decideRisk(req({ intent: { takeProfit: '49000' } }))).code).toBe('INVALID_TAKE_PROFIT');
    expect(rejected(decideRisk(req({ intent: { trailingStopPct: 100 } }))).code).toBe('INVALID_TRAILING_STOP');
  });
  it('short (shortable market): stop above, take profit below; the stop rounds down toward the entry', () => {
    const market = { shortable: true };
    const a = approved(decideRisk(req({ market, intent: { target: 'short', stopLoss: '51000.009', takeProfit: '45000' }, limits: { sizing: { method: 'fixed-fractional', riskPct: '1' } } })));
    expect(a.side).toBe('sell');
    expect(a.reduceOnly).toBe(false);
    expect(decToString(a.bracket!.stopLoss!)).toBe('51000');
    expect(q(a)).toBe('0.1'); // 100 / 1000
    expect(rejected(decideRisk(req({ market, intent: { target: 'short', stopLoss: '49000' } }))).code).toBe('INVALID_STOP_LOSS');
    expect(rejected(decideRisk(req({ market, intent: { target: 'short', takeProfit: '51000' } }))).code).toBe('INVALID_TAKE_PROFIT');
  });
});

describe('targets: long / flat / short', () => {
  const mine = (qty: string) => ({ strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', quantity: qty, mark: '50000' });

  it("flat sells the whole long position reduce-only, rounded down to the step (the dust is reported)", () => {
    const a = approved(decideRisk(req({ intent: { target: 'flat' }, portfolio: { positions: [mine('0.12345678')] } })));
    expect(a).toMatchObject({ side: 'sell', reduceOnly: true, type: 'market' });
    expect(q(a)).toBe('0.12345');
    expect(a.sizing).toMatchObject({ method: 'close-position', dust: '0.00000678' });
    expect(a.bracket).toBeUndefined();
  });
  it('flat while flat: NO_POSITION', () => {
    expect(rejected(decideRisk(req({ intent: { target: 'flat' } }))).code).toBe('NO_POSITION');
  });
  it('flat with an exit already pending for the whole position: EXIT_PENDING', () => {
    const openOrders = [{ strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', side: 'sell' as const, quantity: '0.1', price: '50000', reduceOnly: true }];
    expect(rejected(decideRisk(req({ intent: { target: 'flat' }, portfolio: { positions: [mine('0.1')], openOrders } }))).code).toBe('EXIT_PENDING');
  });
  it('long when already long: ALREADY_IN_POSITION (no-op rejection), also while an entry is pending', () => {
    expect(rejected(decideRisk(req({ portfolio: { positions: [mine('0.1')] } }))).code).toBe('ALREADY_IN_POSITION');
    const openOrders = [{ strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', side: 'buy' as const, quantity: '0.1', price: '50000', reduceOnly: false }];
    expect(rejected(decideRisk(req({ portfolio: { openOrders } }))).code).toBe('ALREADY_IN_POSITION');
  });
  it('another strategy holding the symbol does not make this one "in position"', () => {
    approved(decideRisk(req({ portfolio: { positions: [{ ...mine('0.1'), strategyId: 's2' }] } })));
  });
  it('short on a long-only market: SHORT_NOT_ALLOWED; short while long closes the long first', () => {
    expect(rejected(decideRisk(req({ intent: { target: 'short' } }))).code).toBe('SHORT_NOT_ALLOWED');
    const a = approved(decideRisk(req({ intent: { target: 'short' }, portfolio: { positions: [mine('0.1')] } })));
    expect(a).toMatchObject({ side: 'sell', reduceOnly: true });
    expect(a.sizing.method).toBe('close-before-reverse');
  });
  it('long while short closes the short with a reduce-only buy', () => {
    const a = approved(decideRisk(req({ market: { shortable: true }, portfolio: { positions: [mine('-0.2')] } })));
    expect(a).toMatchObject({ side: 'buy', reduceOnly: true });
    expect(q(a)).toBe('0.2');
  });
  it('a limit exit is collared and rounded in the trader\'s favour (sell limit up)', () => {
    const a = approved(decideRisk(req({ intent: { target: 'flat', entry: 'limit', limitPrice: '50100.001' }, limits: { priceCollarPct: '1' }, portfolio: { positions: [mine('0.1')] } })));
    expect(decToString(a.limitPrice!)).toBe('50100.01');
  });
  it('a dust position below the market minimum cannot be closed: MIN_NOTIONAL', () => {
    expect(rejected(decideRisk(req({ intent: { target: 'flat' }, portfolio: { positions: [mine('0.00005')] } }))).code).toBe('MIN_NOTIONAL');
  });
  it('a no-op decision record gets noop, and state is unchanged', () => {
    const s = initialRiskState();
    const r = decideRisk(req({ intent: null, state: s }));
    expect(r.outcome.kind).toBe('noop');
    expect(r.state).toBe(s);
  });
  it('refuses a limit entry without a price and market rules of another symbol', () => {
    expect(rejected(decideRisk(req({ intent: { entry: 'limit' } }))).code).toBe('INVALID_INTENT');
    expect(rejected(decideRisk(req({ market: { symbol: 'ETH/USDT' } }))).code).toBe('INVALID_INTENT');
  });
});

describe('daily loss, drawdown and the kill switch', () => {
  const day = utcDayStart(T);
  const mine = (qty: string) => ({ strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', quantity: qty, mark: '50000' });

  it('daily loss limit: 5% of the day-start 10000 -> floor 9500; equity 9500 trips the kill switch', () => {
    const state: RiskState = { ...initialRiskState(), day: { start: day, startEquity: '10000' }, peakEquity: '10000' };
    const ok = decideRisk(req({ limits: { dailyLossLimitPct: '5' }, portfolio: { equity: '9500.01' }, state }));
    approved(ok);
    expect(ok.state.killSwitch.engaged).toBe(false);

    const res = decideRisk(req({ limits: { dailyLossLimitPct: '5' }, portfolio: { equity: '9500' }, state }));
    const r = rejected(res);
    expect(r.code).toBe('DAILY_LOSS_LIMIT');
    expect(res.state.killSwitch).toMatchObject({ engaged: true, cause: 'DAILY_LOSS_LIMIT', since: T });
    expect(res.alerts.map((a) => a.code)).toEqual(['DAILY_LOSS_LIMIT', 'KILL_SWITCH_TRIPPED']);
    expect(res.alerts[0]!.message).toContain('500 below');

    // The next intent is blocked by the kill switch even after equity recovers...
    const next = decideRisk(req({ limits: { dailyLossLimitPct: '5' }, portfolio: { equity: '10000' }, state: res.state, time: T + H }));
    expect(rejected(next).code).toBe('KILL_SWITCH');
    // ...and exits are still allowed.
    const out = decideRisk(req({ intent: { target: 'flat' }, limits: { dailyLossLimitPct: '5' }, portfolio: { equity: '9400', positions: [mine('0.1')] }, state: res.state, time: T + H }));
    expect(approved(out)).toMatchObject({ side: 'sell', reduceOnly: true });
  });

  it('the UTC day rolls on event time: the first equity of a new day is its start', () => {
    const state: RiskState = { ...initialRiskState(), day: { start: day - 86_400_000, startEquity: '12000' }, peakEquity: '12000' };
    const res = decideRisk(req({ limits: { dailyLossLimitPct: '5' }, portfolio: { equity: '9500' }, state }));
    approved(res);
    expect(res.state.day).toEqual({ start: day, startEquity: '9500' });
  });

  it('max drawdown: 10% below the peak 12000 -> floor 10800; equity 10800 trips the kill switch', () => {
    const state: RiskState = { ...initialRiskState(), peakEquity: '12000' };
    approved(decideRisk(req({ limits: { maxDrawdownPct: '10' }, portfolio: { equity: '10800.01' }, state })));
    const res = decideRisk(req({ limits: { maxDrawdownPct: '10' }, portfolio: { equity: '10800' }, state }));
    expect(rejected(res).code).toBe('MAX_DRAWDOWN');
    expect(res.state.killSwitch).toMatchObject({ engaged: true, cause: 'MAX_DRAWDOWN' });
  });

  it('observeEquity: the same day below the peak leaves the state as it was (the same values), a new day or peak gives a new state, the old one untouched', () => {
    const limits: RiskLimits = { sizing: { method: 'fixed-notional', notional: '1' } };
    const s0 = observeEquity(initialRiskState(), limits, '10000', T).state;
    const before = JSON.stringify(s0);
    const same = observeEquity(s0, limits, '9000', T + H).state;
    expect(same).toEqual(s0);
    expect(Object.keys(same)).toEqual(['version', 'killSwitch', 'day', 'peakEquity', 'orderTimes']);
    const peak = observeEquity(s0, limits, '10001', T + H).state;
    expect([peak.peakEquity, peak.day]).toEqual(['10001', s0.day]);
    const day = observeEquity(s0, limits, '9000', T + 24 * H).state;
    expect([day.peakEquity, day.day]).toEqual(['10000', { start: utcDayStart(T + 24 * H), startEquity: '9000' }]);
    expect(Object.keys(day)).toEqual(['version', 'killSwitch', 'day', 'peakEquity', 'orderTimes']);
    expect(JSON.stringify(s0)).toBe(before);
  });

  it('observeEquity raises the peak and trips on marks between decisions too', () => {
    let s = initialRiskState();
    const limits: RiskLimits = { sizing: { method: 'fixed-notional', notional: '1' }, maxDrawdownPct: '20' };
    s = observeEquity(s, limits, '10000', T).state;
    s = observeEquity(s, limits, '12500', T + H).state;
    expect(s.peakEquity).toBe('12500');
    const o = observeEquity(s, limits, '10000', T + 2 * H); // 12500 x 0.8 = 10000
    expect(o.tripped).toBe('MAX_DRAWDOWN');
    expect(o.state.killSwitch.engaged).toBe(true);
    // Already on: deeper breaches raise nothing new, the watermarks still move.
    const again = observeEquity(o.state, limits, '9000', T + 3 * H);
    expect(again.tripped).toBeNull();
    expect(again.alerts).toEqual([]);
    expect(again.state.killSwitch).toEqual(o.state.killSwitch);
  });

  it('kill switch by command: blocks the next entry, allows exits, and only a command releases it', () => {
    const limits: RiskLimits = { sizing: { method: 'fixed-notional', notional: '5000' } };
    const on = applyRiskCommand(initialRiskState(), limits, { kind: 'kill-switch-on', reason: 'manual', actor: 'cli', tsEvent: T - 1 });
    expect(on.state.killSwitch).toMatchObject({ engaged: true, cause: 'command' });
    expect(on.alerts[0]!.code).toBe('KILL_SWITCH_TRIPPED');

    const blocked = decideRisk(req({ state: on.state }));
    expect(rejected(blocked).code).toBe('KILL_SWITCH');
    const exit = decideRisk(req({ intent: { target: 'flat' }, portfolio: { positions: [mine('0.1')] }, state: on.state }));
    expect(approved(exit).reduceOnly).toBe(true);
    expect(exit.state.killSwitch.engaged).toBe(true);

    // Engaging again keeps the first cause; releasing takes a command.
    expect(applyRiskCommand(on.state, limits, { kind: 'kill-switch-on', reason: 'again', actor: 'gateway:bob', tsEvent: T }).state).toBe(on.state);
    const off = applyRiskCommand(on.state, limits, { kind: 'kill-switch-off', reason: 'all clear', actor: 'gateway:alice', tsEvent: T });
    expect(off.state.killSwitch.engaged).toBe(false);
    approved(decideRisk(req({ state: off.state })));
  });

  it('risk state is JSON-serialisable: a restarted service decides the same', () => {
    const state: RiskState = { ...initialRiskState(), day: { start: day, startEquity: '10000' }, peakEquity: '10000' };
    const first = decideRisk(req({ limits: { dailyLossLimitPct: '5', maxOrderRate: { count: 5, windowMs: 3 * H } }, portfolio: { equity: '9000' }, state }));
    const restored = JSON.parse(JSON.stringify(first.state)) as RiskState;
    expect(restored).toEqual(first.state);
    const a = decideRisk(req({ portfolio: { equity: '9000' }, state: first.state, time: T + H }));
    const b = decideRisk(req({ portfolio: { equity: '9000' }, state: restored, time: T + H }));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('set-limit commands change one limit and name the key on a bad value', () => {
    const limits: RiskLimits = { sizing: { method: 'fixed-notional', notional: '5000' } };
    const r = applyRiskCommand(initialRiskState(), limits, { kind: 'set-limit', limit: 'maxPositionNotional', value: '2000', reason: 'tighten', actor: 'cli', tsEvent: T });
    expect(r.limits.maxPositionNotional).toBe('2000');
    expect(q(approved(decideRisk({ ...req({}), limits: r.limits })))).toBe('0.04');
    expect(withLimit(r.limits, 'maxPositionNotional', 'none').maxPositionNotional).toBeUndefined();
    expect(withLimit(limits, 'maxOrderRate.count', '3').maxOrderRate).toEqual({ count: 3, windowMs: 1 });
    expect(() => withLimit(limits, 'maxPositionNotional', 'lots')).toThrow(/maxPositionNotional/);
    expect(() => withLimit(limits, 'sizing', '1')).toThrow(/unknown or unsettable limit "sizing"/);
  });
});

describe('ids, events and determinism', () => {
  it('uses core clientOrderId of (run, strategy, symbol, decision time, seq)', () => {
    const a = approved(decideRisk(req({})));
    expect(a.clientOrderId).toBe(clientOrderId('run1', 's1', 'BTC/USDT', T, 0));
    expect(approved(decideRisk({ ...req({}), orderSeq: 1 })).clientOrderId).toBe(clientOrderId('run1', 's1', 'BTC/USDT', T, 1));
  });

  it('produces schema-valid orders.approved.v1 / orders.rejected.v1 / risk.alerts.v1 events', () => {
    const a = toOutcomeEvent(approved(decideRisk(req({ intent: { entry: 'limit', limitPrice: '49000', stopLoss: '48000', takeProfit: '52000', trailingStopPct: 1.5 }, limits: { limitOrderTtlBars: 2 } }))), 123);
    expect(a.kind).toBe('approved');
    if (a.kind === 'approved') {
      expect(validate(ordersApprovedV1, a.order)).toMatchObject({ ok: true });
      expect(a.order).toMatchObject({ quantity: '0.10204', limitPrice: '49000', bracket: { stopLoss: '48000', takeProfit: '52000', trailingStopPct: 1.5 }, tsEvent: T, tsInit: 123 });
    }
    // an approval whose decision id is not made yet: both ids left '' (no hash), the rest as with the id
    const ap = approved(decideRisk(req({})));
    const withId = toOutcomeEvent(ap, 123);
    const noId = toOutcomeEvent({ ...ap, decisionId: '' }, 123);
    if (withId.kind !== 'approved' || noId.kind !== 'approved') throw new Error('not approved');
    expect(ap.decisionId).not.toBe('');
    expect(withId.order.eventId).toBe(eventIdFrom('approved', ap.decisionId));
    expect(noId.order).toEqual({ ...withId.order, eventId: '', decisionId: '' });
    expect(Object.keys(noId.order)).toEqual(Object.keys(withId.order));
    // the usual approval's event (one literal) has the general path's keys in the wire order, and a copy of the sizing record
    expect(Object.keys(withId.order)).toEqual(['eventId', 'tsEvent', 'tsInit', 'source', 'exchange', 'symbol', 'runId', 'decisionId', 'strategyId', 'decisionTime', 'clientOrderId', 'side', 'type', 'quantity', 'timeInForce', 'postOnly', 'reduceOnly', 'sizing']);
    expect(withId.order).toMatchObject({ tsEvent: T, tsInit: 123, source: 'risk', decisionId: ap.decisionId, clientOrderId: ap.clientOrderId, quantity: decToString(ap.quantity), timeInForce: ap.timeInForce, postOnly: ap.postOnly, reduceOnly: ap.reduceOnly });
    expect(withId.order.sizing).not.toBe(ap.sizing);
    expect(Object.entries(withId.order.sizing)).toEqual(Object.entries(ap.sizing));
    expect(validate(ordersApprovedV1, withId.order)).toMatchObject({ ok: true });
    const r = toOutcomeEvent(rejected(decideRisk(req({ intent: { target: 'short' } }))), 123);
    expect(r.kind === 'rejected' && validate(ordersRejectedV1, r.rejection).ok).toBe(true);
    // likewise a rejection whose decision id is not made yet
    const rj = rejected(decideRisk(req({ intent: { target: 'short' } })));
    const rNoId = toOutcomeEvent({ ...rj, decisionId: '' }, 123);
    if (r.kind !== 'rejected' || rNoId.kind !== 'rejected') throw new Error('not rejected');
    expect(r.rejection.eventId).toBe(eventIdFrom('rejected', rj.decisionId));
    expect(rNoId.rejection).toEqual({ ...r.rejection, eventId: '', decisionId: '' });
    expect(Object.keys(rNoId.rejection)).toEqual(Object.keys(r.rejection));
    const res = decideRisk(req({ limits: { dailyLossLimitPct: '1' }, portfolio: { equity: '9000' }, state: { ...initialRiskState(), day: { start: utcDayStart(T), startEquity: '10000' } } }));
    for (const al of res.alerts) expect(validate(riskAlertsV1, toAlertEvent(al, 1, { exchange: 'binance' })).ok).toBe(true);
  });

  it('every intent gets exactly one outcome, deterministically', () => {
    const targets = ['long', 'flat', 'short'] as const;
    const positions = ['0', '0.1', '-0.1'];
    let n = 0;
    for (const target of targets)
      for (const pos of positions)
        for (const shortable of [false, true])
          for (const engaged of [false, true]) {
            if (pos.startsWith('-') && !shortable) continue;
            const state = engaged ? applyRiskCommand(initialRiskState(), { sizing: { method: 'fixed-notional', notional: '1' } }, { kind: 'kill-switch-on', reason: 'x', actor: 'y', tsEvent: 0 }).state : initialRiskState();
            const r = req({ intent: { target }, market: { shortable }, portfolio: { positions: pos === '0' ? [] : [{ strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', quantity: pos, mark: '50000' }] }, state });
            const x = decideRisk(r);
            expect(['approval', 'rejection']).toContain(x.outcome.kind);
            expect(JSON.stringify(decideRisk(r))).toBe(JSON.stringify(x));
            // Under the kill switch only reducing exits pass.
            if (engaged && x.outcome.kind === 'approval') expect(x.outcome.reduceOnly).toBe(true);
            n++;
          }
    expect(n).toBe(30);
  });
});

describe('adapters', () => {
  it('builds MarketInfo from ccxt markets in both precision modes', () => {
    const tick = marketInfoFromCcxt('binance', { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', precision: { amount: 0.00001, price: 0.01 }, limits: { amount: { min: 0.00001, max: 9000 }, cost: { min: 5 } }, maker: 0.001, taker: 0.001 }, 'tick-size');
    expect(tick).toMatchObject({ amountStep: '0.00001', priceTick: '0.01', minAmount: '0.00001', maxAmount: '9000', minCost: '5', makerFee: '0.001', shortable: false });
    const places = marketInfoFromCcxt('kraken', { symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', precision: { amount: 4, price: 2 } }, 'decimal-places');
    expect(places).toMatchObject({ amountStep: '0.0001', priceTick: '0.01', makerFee: '0.001' });
    expect(stepFromPlaces(0)).toBe('1');
    const spec = marketInfoFromPlaces('binance', { symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountPlaces: 5, quotePlaces: 8, pricePlaces: 2 }, { minCost: '5' });
    expect(spec).toEqual({ exchange: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', amountStep: '0.00001', priceTick: '0.01', minCost: '5', makerFee: '0.001', takerFee: '0.001', shortable: false });
  });

  it('reads a Portfolio as its risk view', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    p.applyFill({ fillId: 'f:0', exchange: 'binance', symbol: 'BTC/USDT', strategyId: 's1', side: 'buy', price: '50000', quantity: '0.1', fee: '5', feeCurrency: 'USDT', tsEvent: T - H });
    p.mark({ exchange: 'binance', symbol: 'BTC/USDT' }, 51000, T);
    const v = portfolioView(p);
    // equity and cash are the portfolio's own Decs (printed only where an output needs them)
    expect(v.equity).toBe(p.equity());
    expect(v.cash).toBe(p.cash());
    const asStrings = { ...v, equity: decToString(p.equity()), cash: decToString(p.cash()) };
    expect(asStrings).toEqual({ equity: '10095', cash: '4995', positions: [{ strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', quantity: '0.1', mark: '51000' }], openOrders: [] });
    expect(rejected(decideRisk({ ...req({}), portfolio: v })).code).toBe('ALREADY_IN_POSITION');
    // a view of Decs decides as the same view in strings: approvals, rejections (their texts included) and state
    const flatP = new Portfolio({ account: 'paper', initialCash: '123.45', timeframe: '1h' });
    for (const limits of [{}, { maxPositionNotional: '50' }, { sizing: { method: 'fixed-notional' as const, notional: '500' } }]) {
      for (const target of ['long', 'short'] as const) {
        const viaDec = decideRisk({ ...req({ limits, intent: { target } }), portfolio: portfolioView(flatP) });
        const viaStr = decideRisk({ ...req({ limits, intent: { target } }), portfolio: { ...portfolioView(flatP), equity: '123.45', cash: '123.45' } });
        expect(viaDec).toEqual(viaStr);
      }
    }
    // no cash left: the rejection prints the cash
    const broke = decideRisk({ ...req({}), portfolio: { equity: new Dec('100'), cash: new Dec('-5.50'), positions: [] } });
    expect(broke).toEqual(decideRisk({ ...req({}), portfolio: { equity: '100', cash: '-5.5', positions: [] } }));
    expect(rejected(broke)).toMatchObject({ code: 'INSUFFICIENT_CASH', reason: expect.stringContaining('cash -5.5 - open buys 0') });
  });
});
