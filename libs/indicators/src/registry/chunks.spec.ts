// The kernels run chunk by chunk (`run(input, from, to, out)`): streaming uses
// chunks of one input, batch one chunk of the whole series, `seed` a chunk of
// history. Any split into chunks must give the one-shot result bit for bit —
// this exercises the ring/array seams with chunk sizes around the window length.
import { mulberry32, randomSeries } from '../../test-support';
import { Atr } from '../atr/atr';
import { BBands } from '../bbands/bbands';
import { Cci } from '../cci/cci';
import { HighLowWindow } from '../core/high-low-window';
import { Dmi } from '../dmi/dmi';
import { Donchian } from '../donchian/donchian';
import { Ema } from '../ema/ema';
import { Macd } from '../macd/macd';
import { Roc } from '../roc/roc';
import { Rsi } from '../rsi/rsi';
import { Sma } from '../sma/sma';
import { StdDev } from '../stddev/stddev';
import { Stoch } from '../stoch/stoch';
import { StochF } from '../stochf/stochf';
import { Wma } from '../wma/wma';
import { ZScore } from '../zscore/zscore';

const N = 600;
const s = randomSeries(N, 17);

/** Splits [0, N) into chunks of random sizes 1..maxChunk. */
function chunks(seed: number, maxChunk: number): [number, number][] {
  const rnd = mulberry32(seed);
  const out: [number, number][] = [];
  for (let from = 0; from < N; ) {
    const to = Math.min(N, from + 1 + Math.floor(rnd() * maxChunk));
    out.push([from, to]);
    from = to;
  }
  return out;
}

type Outs = Float64Array[];
type Runner = (from: number, to: number, out: Outs) => void;
const cases: [string, number, () => Runner][] = [
  ['sma:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new Sma(7))],
  ['ema:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new Ema(7))],
  ['wma:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new Wma(7))],
  ['rsi:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new Rsi(7))],
  ['roc:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new Roc(7))],
  ['stddev:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new StdDev(7))],
  ['zscore:7', 1, () => ((x) => (f, t, o) => x.run(s.close, f, t, o[0]))(new ZScore(7))],
  ['high-low:7', 2, () => ((x) => (f, t, o) => x.run(s.high, s.low, f, t, o[0], o[1]))(new HighLowWindow(7))],
  ['bbands:7', 3, () => ((x) => (f, t, o) => x.run(s.close, f, t, { upper: o[0], middle: o[1], lower: o[2] }))(new BBands(7, 2))],
  ['macd:3:7:4', 3, () => ((x) => (f, t, o) => x.run(s.close, f, t, { macd: o[0], signal: o[1], hist: o[2] }))(new Macd(3, 7, 4))],
  ['atr:7', 1, () => ((x) => (f, t, o) => x.run(s.high, s.low, s.close, f, t, o[0]))(new Atr(7))],
  ['cci:7', 1, () => ((x) => (f, t, o) => x.run(s.high, s.low, s.close, f, t, o[0]))(new Cci(7))],
  ['stoch:7:3:3', 2, () => ((x) => (f, t, o) => x.run(s.high, s.low, s.close, f, t, { k: o[0], d: o[1] }))(new Stoch(7, 3, 3))],
  ['stochf:7:3', 2, () => ((x) => (f, t, o) => x.run(s.high, s.low, s.close, f, t, { k: o[0], d: o[1] }))(new StochF(7, 3))],
  ['dmi:7', 3, () => ((x) => (f, t, o) => x.run(s.high, s.low, s.close, f, t, { adx: o[0], plusDi: o[1], minusDi: o[2] }))(new Dmi(7))],
  ['donchian:7', 3, () => ((x) => (f, t, o) => x.run(s.high, s.low, f, t, { upper: o[0], middle: o[1], lower: o[2] }))(new Donchian(7))],
];

test.each(cases)('%s: any split into chunks equals the one-shot run', (_name, outputs, make) => {
  const whole = Array.from({ length: outputs }, () => new Float64Array(N));
  make()(0, N, whole);
  for (const [seed, maxChunk] of [
    [1, 3],
    [2, 8],
    [3, 20],
  ]) {
    const split = Array.from({ length: outputs }, () => new Float64Array(N));
    const run = make();
    for (const [f, t] of chunks(seed, maxChunk)) run(f, t, split);
    split.forEach((a, k) => {
      for (let i = 0; i < N; i++) if (!Object.is(a[i], whole[k][i])) throw new Error(`output ${k} bar ${i}: ${a[i]} vs ${whole[k][i]}`);
    });
  }
});
