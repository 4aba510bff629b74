import { canTransition, isTerminal, ORDER_STATUSES, transition } from './order-state';

describe('order state machine', () => {
  it('allows the venue lifecycle', () => {
    let s = transition('o1', 'new', 'acknowledged');
    s = transition('o1', s, 'partially-filled');
    s = transition('o1', s, 'partially-filled');
    s = transition('o1', s, 'cancel-requested');
    s = transition('o1', s, 'filled'); // a fill can race a cancel
    expect(s).toBe('filled');
    expect(transition('o2', 'new', 'rejected')).toBe('rejected');
    expect(transition('o3', 'acknowledged', 'expired')).toBe('expired');
  });
  it('throws a clear message on illegal transitions', () => {
    expect(() => transition('o1', 'filled', 'cancelled')).toThrow('order o1: illegal transition filled -> cancelled (filled is terminal)');
    expect(() => transition('o1', 'new', 'filled')).toThrow(/new -> filled \(from new only acknowledged, rejected, cancelled, expired\)/);
    expect(() => transition('o1', 'acknowledged', 'new')).toThrow(/illegal/);
  });
  it('has exactly four terminal states, none of which can move', () => {
    const terminal = ORDER_STATUSES.filter(isTerminal);
    expect(terminal).toEqual(['filled', 'cancelled', 'rejected', 'expired']);
    for (const a of terminal) for (const b of ORDER_STATUSES) expect(canTransition(a, b)).toBe(false);
  });
});
