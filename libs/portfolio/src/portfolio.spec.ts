import { Dec, decToString } from '@atp/core';
import { pnlV1, validate } from '@atp/contracts';
import { pnlEvent, Portfolio, PortfolioError, type PortfolioFill } from './index';
import { mulberry32 as rng } from '@atp/testing';

const H = 3_600_000;
const BTC = { exchange: 'binance', symbol: 'BTC/USDT' };
const ETH = { exchange: 'binance', symbol: 'ETH/USDT' };

function fill(over: Partial<PortfolioFill> & Pick<PortfolioFill, 'fillId' | 'side' | 'price' | 'quantity' | 'fee' | 'tsEvent'>): PortfolioFill {
  return { ...BTC, strategyId: 's1', feeCurrency: 'USDT', ...over };
}

/** The P&L identity, exactly, by the two independent paths and against the ledger's last entry. */
function expectIdentity(p: Portfolio, strategyId = '*'): void {
  const s = p.pnl(strategyId);
  const viaParts = new Dec(s.initialCash).plus(s.realized).plus(s.unrealized).minus(s.fees);
  expect(decToString(viaParts)).toBe(s.equity);
  expect(decToString(p.cashPlusMarketValue(strategyId))).toBe(s.equity);
  expect(p.audit()).toEqual([]);
}

