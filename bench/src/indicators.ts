/**
 * Indicators bench: ns per bar of every indicator of @atp/indicators, batch and
 * streaming, side by side with
 *  - TA-Lib's C code through the Python `TA-Lib` wheel over NumPy arrays (only
 *    the talib call timed, best of several repeats) — the reference speed;
 *  - the npm `talib` addon (same C code; its JS<->C array conversion included);
 *  - the npm `technicalindicators` package (on a smaller series: it is slow).
 * Data: a synthetic random walk (deterministic seed), N = 1,000,000 bars.
 * Targets (issue 5): batch <= 2x TA-Lib C, >= 20x faster than
 * technicalindicators, streaming update < 100 ns per bar.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ind from '@atp/indicators';
import { mulberry32 } from '@atp/testing';
import { runPython } from './python';
import { printTable, type Cell } from './table';

const N = 1_000_000;
const N_TI = 100_000;
const SEED = 20240501;
const BATCH_REPEATS = 9;
const STREAM_REPEATS = 3;
const PY_REPEATS = 7;

interface Series {
  n: number;
  openTime: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Hourly random-walk candles starting at 30,000 (BTC-like), volume in [0, 100). */
function randomWalk(n: number, seed: number): Series {
  const rnd = mulberry32(seed); // seeded: every run benches the same bars
  const s: Series = {
    n,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let price = 30_000;
  const t0 = Date.UTC(2021, 0, 1);
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = open * (1 + (rnd() - 0.5) * 0.02);
    s.openTime[i] = t0 + i * 3_600_000;
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = Math.max(open, close) * (1 + rnd() * 0.005);
    s.low[i] = Math.min(open, close) * (1 - rnd() * 0.005);
    s.volume[i] = rnd() * 100;
    price = close;
  }
  return s;
}

function slice(s: Series, n: number): Series {
  return {
    n,
    openTime: s.openTime.subarray(0, n),
    open: s.open.subarray(0, n),
    high: s.high.subarray(0, n),
    low: s.low.subarray(0, n),
    close: s.close.subarray(0, n),
    volume: s.volume.subarray(0, n),
  };
}

/**
 * Best of `repeats` calls, in ns per bar, measured as this process's CPU time
 * (user + system, microsecond resolution): the bench machine is shared, and
 * wall time would also count the time other processes hold the cores.
 */
function bestNsPerBar(fn: () => unknown, bars: number, repeats: number): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.cpuUsage();
    fn();
    const dt = process.cpuUsage(t0);
    const ns = (dt.user + dt.system) * 1000;
    if (ns < best) best = ns;
  }
  return best / bars;
}

type Input = 'open' | 'high' | 'low' | 'close' | 'volume';

/** One TA-Lib call, named for both the Python wheel and the npm addon. */
interface TalibCall {
  fn: string;
  inputs: Input[];
  py?: Record<string, number>;
  npm?: Record<string, number>;
}

interface Case {
  name: string;
  /** our batch call, outputs preallocated (the allocation-free path) */
  batch: (s: Series, out: Float64Array[]) => void;
  outputs: number;
  /** runs the streaming form over the whole series, one update per bar (own loop: a monomorphic call site) */
  stream: (s: Series) => void;
  /** TA-Lib equivalent; `approx` marks a composite stand-in for an indicator TA-Lib lacks */
  talib?: { calls: TalibCall[]; approx?: string };
  ti?: { run: (s: Series) => unknown; approx?: string };
}

