import type { OrderSnapshot } from '@atp/execution';
import { balancesAfterFills, reconcileStates, type VenueOrder, type VenueTrade } from './reconcile';

const local = (over: Partial<OrderSnapshot> = {}): OrderSnapshot => ({
  clientOrderId: 'a', exchange: 'binance', symbol: 'BTC/USDT', strategyId: 's1', side: 'buy', type: 'limit', role: 'entry',
  status: 'acknowledged', quantity: '0.01', filledQuantity: '0', limitPrice: '49000', decisionTime: 1, ...over,
});
const venue = (over: Partial<VenueOrder> = {}): VenueOrder => ({
  venueOrderId: '1', clientOrderId: 'a', symbol: 'BTC/USDT', side: 'buy', status: 'acknowledged', quantity: '0.01', filledQuantity: '0', limitPrice: '49000', ...over,
});
const trade = (over: Partial<VenueTrade> = {}): VenueTrade => ({
  venueTradeId: '7', venueOrderId: '1', symbol: 'BTC/USDT', side: 'buy', price: '49000', quantity: '0.01', fee: '0.00001', feeCurrency: 'BTC', liquidity: 'maker', timestamp: 5, ...over,
});

describe('reconcileStates', () => {
  it('in sync: no drift (numeric comparison of decimal strings)', () => {
    expect(
      reconcileStates(
        { orders: [local({ filledQuantity: '0.0050' }), local({ clientOrderId: 'b', status: 'filled', filledQuantity: '0.01' })], balances: { BTC: '1.50', USDT: { free: '10', used: '5', total: '15' } } },
        {
          openOrders: [venue({ filledQuantity: '0.005', status: 'partially-filled' })],
          lookedUp: { b: venue({ venueOrderId: '2', clientOrderId: 'b', status: 'filled', filledQuantity: '0.01' }) },
          trades: [trade({ venueOrderId: '2' }), trade({ venueTradeId: '8', quantity: '0.005' })],
          balances: { BTC: { free: '1.5', used: '0', total: '1.5' }, USDT: { free: '15', used: '0', total: '15.000' } },
        },
      ),
    ).toEqual([]);
  });

  it('every kind of drift, in a fixed order, with exact differences', () => {
    const drifts = reconcileStates(
      {
        orders: [local(), local({ clientOrderId: 'c', status: 'partially-filled', filledQuantity: '0.004' }), local({ clientOrderId: 'd' })],
        balances: { BTC: '1', ETH: '2' },
      },
      {
        openOrders: [venue({ venueOrderId: '9', clientOrderId: 'x', side: 'sell', quantity: '0.1', limitPrice: '60000' }), venue()],
        lookedUp: { c: venue({ venueOrderId: '3', clientOrderId: 'c', status: 'cancelled', filledQuantity: '0.006' }), d: null },
        trades: [trade({ venueTradeId: '11', venueOrderId: '42', side: 'sell', quantity: '0.3', price: '50000', timestamp: 9 })],
        balances: { BTC: { free: '0.9', used: '0.1', total: '1' }, USDT: { free: '5', used: '0', total: '5' } },
      },
    );
    expect(drifts.map((d) => [d.kind, d.clientOrderId ?? d.asset ?? d.details.venueTradeId])).toEqual([
      ['unknown-venue-order', 'x'],
      ['missing-at-venue', 'c'],
      ['fill-missing-locally', 'c'],
      ['missing-at-venue', 'd'],
      ['unknown-venue-trade', '11'],
      ['balance-difference', 'ETH'],
      ['balance-difference', 'USDT'],
    ]);
    expect(drifts[2]!.details).toEqual({ venueOrderId: '3', localFilled: '0.004', venueFilled: '0.006', missing: '0.002', venueStatus: 'cancelled' });
    expect(drifts[3]!.message).toBe('local order d (acknowledged) is unknown at the venue');
    expect(drifts[5]!.details).toEqual({ asset: 'ETH', local: '2', venue: '0', difference: '-2' });
    expect(drifts[6]!.details).toEqual({ asset: 'USDT', local: '0', venue: '5', difference: '5' });
  });

  it('balances are compared only when both sides are given; new and terminal local orders are not "missing"', () => {
    expect(
      reconcileStates(
        { orders: [local({ status: 'new' }), local({ clientOrderId: 'e', status: 'cancelled' })] },
        { openOrders: [], lookedUp: { a: null, e: null }, trades: [], balances: { BTC: { free: '1', used: '0', total: '1' } } },
      ),
    ).toEqual([]);
  });

  it('balancesAfterFills: base and quote move with each fill, fees in their currency', () => {
    const f = (side: 'buy' | 'sell', price: string, quantity: string, fee: string, feeCurrency: string) =>
      ({ symbol: 'BTC/USDT', side, price, quantity, fee, feeCurrency }) as unknown as Parameters<typeof balancesAfterFills>[1][number];
    expect(balancesAfterFills({ USDT: '10000', BTC: '1' }, [f('buy', '50000', '0.002', '0.000002', 'BTC'), f('sell', '51000', '0.001', '0.051', 'USDT')])).toEqual({
      BTC: '1.000998', // 1 + 0.002 - 0.000002 - 0.001
      USDT: '9950.949', // 10000 - 100 + 51 - 0.051
    });
  });
});