describe('Portfolio: FIFO long, hand-computed', () => {
  // Every number below is worked out by hand in the comments (exact decimal arithmetic).
  const f1 = fill({ fillId: 'a:0', side: 'buy', price: '30000', quantity: '0.1', fee: '3', tsEvent: H });
  const f2 = fill({ fillId: 'b:0', side: 'buy', price: '30600', quantity: '0.2', fee: '6.12', tsEvent: 2 * H });
  const f3 = fill({ fillId: 'c:0', side: 'sell', price: '33000', quantity: '0.15', fee: '4.95', tsEvent: 4 * H });
  // Fee paid in the base asset: 0.00015 BTC x 29000 = 4.35 USDT.
  const f4 = fill({ fillId: 'd:0', side: 'sell', price: '29000', quantity: '0.15', fee: '0.00015', feeCurrency: 'BTC', tsEvent: 6 * H });

  it('books buys, marks, FIFO sells and a base-asset fee, with the identity exact at every step', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });

    p.applyFill(f1);
    // cash = 10000 - 0.1*30000 - 3 = 6997; equity = 10000 + 0 + 0 - 3 = 9997
    expect(p.pnl()).toMatchObject({ cash: '6997', realized: '0', unrealized: '0', fees: '3', equity: '9997' });
    expectIdentity(p);

    p.applyFill(f2);
    // cash = 6997 - 6120 - 6.12 = 870.88; unrealized at 30600 = 0.1*(30600-30000) = 60
    // equity = 10000 + 60 - 9.12 = 10050.88; avg = (3000 + 6120) / 0.3 = 30400
    expect(p.pnl()).toMatchObject({ cash: '870.88', realized: '0', unrealized: '60', fees: '9.12', equity: '10050.88' });
    expect(p.position('s1', BTC)).toMatchObject({ quantity: '0.3', avgPrice: '30400', mark: '30600', unrealized: '60' });
    expectIdentity(p);

    expect(p.mark(BTC, '32000', 3 * H)).toBe(true);
    // unrealized = 0.1*2000 + 0.2*1400 = 480; equity = 10000 + 480 - 9.12 = 10470.88
    expect(p.pnl()).toMatchObject({ unrealized: '480', equity: '10470.88' });
    expectIdentity(p);

    const r3 = p.applyFill(f3);
    // FIFO: 0.1 of lot@30000 -> +300, 0.05 of lot@30600 -> +120: realized 420
    // cash = 870.88 + 4950 - 4.95 = 5815.93; left 0.15@30600 marked at 33000 -> 360
    // equity = 10000 + 420 + 360 - 14.07 = 10765.93
    expect(r3).toMatchObject({ status: 'applied', realized: '420', feeQuote: '4.95', closedRoundTrips: [] });
    expect(p.pnl()).toMatchObject({ cash: '5815.93', realized: '420', unrealized: '360', fees: '14.07', equity: '10765.93' });
    expect(p.position('s1', BTC)).toMatchObject({ quantity: '0.15', avgPrice: '30600' });
    expectIdentity(p);

    const r4 = p.applyFill(f4);
    // 0.15*(29000-30600) = -240 -> realized 180; cash = 5815.93 + 4350 - 4.35 = 10161.58
    // equity = 10000 + 180 + 0 - 18.42 = 10161.58 (= cash, flat)
    expect(r4).toMatchObject({ status: 'applied', realized: '-240', feeQuote: '4.35' });
    expect(p.pnl()).toMatchObject({ cash: '10161.58', realized: '180', unrealized: '0', fees: '18.42', equity: '10161.58', positions: [] });
    expectIdentity(p);

    // avgEntry 9120/0.3 = 30400, avgExit (4950+4350)/0.3 = 31000, gross (31000-30400)*0.3 = 180
    expect(p.roundTrips()).toEqual([
      {
        strategyId: 's1', exchange: 'binance', symbol: 'BTC/USDT', side: 'long', entryTime: H, exitTime: 6 * H,
        quantity: '0.3', avgEntry: '30400', avgExit: '31000', grossPnl: '180', fees: '18.42', netPnl: '161.58', barsHeld: 5, fills: 4,
      },
    ]);
    expect(r4.status === 'applied' && r4.closedRoundTrips.length).toBe(1);

    const curve = p.equityCurve();
    expect(Array.from(curve.times)).toEqual([H, 2 * H, 3 * H, 4 * H, 6 * H]);
    expect(Array.from(curve.equity)).toEqual([9997, 10050.88, 10470.88, 10765.93, 10161.58]);
    expect(Array.from(curve.exposed)).toEqual([1, 1, 1, 1, 1]);
    expect(p.ledger().map((l) => l.equity)).toEqual(['9997', '10050.88', '10765.93', '10161.58']);
    expect(decToString(p.tradedNotional())).toBe('18420'); // 3000 + 6120 + 4950 + 4350
  });

  it('prints the ledger canonically whatever strings the fills carry (canonical ones given back as they are), and bookFill books as applyFill does', () => {
    const fills = [
      fill({ fillId: 'n:0', side: 'buy', price: '030000.500', quantity: '0.10', fee: '3.00', tsEvent: H }),
      fill({ fillId: 'n:1', side: 'buy', price: '30600', quantity: '0.2', fee: '0', tsEvent: 2 * H }),
      fill({ fillId: 'n:2', side: 'sell', price: '33000.25', quantity: '0.3', fee: '-0.5', tsEvent: 3 * H }), // a rebate
      fill({ fillId: 'n:3', side: 'buy', price: '29000', quantity: '0.15', fee: '0.000150', feeCurrency: 'BTC', tsEvent: 4 * H }),
    ];
    const a = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    const b = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    for (const f of fills) {
      const r = a.applyFill(f);
      const o = b.bookFill(f);
      expect(o).toBeDefined();
      expect(r).toMatchObject({ status: 'applied', realized: decToString(o!.realized) });
    }
    expect(b.bookFill(fills[0]!)).toBeUndefined(); // a duplicate
    expect(b.ledger()).toEqual(a.ledger());
    const ledger = a.ledger();
    expect(ledger.map((l) => [l.quantity, l.price, l.feeQuote])).toEqual([
      ['0.1', '30000.5', '3'],
      ['0.2', '30600', '0'],
      ['0.3', '33000.25', '-0.5'],
      ['0.15', '29000', '4.35'], // 0.00015 BTC at 29000
    ]);
    for (const l of ledger) for (const v of [l.quantity, l.price, l.feeQuote, l.cash, l.equity]) expect(decToString(new Dec(v))).toBe(v);
    expect(b.pnl()).toEqual(a.pnl());
  });

  it('ledger values too long for a float64 coefficient (kept as Decs until read) print as the exact values do', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000.000000000000000001', timeframe: '1h' });
    p.applyFill(fill({ fillId: 'l:0', side: 'buy', price: '12345.6789012345678', quantity: '0.123456789012345678', fee: '1.524157875323883', tsEvent: H }));
    p.applyFill(fill({ fillId: 'l:1', side: 'sell', price: '12400.1', quantity: '0.1', fee: '1.24001', tsEvent: 2 * H }));
    const s = p.pnl();
    const last = p.ledger()[1]!;
    expect([last.cash, last.realized, last.unrealized, last.fees, last.equity]).toEqual([s.cash, s.realized, s.unrealized, s.fees, s.equity]);
    expect(s.cash.replace(/[-.]/g, '').length).toBeGreaterThan(16); // (beyond 2^53: the Dec path)
    expect(p.ledger()[0]!.realizedDelta).toBe('0');
    expect(p.ledger()[1]!.realizedDelta).toBe(decToString(new Dec('12400.1').minus('12345.6789012345678').mul('0.1')));
    expectIdentity(p);
  });

  it('ignores and reports a repeated fill id', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    p.applyFill(f1);
    const before = JSON.stringify(p.toState());
    expect(p.applyFill({ ...f1, price: '1' })).toEqual({ status: 'duplicate', fillId: 'a:0' });
    expect(p.duplicateFills()).toBe(1);
    const after = p.toState();
    expect(after.duplicateFills).toBe(1);
    expect(JSON.stringify({ ...after, duplicateFills: 0 })).toBe(before);
  });

  it('ignores marks older than the last one', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    p.applyFill(f1);
    expect(p.mark(BTC, '31000', 2 * H)).toBe(true);
    expect(p.mark(BTC, '1', 2 * H - 1)).toBe(false);
    expect(p.pnl().unrealized).toBe('100');
  });
});

