import { noop, type Decision } from '@atp/strategies';
import { DecisionLog } from './decision-log';

const strategy = { id: 's', version: '1.0.0+x', inputNames: ['close', 'fast'] as const };
const H = 3_600_000;

/** The same records pushed into a log that stores its times and into one on the bar open times. */
function pair(n: number, pushed: number): { stored: DecisionLog; onBars: DecisionLog; openTimes: Float64Array } {
  const openTimes = new Float64Array(n).map((_, i) => 1_700_000_000_000 + i * H + (i > 5 ? 7 * H : 0)); // a gap after bar 5
  const stored = new DecisionLog(strategy, 'binance', 'BTC/USDT', '1h', n);
  const onBars = new DecisionLog(strategy, 'binance', 'BTC/USDT', '1h', n, openTimes);
  const inputs = new Float64Array(2);
  for (let i = 0; i < pushed; i++) {
    const d: Decision = i % 4 === 3 ? { kind: 'intent', intent: { target: 'long', entry: 'market', reason: `r${i}` } } : noop(i < 2 ? 'warm-up' : 'no cross');
    inputs[0] = 100 + i;
    inputs[1] = i < 2 ? NaN : 99.5 + i;
    const bar = { time: openTimes[i]! + H, openTime: openTimes[i]! };
    stored.pushOf(bar, d, inputs);
    onBars.pushOf(bar, d, inputs);
  }
  return { stored, onBars, openTimes };
}

describe('DecisionLog on bar open times', () => {
  it('has the times, records and events of a log that stores them (full and partly filled)', () => {
    for (const pushed of [12, 9, 0]) {
      const { stored, onBars } = pair(12, pushed);
      expect(onBars.count).toBe(pushed);
      expect(Array.from(onBars.times)).toEqual(Array.from(stored.times));
      expect(Array.from(onBars.openTimes)).toEqual(Array.from(stored.openTimes));
      expect(onBars.times[pushed - 1]).toBe(pushed > 0 ? stored.openTimes[pushed - 1]! + H : undefined);
      const cause = (t: number): string => `c${t}`;
      expect(onBars.toEvents('run', cause)).toEqual(stored.toEvents('run', cause));
      expect(onBars.toEvents('run', cause).map((e) => e.decisionTime)).toEqual(Array.from(stored.times.subarray(0, pushed)));
    }
  });

  it('keeps the times once read, and records pushed after the read', () => {
    const { stored, onBars, openTimes } = pair(12, 4);
    const early = onBars.times;
    const inputs = new Float64Array([1, 2]);
    for (let i = 4; i < 12; i++) {
      stored.pushOf({ time: openTimes[i]! + H, openTime: openTimes[i]! }, noop('x'), inputs);
      onBars.pushOf({ time: openTimes[i]! + H, openTime: openTimes[i]! }, noop('x'), inputs);
    }
    expect(onBars.times).toBe(early);
    expect(Array.from(onBars.times)).toEqual(Array.from(stored.times));
    expect(Array.from(onBars.openTimes)).toEqual(Array.from(stored.openTimes));
  });

  it('refuses a record that is not the next bar, recording nothing', () => {
    const { onBars, openTimes } = pair(12, 3);
    const inputs = new Float64Array(2);
    expect(() => onBars.pushOf({ time: openTimes[4]! + H, openTime: openTimes[4]! }, noop('x'), inputs)).toThrow(/record 3 is not bar 3/);
    expect(() => onBars.push(openTimes[3]! + 2 * H, openTimes[3]!, noop('x'), inputs)).toThrow(RangeError);
    expect(onBars.count).toBe(3);
    expect(() => new DecisionLog(strategy, 'binance', 'BTC/USDT', '1h', 13, openTimes)).toThrow(/12 bar open times for 13 records/);
  });
});
