/**
 * Backtest bench: bars/s of the event-driven backtester running the MA-crossover strategy
 * (SMA 10/30, market orders at the next open, 0.1% fees, 95% of equity per entry, @atp/risk
 * sizing and checks, exact-decimal fills and P&L) on the recorded BTC/USDT 1h and 5m candles and
 * on 1M synthetic bars; side by side with backtrader (same rules, same bars) and with a bare loop
 * that computes only the crossover. Also times one symbol's 1h backtest plus its report.
 *
 *   npm run bench -- backtest            (BENCH_BACKTEST_SKIP_BT=1 skips backtrader)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRecordedSeries, registeredStrategy, runBacktest, syntheticSeries, writeReport, type BarSeries } from '@atp/backtest';
import { runBacktrader } from './backtest-backtrader';
import { printTable, type Cell } from './table';

const FAST = 10;
const SLOW = 30;

/**
 * Best of `repeats`, in process CPU seconds (user + system): the bench machine is shared, and CPU
 * time keeps the other jobs' load out of the figure (backtrader is timed the same way).
 */
function best(fn: () => unknown, repeats: number): number {
  let b = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.cpuUsage();
    fn();
    const u = process.cpuUsage(t0);
    const dt = (u.user + u.system) / 1e6;
    if (dt < b) b = dt;
  }
  return b;
}

/** Best of `repeats` in wall-clock seconds (for the end-to-end report timing). */
function bestWall(fn: () => unknown, repeats: number): number {
  let b = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < b) b = dt;
  }
  return b;
}

/**
 * One backtest, with its whole result made: the result's ledger and approval events are built on
 * first read (see runBacktest's lazyFields), and a backtest's user reads them (result.json, the
 * report), so the timed run reads them too: the figure is the cost of the complete result.
 */
function engine(s: BarSeries, fast = FAST, slow = SLOW) {
  const r = runBacktest({ runId: 'bench', strategies: [registeredStrategy('ma-crossover', { fast, slow })], initialCash: '10000' }, [s]);
  if (r.ledger.length < 0 || r.approved.length < 0) throw new Error('unreachable');
  return r;
}

/** The floor: only the two running SMAs and the cross test over typed arrays, nothing else. */
function bareLoop(close: Float64Array, fast = FAST, slow = SLOW): number {
  let sf = 0;
  let ss = 0;
  let prev = NaN;
  let crosses = 0;
  for (let i = 0; i < close.length; i++) {
    const x = close[i];
    sf += x;
    ss += x;
    if (i >= fast) sf -= close[i - fast];
    if (i >= slow) ss -= close[i - slow];
    if (i >= slow - 1) {
      const d = sf / fast - ss / slow;
      if ((prev <= 0 && d > 0) || (prev >= 0 && d < 0)) crosses++;
      prev = d;
    }
  }
  return crosses;
}

const rowsOf = (s: BarSeries): number[][] => Array.from(s.openTime, (t, i) => [t, s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]]);