describe('Portfolio: shorts, flips and refusals', () => {
  it('sells short on a shortable instrument and flips to long through zero, splitting the fee', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h', shortable: ['binance:ETH/USDT'] });
    p.applyFill(fill({ ...ETH, fillId: 'e:0', side: 'sell', price: '2000', quantity: '1', fee: '2', tsEvent: H }));
    p.mark(ETH, 1900, 2 * H);
    // cash = 10000 + 2000 - 2 = 11998; unrealized = (2000-1900)*1 = 100; MV = -1900
    // equity = 10000 + 100 - 2 = 10098 = 11998 - 1900
    expect(p.pnl()).toMatchObject({ cash: '11998', unrealized: '100', equity: '10098' });
    expect(p.position('s1', ETH)).toMatchObject({ quantity: '-1', avgPrice: '2000', unrealized: '100' });
    expectIdentity(p);

    p.applyFill(fill({ ...ETH, fillId: 'f:0', side: 'buy', price: '1800', quantity: '3', fee: '5.4', tsEvent: 3 * H }));
    // closes the short: (2000-1800)*1 = +200; opens long 2@1800. Fee 5.4 split 1/3 : 2/3 = 1.8 : 3.6
    // cash = 11998 - 5400 - 5.4 = 6592.6; equity = 10000 + 200 + 0 - 7.4 = 10192.6 = 6592.6 + 2*1800
    expect(p.pnl()).toMatchObject({ cash: '6592.6', realized: '200', unrealized: '0', fees: '7.4', equity: '10192.6' });
    expect(p.position('s1', ETH)).toMatchObject({ quantity: '2', avgPrice: '1800' });
    expectIdentity(p);
    expect(p.roundTrips()).toEqual([
      {
        strategyId: 's1', exchange: 'binance', symbol: 'ETH/USDT', side: 'short', entryTime: H, exitTime: 3 * H,
        quantity: '1', avgEntry: '2000', avgExit: '1800', grossPnl: '200', fees: '3.8', netPnl: '196.2', barsHeld: 2, fills: 2,
      },
    ]);

    p.applyFill(fill({ ...ETH, fillId: 'g:0', side: 'sell', price: '1850', quantity: '2', fee: '3.7', tsEvent: 5 * H }));
    // long trade: entry 2@1800 (fee share 3.6), exit 2@1850 (fee 3.7): gross 100, fees 7.3, net 92.7
    expect(p.roundTrips()[1]).toMatchObject({ side: 'long', quantity: '2', avgEntry: '1800', avgExit: '1850', grossPnl: '100', fees: '7.3', netPnl: '92.7', barsHeld: 2 });
    const sumFees = p.roundTrips().reduce((a, t) => a.plus(t.fees), new Dec(0));
    expect(decToString(sumFees)).toBe(p.pnl().fees);
    expectIdentity(p);
  });

  it('refuses a sell below zero on a long-only instrument and leaves the state unchanged', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    p.applyFill(fill({ fillId: 'a:0', side: 'buy', price: '100', quantity: '1', fee: '0.1', tsEvent: H }));
    const before = JSON.stringify(p.toState());
    expect(() => p.applyFill(fill({ fillId: 'b:0', side: 'sell', price: '100', quantity: '1.5', fee: '0.1', tsEvent: 2 * H }))).toThrow(PortfolioError);
    expect(() => p.applyFill(fill({ fillId: 'b:0', side: 'sell', price: '100', quantity: '1.5', fee: '0.1', tsEvent: 2 * H }))).toThrow(/SHORT_NOT_ALLOWED/);
    expect(JSON.stringify(p.toState())).toBe(before);
    expect(p.hasFill('b:0')).toBe(false);
  });

  it('refuses malformed fills, other quote currencies and unconvertible fees', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    const ok = { fillId: 'x:0', side: 'buy' as const, price: '100', quantity: '1', fee: '0.1', tsEvent: H };
    expect(() => p.applyFill(fill({ ...ok, price: '0' }))).toThrow(/BAD_FILL/);
    expect(() => p.applyFill(fill({ ...ok, quantity: '-1' }))).toThrow(/BAD_FILL/);
    expect(() => p.applyFill(fill({ ...ok, price: '1e3' }))).toThrow(/BAD_FILL/);
    expect(() => p.applyFill(fill({ ...ok, symbol: 'BTC/EUR' }))).toThrow(/QUOTE_MISMATCH/);
    expect(() => p.applyFill(fill({ ...ok, feeCurrency: 'BNB', fee: '0.001' }))).toThrow(/FEE_CURRENCY/);
    expect(p.toState().fillIds).toEqual([]);
  });

  it('converts a fee in a third asset at its last mark against the quote currency', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '10000', timeframe: '1h' });
    p.mark({ exchange: 'binance', symbol: 'BNB/USDT' }, '600', H);
    const r = p.applyFill(fill({ fillId: 'x:0', side: 'buy', price: '100', quantity: '1', fee: '0.0001', feeCurrency: 'BNB', tsEvent: H }));
    expect(r).toMatchObject({ feeQuote: '0.06' });
    expect(p.pnl().fees).toBe('0.06');
  });
});

