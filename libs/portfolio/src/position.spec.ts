import { Dec, decToString, toDecimal } from '@atp/core';
import { PositionBook } from './position';
import { mulberry32 as rng } from '@atp/testing';

const H = 3_600_000;


/** Sign and value of a Dec, as decimal.js keeps them (-0 and 0 differ). */
const signed = (d: Dec) => [d.isNegative(), decToString(d)];

describe('PositionBook shortcuts give what the arithmetic gives', () => {
  it('a whole lot marked at its own price has the unrealized P&L of mark x qty - cost: +0 long, -0 short', () => {
    for (const side of ['buy', 'sell'] as const) {
      const b = new PositionBook('s1', 'binance', 'ETH/USDT', H);
      const qty = toDecimal('0.12345678');
      const price = toDecimal('2345.67');
      const notional = qty.mul(price);
      b.apply(side, qty, price, notional, toDecimal('0.28956789'), H);
      const viaArithmetic = (() => {
        const u = price.mul(b.openQty).minus(b.openCost);
        return side === 'sell' ? u.neg() : u;
      })();
      expect(signed(b.unrealized(price))).toEqual(signed(viaArithmetic));
      expect(signed(b.unrealized(price))).toEqual([side === 'sell', '0']);
      // another Dec of the same price: the arithmetic path, the same value
      expect(signed(b.unrealized(toDecimal('2345.670')))).toEqual(signed(viaArithmetic));
      // another price: (mark - price) x qty, sign-adjusted
      const up = toDecimal('2400');
      expect(decToString(b.unrealized(up))).toBe(decToString(up.minus(price).mul(qty).mul(side === 'sell' ? -1 : 1)));
    }
  });

  it('random fills (partial closes, whole lots, flips): open cost, realized, fees and cash flow equal their eager sums, read mid-way or only at the end (120 fills: the unread book folds its queue in bounded batches)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const lazy = new PositionBook('s1', 'binance', 'ETH/USDT', H);
      const peeked = new PositionBook('s1', 'binance', 'ETH/USDT', H);
      let fees = new Dec(0);
      let cashFlow = new Dec(0);
      let realized = new Dec(0);
      let px = 2000;
      for (let k = 0; k < 120; k++) {
        px = Math.round(px * (1 + (r() - 0.5) * 0.05) * 100) / 100;
        const side = r() < 0.5 ? 'buy' : 'sell';
        // sometimes exactly the open quantity (a whole close, through another Dec of the same value)
        const open = lazy.openQty;
        const closing = (lazy.direction === 'long' && side === 'sell') || (lazy.direction === 'short' && side === 'buy');
        const qty = closing && r() < 0.4 ? toDecimal(decToString(open)) : new Dec(Math.floor(r() * 5000) + 1).div(1000);
        const price = toDecimal(px);
        const notional = qty.mul(price);
        const fee = notional.mul('0.001').toDecimalPlaces(8, Dec.ROUND_HALF_UP);
        const outcome = lazy.apply(side, qty, price, notional, fee, (k + 1) * H);
        expect(signed(peeked.apply(side, qty, price, notional, fee, (k + 1) * H).realized)).toEqual(signed(outcome.realized));
        realized = realized.plus(outcome.realized);
        cashFlow = (side === 'buy' ? cashFlow.minus(notional) : cashFlow.plus(notional)).minus(fee);
        fees = fees.plus(fee);
        if (r() < 0.3) {
          expect(signed(peeked.fees)).toEqual(signed(fees));
          expect(signed(peeked.cashFlow)).toEqual(signed(cashFlow));
          expect(signed(peeked.realized)).toEqual(signed(realized));
        }
        // open quantity and cost against the lots, unrealized against the arithmetic
        const mark = toDecimal(Math.round(px * 1.01 * 100) / 100);
        const fromLots = lazy.recomputeFromLots(mark);
        expect([decToString(lazy.openQty), decToString(lazy.openCost)]).toEqual([decToString(fromLots.qty), decToString(fromLots.cost)]);
        expect(decToString(lazy.unrealized(price))).toBe(decToString(lazy.recomputeFromLots(price).unrealized));
        expect(decToString(lazy.unrealized(mark))).toBe(decToString(fromLots.unrealized));
      }
      expect(signed(lazy.fees)).toEqual(signed(fees));
      expect(signed(lazy.cashFlow)).toEqual(signed(cashFlow));
      expect(signed(lazy.realized)).toEqual(signed(realized));
      expect(lazy.toState()).toEqual(peeked.toState());
      // a restored book reads and keeps booking the same way
      const restored = PositionBook.fromState(JSON.parse(JSON.stringify(lazy.toState())) as ReturnType<PositionBook['toState']>, H);
      for (const b of [lazy, restored]) b.apply('buy', toDecimal('0.5'), toDecimal('1999.5'), toDecimal('999.75'), toDecimal('0.99975'), 999 * H);
      expect(restored.toState()).toEqual(lazy.toState());
    }
  });
});
