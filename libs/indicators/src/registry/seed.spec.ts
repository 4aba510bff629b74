// Seeding from history: `seed(history)` followed by `update` gives the batch values.
import { randomSeries } from '../../test-support';
import { Atr } from '../atr/atr';
import { BBands } from '../bbands/bbands';
import { Cci } from '../cci/cci';
import { Dmi } from '../dmi/dmi';
import { Donchian } from '../donchian/donchian';
import { Ema } from '../ema/ema';
import { Keltner } from '../keltner/keltner';
import { Macd } from '../macd/macd';
import { Obv } from '../obv/obv';
import { Roc } from '../roc/roc';
import { Rsi } from '../rsi/rsi';
import { Sma } from '../sma/sma';
import { StdDev } from '../stddev/stddev';
import { Stoch } from '../stoch/stoch';
import { StochF } from '../stochf/stochf';
import { Vwap } from '../vwap/vwap';
import { Wma } from '../wma/wma';
import { ZScore } from '../zscore/zscore';

const s = randomSeries(400, 5);
const H = 250;
const head = <T extends Float64Array>(a: T) => a.subarray(0, H) as T;
const bar = (i: number) => ({ openTime: s.openTime[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] });

type Streamer = { update(x: never): unknown };
const cases: [string, () => Streamer, () => Streamer, boolean][] = [
  ['Sma', () => new Sma(20).seed(head(s.close)), () => new Sma(20), true],
  ['Ema', () => new Ema(20).seed(head(s.close)), () => new Ema(20), true],
  ['Wma', () => new Wma(20).seed(head(s.close)), () => new Wma(20), true],
  ['Rsi', () => new Rsi(14).seed(head(s.close)), () => new Rsi(14), true],
  ['Roc', () => new Roc(10).seed(head(s.close)), () => new Roc(10), true],
  ['StdDev', () => new StdDev(20).seed(head(s.close)), () => new StdDev(20), true],
  ['ZScore', () => new ZScore(20).seed(head(s.close)), () => new ZScore(20), true],
  ['BBands', () => new BBands(20, 2).seed(head(s.close)), () => new BBands(20, 2), true],
  ['Macd', () => new Macd().seed(head(s.close)), () => new Macd(), true],
  ['Atr', () => new Atr(14).seed(head(s.high), head(s.low), head(s.close)), () => new Atr(14), false],
  ['Cci', () => new Cci(14).seed(head(s.high), head(s.low), head(s.close)), () => new Cci(14), false],
  ['Stoch', () => new Stoch().seed(head(s.high), head(s.low), head(s.close)), () => new Stoch(), false],
  ['StochF', () => new StochF().seed(head(s.high), head(s.low), head(s.close)), () => new StochF(), false],
  ['Dmi', () => new Dmi(14).seed(head(s.high), head(s.low), head(s.close)), () => new Dmi(14), false],
  ['Keltner', () => new Keltner().seed(head(s.high), head(s.low), head(s.close)), () => new Keltner(), false],
  ['Donchian', () => new Donchian(20).seed(head(s.high), head(s.low)), () => new Donchian(20), false],
  ['Obv', () => new Obv().seed(head(s.close), head(s.volume)), () => new Obv(), false],
  ['Vwap', () => new Vwap().seed(head(s.openTime), head(s.high), head(s.low), head(s.close), head(s.volume)), () => new Vwap(), false],
];

test.each(cases)('%s: seed(history) then update equals updating bar by bar', (_name, seeded, fresh, byClose) => {
  const a = seeded();
  const b = fresh();
  const feed = (x: Streamer, i: number) => x.update((byClose ? s.close[i] : bar(i)) as never);
  for (let i = 0; i < H; i++) feed(b, i);
  for (let i = H; i < s.close.length; i++) expect(feed(a, i)).toEqual(feed(b, i));
});