describe('Portfolio: per-strategy P&L and the equity curve', () => {
  it('keeps strategies apart and sums them into the account', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '1000', timeframe: '1h' });
    p.applyFill(fill({ fillId: 'a:0', strategyId: 's1', side: 'buy', price: '10', quantity: '2', fee: '0.02', tsEvent: H }));
    p.applyFill(fill({ fillId: 'b:0', strategyId: 's2', side: 'buy', price: '12', quantity: '1', fee: '0.012', tsEvent: 2 * H }));
    p.mark(BTC, '11', 3 * H);
    // s1: 2*(11-10) = 2 - 0.02 = 1.98; s2: 1*(11-12) = -1 - 0.012 = -1.012; account: 1000 + 1 - 0.032 = 1000.968
    expect(p.pnl('s1')).toMatchObject({ initialCash: '0', cash: '-20.02', unrealized: '2', equity: '1.98' });
    expect(p.pnl('s2')).toMatchObject({ cash: '-12.012', unrealized: '-1', equity: '-1.012' });
    expect(p.pnl()).toMatchObject({ equity: '1000.968' });
    expectIdentity(p, 's1');
    expectIdentity(p, 's2');
    expect(decToString(p.quantity(BTC))).toBe('3');
    expect(decToString(p.quantity(BTC, 's2'))).toBe('1');
    expect(decToString(p.grossExposure())).toBe('33');
    expect(p.positions().map((x) => x.strategyId)).toEqual(['s1', 's2']);
  });

  it('keys curve points by bar close, updates within a bar and flags exposure during the bar', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '1000', timeframe: '1h' });
    p.mark(BTC, '10', H); // bar closing at 1h, flat
    p.mark(BTC, '10', 2 * H); // flat
    p.applyFill(fill({ fillId: 'a:0', side: 'buy', price: '10', quantity: '1', fee: '0', tsEvent: 2 * H + 1 })); // inside the bar closing at 3h
    p.applyFill(fill({ fillId: 'b:0', side: 'sell', price: '11', quantity: '1', fee: '0', tsEvent: 2 * H + 2 })); // flat again in the same bar
    p.mark(BTC, '12', 3 * H);
    p.mark(BTC, '12', 4 * H);
    const c = p.equityCurve();
    expect(Array.from(c.times)).toEqual([H, 2 * H, 3 * H, 4 * H]);
    expect(Array.from(c.equity)).toEqual([1000, 1000, 1001, 1001]);
    expect(Array.from(c.exposed)).toEqual([0, 0, 1, 0]);
  });
});