/** A fresh bar object per update, as a service decoding candles would hand in. */
function barAt(s: Series, i: number): ind.Bar {
  return { openTime: s.openTime[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
}

const ti = require('technicalindicators');
const npmTalib = require('talib') as { execute(a: Record<string, unknown>): unknown };

const arr = (a: Float64Array): number[] => Array.from(a);

const CASES: Case[] = [
  {
    name: 'sma:20',
    outputs: 1,
    batch: (s, o) => ind.sma(s.close, 20, o[0]),
    stream: (s) => {
      const x = new ind.Sma(20);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: { calls: [{ fn: 'SMA', inputs: ['close'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } }] },
    ti: { run: (s) => ti.SMA.calculate({ period: 20, values: arr(s.close) }) },
  },
  {
    name: 'ema:20',
    outputs: 1,
    batch: (s, o) => ind.ema(s.close, 20, o[0]),
    stream: (s) => {
      const x = new ind.Ema(20);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: { calls: [{ fn: 'EMA', inputs: ['close'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } }] },
    ti: { run: (s) => ti.EMA.calculate({ period: 20, values: arr(s.close) }) },
  },
  {
    name: 'wma:20',
    outputs: 1,
    batch: (s, o) => ind.wma(s.close, 20, o[0]),
    stream: (s) => {
      const x = new ind.Wma(20);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: { calls: [{ fn: 'WMA', inputs: ['close'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } }] },
    ti: { run: (s) => ti.WMA.calculate({ period: 20, values: arr(s.close) }) },
  },
  {
    name: 'rsi:14',
    outputs: 1,
    batch: (s, o) => ind.rsi(s.close, 14, o[0]),
    stream: (s) => {
      const x = new ind.Rsi(14);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: { calls: [{ fn: 'RSI', inputs: ['close'], py: { timeperiod: 14 }, npm: { optInTimePeriod: 14 } }] },
    ti: { run: (s) => ti.RSI.calculate({ period: 14, values: arr(s.close) }) },
  },
  {
    name: 'bbands:20:2',
    outputs: 3,
    batch: (s, o) => ind.bbands(s.close, 20, 2, 2, { upper: o[0], middle: o[1], lower: o[2] }),
    stream: (s) => {
      const x = new ind.BBands(20, 2, 2);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: {
      calls: [
        { fn: 'BBANDS', inputs: ['close'], py: { timeperiod: 20, nbdevup: 2, nbdevdn: 2, matype: 0 }, npm: { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 } },
      ],
    },
    ti: { run: (s) => ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: arr(s.close) }) },
  },
  {
    name: 'macd:12:26:9',
    outputs: 3,
    batch: (s, o) => ind.macd(s.close, 12, 26, 9, { macd: o[0], signal: o[1], hist: o[2] }),
    stream: (s) => {
      const x = new ind.Macd(12, 26, 9);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: {
      calls: [
        { fn: 'MACD', inputs: ['close'], py: { fastperiod: 12, slowperiod: 26, signalperiod: 9 }, npm: { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 } },
      ],
    },
    ti: {
      run: (s) => ti.MACD.calculate({ values: arr(s.close), fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
    },
  },
  {
    name: 'atr:14',
    outputs: 1,
    batch: (s, o) => ind.atr(s.high, s.low, s.close, 14, o[0]),
    stream: (s) => {
      const x = new ind.Atr(14);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: { calls: [{ fn: 'ATR', inputs: ['high', 'low', 'close'], py: { timeperiod: 14 }, npm: { optInTimePeriod: 14 } }] },
    ti: { run: (s) => ti.ATR.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), period: 14 }) },
  },
  {
    name: 'stoch:5:3:3',
    outputs: 2,
    batch: (s, o) => ind.stoch(s.high, s.low, s.close, 5, 3, 3, { k: o[0], d: o[1] }),
    stream: (s) => {
      const x = new ind.Stoch(5, 3, 3);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: {
      calls: [
        {
          fn: 'STOCH',
          inputs: ['high', 'low', 'close'],
          py: { fastk_period: 5, slowk_period: 3, slowk_matype: 0, slowd_period: 3, slowd_matype: 0 },
          npm: { optInFastK_Period: 5, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 },
        },
      ],
    },
    ti: {
      run: (s) => ti.Stochastic.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), period: 5, signalPeriod: 3 }),
      approx: 'Stochastic (fast %K/%D; no slow variant)',
    },
  },
  {
    name: 'stochf:5:3',
    outputs: 2,
    batch: (s, o) => ind.stochf(s.high, s.low, s.close, 5, 3, { k: o[0], d: o[1] }),
    stream: (s) => {
      const x = new ind.StochF(5, 3);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: {
      calls: [
        {
          fn: 'STOCHF',
          inputs: ['high', 'low', 'close'],
          py: { fastk_period: 5, fastd_period: 3, fastd_matype: 0 },
          npm: { optInFastK_Period: 5, optInFastD_Period: 3, optInFastD_MAType: 0 },
        },
      ],
    },
    ti: { run: (s) => ti.Stochastic.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), period: 5, signalPeriod: 3 }) },
  },
  {
    name: 'dmi:14',
    outputs: 3,
    batch: (s, o) => ind.dmi(s.high, s.low, s.close, 14, { adx: o[0], plusDi: o[1], minusDi: o[2] }),
    stream: (s) => {
      const x = new ind.Dmi(14);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: {
      calls: ['ADX', 'PLUS_DI', 'MINUS_DI'].map((fn) => ({ fn, inputs: ['high', 'low', 'close'] as Input[], py: { timeperiod: 14 }, npm: { optInTimePeriod: 14 } })),
      approx: 'ADX + PLUS_DI + MINUS_DI',
    },
    ti: { run: (s) => ti.ADX.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), period: 14 }) },
  },
  {
    name: 'obv',
    outputs: 1,
    batch: (s, o) => ind.obv(s.close, s.volume, o[0]),
    stream: (s) => {
      const x = new ind.Obv();
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: { calls: [{ fn: 'OBV', inputs: ['close', 'volume'] }] },
    ti: { run: (s) => ti.OBV.calculate({ close: arr(s.close), volume: arr(s.volume) }) },
  },
  {
    name: 'cci:14',
    outputs: 1,
    batch: (s, o) => ind.cci(s.high, s.low, s.close, 14, o[0]),
    stream: (s) => {
      const x = new ind.Cci(14);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: { calls: [{ fn: 'CCI', inputs: ['high', 'low', 'close'], py: { timeperiod: 14 }, npm: { optInTimePeriod: 14 } }] },
    ti: { run: (s) => ti.CCI.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), period: 14 }) },
  },
  {
    name: 'roc:10',
    outputs: 1,
    batch: (s, o) => ind.roc(s.close, 10, o[0]),
    stream: (s) => {
      const x = new ind.Roc(10);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: { calls: [{ fn: 'ROC', inputs: ['close'], py: { timeperiod: 10 }, npm: { optInTimePeriod: 10 } }] },
    ti: { run: (s) => ti.ROC.calculate({ period: 10, values: arr(s.close) }) },
  },
  {
    name: 'stddev:20',
    outputs: 1,
    batch: (s, o) => ind.stddev(s.close, 20, 1, o[0]),
    stream: (s) => {
      const x = new ind.StdDev(20, 1);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: { calls: [{ fn: 'STDDEV', inputs: ['close'], py: { timeperiod: 20, nbdev: 1 }, npm: { optInTimePeriod: 20, optInNbDev: 1 } }] },
    ti: { run: (s) => ti.SD.calculate({ period: 20, values: arr(s.close) }) },
  },
  {
    name: 'vwap',
    outputs: 1,
    batch: (s, o) => ind.vwap(s.openTime, s.high, s.low, s.close, s.volume, o[0]),
    stream: (s) => {
      const x = new ind.Vwap();
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    ti: { run: (s) => ti.VWAP.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), volume: arr(s.volume) }), approx: 'VWAP (cumulative, no daily reset)' },
  },
  {
    name: 'donchian:20',
    outputs: 3,
    batch: (s, o) => ind.donchian(s.high, s.low, 20, { upper: o[0], middle: o[1], lower: o[2] }),
    stream: (s) => {
      const x = new ind.Donchian(20);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: {
      calls: [
        { fn: 'MAX', inputs: ['high'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } },
        { fn: 'MIN', inputs: ['low'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } },
      ],
      approx: 'MAX + MIN',
    },
    ti: {
      run: (s) => [ti.Highest.calculate({ period: 20, values: arr(s.high) }), ti.Lowest.calculate({ period: 20, values: arr(s.low) })],
      approx: 'Highest + Lowest',
    },
  },
  {
    name: 'keltner:20:10:2',
    outputs: 3,
    batch: (s, o) => ind.keltner(s.high, s.low, s.close, 20, 10, 2, { upper: o[0], middle: o[1], lower: o[2] }),
    stream: (s) => {
      const x = new ind.Keltner(20, 10, 2);
      for (let i = 0; i < s.n; i++) x.update(barAt(s, i));
    },
    talib: {
      calls: [
        { fn: 'EMA', inputs: ['close'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } },
        { fn: 'ATR', inputs: ['high', 'low', 'close'], py: { timeperiod: 10 }, npm: { optInTimePeriod: 10 } },
      ],
      approx: 'EMA + ATR',
    },
    ti: {
      run: (s) =>
        ti.KeltnerChannels.calculate({ high: arr(s.high), low: arr(s.low), close: arr(s.close), maPeriod: 20, atrPeriod: 10, useSMA: false, multiplier: 2 }),
    },
  },
  {
    name: 'zscore:20',
    outputs: 1,
    batch: (s, o) => ind.zscore(s.close, 20, o[0]),
    stream: (s) => {
      const x = new ind.ZScore(20);
      const c = s.close;
      for (let i = 0; i < s.n; i++) x.update(c[i]);
    },
    talib: {
      calls: [
        { fn: 'SMA', inputs: ['close'], py: { timeperiod: 20 }, npm: { optInTimePeriod: 20 } },
        { fn: 'STDDEV', inputs: ['close'], py: { timeperiod: 20, nbdev: 1 }, npm: { optInTimePeriod: 20, optInNbDev: 1 } },
      ],
      approx: 'SMA + STDDEV (no z-score in TA-Lib)',
    },
    ti: { run: (s) => [ti.SMA.calculate({ period: 20, values: arr(s.close) }), ti.SD.calculate({ period: 20, values: arr(s.close) })], approx: 'SMA + SD' },
  },
];