export async function run(): Promise<void> {
  const h1 = loadRecordedSeries('BTC/USDT', '1h');
  const m5 = loadRecordedSeries('BTC/USDT', '5m');
  const syn = syntheticSeries(1_000_000, 7, { symbol: 'SYN/USDT' });
  // backtrader runs the 1M synthetic bars' first 200k (its bars/s is flat in the length; the full
  // million takes minutes)
  const sets: { name: string; s: BarSeries; repeats: number; btRepeats: number; btBars: number }[] = [
    { name: 'BTC/USDT 1h', s: h1, repeats: 30, btRepeats: 3, btBars: h1.openTime.length },
    { name: 'BTC/USDT 5m', s: m5, repeats: 8, btRepeats: 1, btBars: m5.openTime.length },
    { name: 'synthetic 1M', s: syn, repeats: 3, btRepeats: 1, btBars: 200_000 },
  ];
  // warm up the JIT (the decimal and risk paths need a few runs)
  for (let i = 0; i < 10; i++) engine(h1);

  const ours = sets.map((d) => {
    // the untimed run's figures, taken before the timed runs: its result (~100 MB for the 1M bars)
    // is not kept alive through them, where every full GC of a timed run would mark it again
    const shown = (() => {
      const r = engine(d.s);
      return { trades: r.roundTrips.length, fills: r.fills.length, equity: Number(r.final.equity) };
    })();
    const secs = best(() => engine(d.s), d.repeats);
    const bare = best(() => bareLoop(d.s.close), Math.max(5, d.repeats));
    return { secs, bare, ...shown };
  });

  let bt: { version: string; results: { seconds: number; trades: number; equity: number }[] } | { error: string };
  if (process.env.BENCH_BACKTEST_SKIP_BT) bt = { error: 'skipped (BENCH_BACKTEST_SKIP_BT)' };
  else {
    try {
      bt = runBacktrader(sets.map((d) => ({ rows: rowsOf(d.s).slice(0, d.btBars), repeats: d.btRepeats })), FAST, SLOW);
    } catch (e) {
      bt = { error: (e as Error).message.split('\n')[0]! };
    }
  }

  const rows: Cell[][] = sets.map((d, i) => {
    const o = ours[i]!;
    const n = d.s.openTime.length;
    const b = 'results' in bt ? bt.results[i] : undefined;
    const btRate = b ? d.btBars / b.seconds : null;
    const btTrades = b ? (d.btBars === n ? String(b.trades) : `${b.trades} (of ${d.btBars / 1000}k bars)`) : null;
    return [
      d.name,
      n,
      String(o.trades),
      Math.round(n / o.secs),
      btTrades,
      btRate === null ? null : Math.round(btRate),
      btRate === null ? null : n / o.secs / btRate,
      Math.round(n / o.bare),
      o.secs / o.bare,
      o.equity.toFixed(2),
      b && d.btBars === n ? b.equity.toFixed(2) : null,
    ];
  });
  printTable(['data', 'bars', 'trades', 'ours bars/s', 'bt trades', 'backtrader bars/s', 'ours/bt', 'bare loop bars/s', 'bare/ours (x slower)', 'ours equity', 'bt equity'], rows, { title: `MA crossover SMA ${FAST}/${SLOW}, best of repeats, process CPU time (${'version' in bt ? `backtrader ${bt.version}` : `backtrader: ${bt.error}`})` });

  // Sparser trading on the 1M bars: the per-bar path without the per-trade decimal work.
  const slowRows: Cell[][] = [[50, 200], [100, 400]].map(([f, s]) => {
    const r = engine(syn, f, s);
    const secs = best(() => engine(syn, f, s), 3);
    return [`SMA ${f}/${s}`, syn.openTime.length, r.roundTrips.length, r.rejected.length, Math.round(syn.openTime.length / secs)];
  });
  // The per-bar path alone: every bar matched, marked, featured and decided, but risk refuses
  // every entry (max position notional 0), so no order ever reaches the exchange.
  const noFills = () =>
    runBacktest({ runId: 'bench', strategies: [registeredStrategy('ma-crossover', { fast: FAST, slow: SLOW })], initialCash: '10000', riskLimits: { sizing: { method: 'fixed-notional', notional: '1000' }, maxPositionNotional: '0' } }, [syn]);
  const nf = noFills();
  slowRows.push([`SMA ${FAST}/${SLOW}, no fills`, syn.openTime.length, nf.roundTrips.length, nf.rejected.length, Math.round(syn.openTime.length / best(noFills, 3))]);
  printTable(['synthetic 1M', 'bars', 'trades', 'rejected', 'ours bars/s'], slowRows, { title: '\nsparser trading on the 1M synthetic bars, and the per-bar path without fills' });

  // One symbol's recorded 1h data with its report, end to end (load, run, write report.html + result.json).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-bench-report-'));
  const withReport = bestWall(() => {
    const s = loadRecordedSeries('BTC/USDT', '1h');
    const r = engine(s);
    writeReport(dir, r, [s]);
  }, 5);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\nBTC/USDT 1h (${h1.openTime.length} bars) load + backtest + report.html + result.json: ${(withReport * 1000).toFixed(0)} ms (target < 1000 ms)`);
}