describe('Portfolio: randomized accounting invariants and restart', () => {
  type Ev = { kind: 'fill'; f: PortfolioFill } | { kind: 'mark'; i: typeof BTC; price: string; t: number };

  function scenario(seed: number, n: number): Ev[] {
    const r = rng(seed);
    const held = new Map<string, Dec>();
    const evs: Ev[] = [];
    const px = { [BTC.symbol]: 30000, [ETH.symbol]: 2000 };
    for (let k = 0; k < n; k++) {
      const t = (k + 1) * H;
      const inst = r() < 0.5 ? BTC : ETH;
      const strategyId = r() < 0.5 ? 's1' : 's2';
      px[inst.symbol] = Math.round(px[inst.symbol]! * (1 + (r() - 0.5) * 0.04) * 100) / 100;
      const price = px[inst.symbol]!.toFixed(2);
      if (r() < 0.3) {
        evs.push({ kind: 'mark', i: inst, price, t });
        continue;
      }
      const key = `${strategyId}|${inst.symbol}`;
      const h = held.get(key) ?? new Dec(0);
      let side: 'buy' | 'sell' = r() < 0.5 ? 'buy' : 'sell';
      let qty = new Dec(Math.floor(r() * 1000) + 1).div(1000);
      if (inst === BTC && side === 'sell') {
        if (h.lte(0)) side = 'buy';
        else qty = Dec.min(qty, h); // BTC is long-only
      }
      const signed = side === 'buy' ? qty : qty.neg();
      held.set(key, h.plus(signed));
      const fee = qty.mul(price).mul('0.001').toDecimalPlaces(8, Dec.ROUND_HALF_UP);
      evs.push({ kind: 'fill', f: { ...inst, strategyId, fillId: `f${k}:0`, side, price, quantity: decToString(qty), fee: decToString(fee), feeCurrency: 'USDT', tsEvent: t } });
    }
    return evs;
  }

  function run(p: Portfolio, evs: Ev[], check: boolean): void {
    for (const e of evs) {
      if (e.kind === 'mark') {
        p.mark(e.i, e.price, e.t);
        if (check) expect(p.audit()).toEqual([]);
      }
      else {
        expect(p.applyFill(e.f).status).toBe('applied');
        if (check) {
          expectIdentity(p);
          expectIdentity(p, 's1');
          expectIdentity(p, 's2');
          expect(p.ledger()[p.ledger().length - 1]!.equity).toBe(p.pnl().equity);
        }
      }
    }
  }

  it.each([1, 2, 3])('keeps equity = initial + realized + unrealized - fees exactly at every fill (seed %i)', (seed) => {
    const evs = scenario(seed, 400);
    const p = new Portfolio({ account: 'paper', initialCash: '100000', timeframe: '1h', shortable: ['binance:ETH/USDT'] });
    run(p, evs, true);
    // Strategies add up to the account.
    const a = p.pnl();
    const s = [p.pnl('s1'), p.pnl('s2')];
    for (const k of ['realized', 'unrealized', 'fees', 'cash'] as const) {
      const sum = s.reduce((x, y) => x.plus(y[k]), new Dec(0));
      expect(decToString(k === 'cash' ? sum.plus(a.initialCash) : sum)).toBe(a[k]);
    }
    // Flatten everything at the marks: then the round trips add up to the account exactly.
    let k = 0;
    for (const pos of p.positions()) {
      const q = new Dec(pos.quantity);
      p.applyFill({ ...pos, fillId: `flat${k++}:0`, side: q.gt(0) ? 'sell' : 'buy', price: pos.mark, quantity: decToString(q.abs()), fee: '0', feeCurrency: 'USDT', tsEvent: 401 * H });
      expectIdentity(p);
    }
    expect(p.positions()).toEqual([]);
    const end = p.pnl();
    const sum = (f: 'grossPnl' | 'fees' | 'netPnl') => decToString(p.roundTrips().reduce((x, t) => x.plus(t[f]), new Dec(0)));
    expect(sum('grossPnl')).toBe(end.realized);
    expect(sum('fees')).toBe(end.fees);
    expect(decToString(new Dec(sum('netPnl')).plus(end.initialCash))).toBe(end.equity);
    expect(p.roundTrips().length).toBeGreaterThan(5);
  });

  it('without history (risk\'s projection) books and marks as the full portfolio does, and refuses to read history', () => {
    const cfg = { account: 'paper', initialCash: '100000', timeframe: '1h' as const, shortable: ['binance:ETH/USDT'] };
    const full = new Portfolio(cfg);
    const bare = new Portfolio({ ...cfg, history: false });
    let closes = 0;
    for (const e of scenario(11, 400)) {
      if (e.kind === 'mark') {
        expect(bare.mark(e.i, e.price, e.t)).toBe(full.mark(e.i, e.price, e.t));
      } else {
        const a = full.applyFill(e.f);
        const b = bare.applyFill(e.f);
        // the same result, without the round trips it closed
        expect(b).toEqual({ ...a, ...(a.status === 'applied' ? { closedRoundTrips: [] } : {}) });
        if (a.status === 'applied') closes += a.closedRoundTrips.length;
      }
      expect(bare.pnl()).toEqual(full.pnl());
      // (positionMarks is kept until the next fill or mark: against positions(), made afresh)
      const marks = full.positions().map((x) => ({ strategyId: x.strategyId, exchange: x.exchange, symbol: x.symbol, quantity: x.quantity, mark: x.mark }));
      expect(bare.positionMarks()).toEqual(marks);
      expect(full.positionMarks()).toEqual(marks);
      expect(decToString(bare.quantity(ETH, 's2'))).toBe(decToString(full.quantity(ETH, 's2')));
      expect(bare.audit()).toEqual([]);
    }
    expect(closes).toBeGreaterThan(5);
    for (const read of [() => bare.ledger(), () => bare.roundTrips(), () => bare.equityCurve(), () => bare.toState()]) {
      expect(read).toThrow(expect.objectContaining({ code: 'NO_HISTORY' }) as Error);
    }
  });

  it('resumes from JSON state exactly as if never stopped, and stays idempotent across the restart', () => {
    const evs = scenario(7, 300);
    const cfg = { account: 'paper', initialCash: '100000', timeframe: '1h' as const, shortable: ['binance:ETH/USDT'] };
    const whole = new Portfolio(cfg);
    run(whole, evs, false);

    const first = new Portfolio(cfg);
    run(first, evs.slice(0, 150), false);
    const resumed = Portfolio.fromState(JSON.parse(JSON.stringify(first.toState())));
    // A restarted consumer sees the last few fills again (uncommitted offsets): all ignored.
    for (const e of evs.slice(140, 150)) if (e.kind === 'fill') expect(resumed.applyFill(e.f).status).toBe('duplicate');
    run(resumed, evs.slice(150), false);

    const a = whole.toState();
    const b = resumed.toState();
    expect(b.duplicateFills).toBeGreaterThan(0);
    expect({ ...b, duplicateFills: 0 }).toEqual(a);
    expect(resumed.pnl()).toEqual(whole.pnl());
    expect(resumed.audit()).toEqual([]);
  });

  it('refuses a state of another version', () => {
    expect(() => Portfolio.fromState({ version: 2 } as never)).toThrow(/BAD_STATE/);
  });
});