function npmTalibInputs(call: TalibCall, s: Series): Record<string, number[]> {
  if (call.fn === 'OBV') return { inReal: arr(s.close), volume: arr(s.volume) };
  if (call.inputs.length === 1) return { inReal: arr(s[call.inputs[0]]) };
  const o: Record<string, number[]> = {};
  for (const k of call.inputs) o[k] = arr(s[k]);
  return o;
}

/**
 * TA-Lib C through the Python wheel. The series goes to a temp file once; each
 * case then gets its own short Python run right before ours, so both sides are
 * timed under the same machine load (the bench box is shared).
 */
class TalibC {
  private readonly file = path.join(os.tmpdir(), `atp-bench-ohlcv-${process.pid}.f64`);
  version = '';
  error: string | null = null;

  constructor(private readonly s: Series) {
    const buf = new Float64Array(5 * s.n);
    [s.open, s.high, s.low, s.close, s.volume].forEach((a, i) => buf.set(a, i * s.n));
    fs.writeFileSync(this.file, Buffer.from(buf.buffer));
  }

  /** Best ns per bar of the case's TA-Lib calls, or null (no reference, or Python unavailable). */
  time(c: Case): number | null {
    if (!c.talib || this.error !== null) return null;
    try {
      const jobs = [{ key: c.name, calls: c.talib.calls.map((k) => ({ fn: k.fn, inputs: k.inputs, kwargs: k.py ?? {} })) }];
      const r = runPython<{ version: string; c_version: string; results: Record<string, number> }>('talib_bench.py', { data: this.file, n: this.s.n, repeats: PY_REPEATS, jobs });
      this.version = `TA-Lib wheel ${r.version} (C ${r.c_version})`;
      return r.results[c.name];
    } catch (err) {
      this.error = String(err instanceof Error ? err.message : err).split('\n')[0];
      return null;
    }
  }

