/**
 * The backtrader baseline of the backtest bench: the same MA-crossover rules run by backtrader
 * (PyPI, in bench/.venv) on the same bars. The Python script is kept here as a string and written
 * to a temp file at run time, so the whole entry lives in bench/src/backtest*.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPython } from './python';

/** Pinned backtrader (pure-Python wheel), installed into bench/.venv on first use. */
export const BACKTRADER = { backtrader: '1.9.78.123' };

const SCRIPT = String.raw`
import json, sys, time
import backtrader as bt

class ListFeed(bt.feed.DataBase):
    """Bars from Python lists (no pandas): [openTimeMs, o, h, l, c, v]."""
    params = (('rows', None),)
    def start(self):
        super().start()
        self._i = 0
    def _load(self):
        rows = self.p.rows
        if self._i >= len(rows):
            return False
        r = rows[self._i]
        self._i += 1
        self.lines.datetime[0] = bt.date2num(__import__('datetime').datetime.utcfromtimestamp(r[0] / 1000.0))
        self.lines.open[0] = r[1]; self.lines.high[0] = r[2]; self.lines.low[0] = r[3]
        self.lines.close[0] = r[4]; self.lines.volume[0] = r[5]; self.lines.openinterest[0] = 0.0
        return True

class FractionalComm(bt.CommInfoBase):
    """0.1% of notional, fractional sizes (backtrader's stock-like default sizes in whole units)."""
    params = (('commission', 0.001), ('stocklike', True), ('commtype', bt.CommInfoBase.COMM_PERC), ('percabs', True))
    def getsize(self, price, cash):
        return self.p.leverage * (cash / price)

class MaCross(bt.Strategy):
    params = (('fast', 10), ('slow', 30))
    def __init__(self):
        fast = bt.ind.SMA(period=self.p.fast)
        slow = bt.ind.SMA(period=self.p.slow)
        self.cross = bt.ind.CrossOver(fast, slow)
        self.trades = 0
    def next(self):
        if self.cross[0] > 0 and not self.position:
            self.order_target_percent(target=0.95)
        elif self.cross[0] < 0 and self.position:
            self.close()
    def notify_trade(self, trade):
        if trade.isclosed:
            self.trades += 1

def run(rows, fast, slow):
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(ListFeed(rows=rows))
    cerebro.addstrategy(MaCross, fast=fast, slow=slow)
    cerebro.broker.setcash(10000.0)
    cerebro.broker.addcommissioninfo(FractionalComm())
    t0 = time.process_time()
    strat = cerebro.run(runonce=False)[0]
    dt = time.process_time() - t0
    return {'seconds': dt, 'trades': strat.trades, 'equity': cerebro.broker.getvalue()}

req = json.load(sys.stdin)
out = []
for job in req['jobs']:
    best = None
    for _ in range(job['repeats']):
        r = run(job['rows'], req['fast'], req['slow'])
        if best is None or r['seconds'] < best['seconds']:
            best = r
    out.append(best)
print(json.dumps({'version': bt.__version__, 'results': out}))
`;

export interface BacktraderResult {
  readonly seconds: number;
  readonly trades: number;
  readonly equity: number;
}

/**
 * Runs backtrader's MA crossover on each job's rows (best of `repeats`), timing `cerebro.run()`
 * only (feed parsing included, as backtrader loads lazily) in process CPU time, like our side: the
 * bench machine is shared, CPU time keeps other jobs' load out of both figures. Throws when the venv or pip fails.
 */
export function runBacktrader(jobs: { rows: number[][]; repeats: number }[], fast: number, slow: number): { version: string; results: BacktraderResult[] } {
  const file = path.join(os.tmpdir(), `atp-bench-backtrader-${process.pid}.py`);
  fs.writeFileSync(file, SCRIPT);
  try {
    return runPython<{ version: string; results: BacktraderResult[] }>(file, { jobs, fast, slow }, BACKTRADER);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