describe('pnl.v1 events', () => {
  it('produces schema-valid account and strategy snapshots, netting the account per instrument', () => {
    const p = new Portfolio({ account: 'paper', initialCash: '1000', timeframe: '1h' });
    p.applyFill(fill({ fillId: 'a:0', strategyId: 's1', side: 'buy', price: '10', quantity: '2', fee: '0', tsEvent: H }));
    p.applyFill(fill({ fillId: 'b:0', strategyId: 's2', side: 'buy', price: '13', quantity: '1', fee: '0', tsEvent: H }));
    p.mark(BTC, '12', 2 * H);
    const acct = pnlEvent(p, { runId: 'r', tsEvent: 2 * H, tsInit: 5 });
    expect(validate(pnlV1, acct)).toMatchObject({ ok: true });
    // net 3 BTC, unrealized 2*(12-10) + (12-13) = 3, break-even 12 - 3/3 = 11 = (20 + 13) / 3
    expect(acct.positions).toEqual([{ exchange: 'binance', symbol: 'BTC/USDT', quantity: '3', avgPrice: '11', mark: '12', unrealized: '3' }]);
    expect(acct).toMatchObject({ strategyId: '*', account: 'paper', equity: '1003', cash: '967' });
    const s2 = pnlEvent(p, { runId: 'r', strategyId: 's2', tsEvent: 2 * H, tsInit: 5 });
    expect(validate(pnlV1, s2).ok).toBe(true);
    expect(s2).toMatchObject({ equity: '-1', positions: [{ quantity: '1', avgPrice: '13', unrealized: '-1' }] });
    expect(s2.eventId).not.toBe(acct.eventId);
  });
});
