import { noop, type Decision } from '@atp/strategies';
import { DecisionLog } from './decision-log';

const strategy = { id: 's', version: '1.0.0+x', inputNames: ['close', 'fast'] as const };
const H = 3_600_000;

/** The same records pushed into a log that stores its times and into one on the bar open times. */
function pair(n: number, pushed: number): { stored: DecisionLog; onBars: DecisionLog; openTimes: Float64Array } {
  const openTimes = new Float64Array(n).map((_, i) => 1_700_000_000_000 + i * H + (i > 5 ? 7 * H : 0)); // a gap after bar 5
  const close = new Float64Array(n).map((_, i) => 100 + i);
  const stored = new DecisionLog(strategy, 'binance', 'BTC/USDT', '1h', n);
  const onBars = new DecisionLog(strategy, 'binance', 'BTC/USDT', '1h', n, { openTime: openTimes, close });
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
    expect(() => new DecisionLog(strategy, 'binance', 'BTC/USDT', '1h', 13, { openTime: openTimes, close: new Float64Array(13) })).toThrow(/12 bars for 13 records/);
  });
});

describe('DecisionLog inputs', () => {
  /** Seeded columns: the close, a constant (NaN, then not), -0 and 0, a close that later differs, values. */
  function columns(n: number, seed: number): { close: Float64Array; rows: number[][] } {
    let x = seed;
    const rnd = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const close = new Float64Array(n).map(() => 50 + Math.round(rnd() * 1e6) / 100);
    const change = Math.floor(rnd() * n);
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) {
      rows.push([
        close[i]!,
        i < change ? NaN : 1.5,
        i % 7 === 3 ? -0 : 0,
        i < change ? close[i]! : close[i]! + 1,
        rnd() < 0.1 ? NaN : rnd() * 100,
        7,
        i === n - 1 ? -Infinity : 7,
      ]);
    }
    return { close, rows };
  }
  const wide = { id: 'w', version: '1', inputNames: ['close', 'c', 'z', 'cc', 'v', 'k', 'last'] as const };

  it('reads back every pushed value bit for bit, with and without bars, mid-run and at the end', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const n of [1, 2, 40]) {
        const { close, rows } = columns(n, seed);
        const openTime = new Float64Array(n).map((_, i) => i * H);
        const logs = [new DecisionLog(wide, 'x', 'A/B', '1h', n), new DecisionLog(wide, 'x', 'A/B', '1h', n, { openTime, close })];
        for (const log of logs) {
          for (let i = 0; i < n; i++) {
            log.pushOf({ time: openTime[i]! + H, openTime: openTime[i]! }, noop('x'), Float64Array.from(rows[i]!));
            if (i === Math.floor(n / 2)) expect(Array.from(log.inputs.subarray(0, (i + 1) * 7))).toEqual(rows.slice(0, i + 1).flat());
          }
          const all = log.inputs;
          expect(all.length).toBe(n * 7);
          for (let i = 0; i < n; i++) {
            for (let k = 0; k < 7; k++) {
              expect(Object.is(log.inputAt(i, k), rows[i]![k])).toBe(true);
              expect(Object.is(all[i * 7 + k], rows[i]![k])).toBe(true);
            }
          }
          const evs = log.toEvents('r', () => 'c');
          expect(evs.map((e) => e.inputs)).toEqual(rows.map((r) => ({ close: r[0], c: Number.isFinite(r[1]) ? r[1] : null, z: r[2], cc: r[3], v: Number.isFinite(r[4]) ? r[4] : null, k: 7, last: Number.isFinite(r[6]) ? r[6] : null, reason: 'x' })));
        }
      }
    }
  });

  it('inputs of a partly filled log are zeros from count on', () => {
    const log = new DecisionLog(wide, 'x', 'A/B', '1h', 3);
    log.push(H, 0, noop('x'), new Float64Array([1, NaN, 2, 3, 4, 5, 6]));
    expect(Array.from(log.inputs)).toEqual([1, NaN, 2, 3, 4, 5, 6, ...new Array(14).fill(0)]);
  });
});