  dispose(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function ok(pass: boolean | null): string {
  return pass === null ? '-' : pass ? 'yes' : 'NO';
}

export async function run(): Promise<void> {
  const s = randomWalk(N, SEED);
  const small = slice(s, N_TI);
  console.log(`data: synthetic random-walk OHLCV, ${N.toLocaleString('en-US')} bars (seed ${SEED}); technicalindicators on the first ${N_TI.toLocaleString('en-US')} bars`);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}; times are this process's CPU time (best of several runs), so other load on the machine is not counted`);

  const talibC = new TalibC(s);

  const outs = Array.from({ length: 3 }, () => new Float64Array(N));
  const rows: Cell[][] = [];
  const notes: string[] = [];
  const met = { batch: 0, ti: 0, stream: 0, batchN: 0, tiN: 0, streamN: 0 };

  // BENCH_INDICATORS_ONLY=donchian:20,sma:20 benches only the cases named
  const only = (process.env.BENCH_INDICATORS_ONLY ?? '').split(',').filter(Boolean);
  for (const c of CASES) {
    if (only.length > 0 && !only.includes(c.name)) continue;
    const cNs = talibC.time(c);
    // Streaming first: see BATCH_CHUNK in @atp/indicators (a kernel first compiled for a
    // long batch loop can stay unoptimized for later one-bar calls on Node 20).
    const stream = bestNsPerBar(() => c.stream(s), N, STREAM_REPEATS);
    const batch = bestNsPerBar(() => c.batch(s, outs), N, BATCH_REPEATS);
    let npm: number | null = null;
    if (c.talib) {
      const inputs = c.talib.calls.map((k) => npmTalibInputs(k, s));
      npm = bestNsPerBar(
        () => c.talib!.calls.forEach((k, j) => npmTalib.execute({ name: k.fn, startIdx: 0, endIdx: N - 1, ...inputs[j], ...(k.npm ?? {}) })),
        N,
        2,
      );
    }
    const tiNs = c.ti ? bestNsPerBar(() => c.ti!.run(small), N_TI, 2) : null;
    const vsC = cNs ? batch / cNs : null;
    const vsTi = tiNs ? tiNs / batch : null;
    const batchOk = vsC === null ? null : vsC <= 2;
    const tiOk = vsTi === null ? null : vsTi >= 20;
    const streamOk = stream < 100;
    if (batchOk !== null) {
      met.batchN++;
      if (batchOk) met.batch++;
    }
    if (tiOk !== null) {
      met.tiN++;
      if (tiOk) met.ti++;
    }
    met.streamN++;
    if (streamOk) met.stream++;
    const mark = [c.talib?.approx ? `C*=${c.talib.approx}` : '', c.ti?.approx ? `TI*=${c.ti.approx}` : ''].filter(Boolean).join('; ');
    if (mark) notes.push(`${c.name}: ${mark}`);
    rows.push([c.name + (c.talib?.approx || c.ti?.approx ? ' *' : ''), batch, stream, cNs, npm, tiNs, vsC, vsTi, `${ok(batchOk)}/${ok(tiOk)}/${ok(streamOk)}`]);
  }
  talibC.dispose();
  if (talibC.error !== null) console.log(`TA-Lib C (Python) unavailable: ${talibC.error}`);
  else console.log(`reference: ${talibC.version}, best of ${PY_REPEATS}, talib call only (process CPU time), timed just before ours per indicator`);
  console.log('');
  printTable(
    ['indicator', 'batch', 'stream', 'TA-Lib C', 'npm talib', 'tech.ind', 'batch/C', 'TI/batch', '<=2x C / >=20x TI / <100ns'],
    rows,
    { title: 'ns per bar (lower is better); ratios: batch/C (target <= 2), TI/batch (target >= 20)' },
  );
  console.log('');
  for (const n of notes) console.log(`* ${n}`);
  console.log('  (C* = the TA-Lib calls that compute the same outputs, timed together; TI* = the closest technicalindicators function)');
  console.log(
    `targets met: batch <= 2x TA-Lib C ${met.batch}/${met.batchN}; >= 20x technicalindicators ${met.ti}/${met.tiN}; streaming < 100 ns ${met.stream}/${met.streamN}`,
  );
}
