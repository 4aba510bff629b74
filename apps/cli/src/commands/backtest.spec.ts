// `atp backtest` on the recorded Binance BTC/USDT 1h candles (../shared/data/binance-spot; source
// iterativv/NostalgiaForInfinity, GPL-3.0). The reconciliation is recomputed here from result.json's
// fills with decimal.js (exact), independently of @atp/portfolio.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Decimal from 'decimal.js';
import { dataDir } from '@atp/testing';
import { runCli, type CliIo } from '../index';
import { parseFees, parseSizing } from './backtest';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** Reports stay here (gitignored dist/) for a look. */
const REPORT_ROOT = path.resolve(__dirname, '../../../../dist/reports/cli-backtest');
const STRATEGIES = ['ma-crossover', 'mean-reversion', 'breakout'] as const;

interface Json {
  initialCash: string;
  final: { equity: string; realized: string; unrealized: string; fees: string; positions: { quantity: string; mark: string }[] };
  fills: { time: number; side: 'buy' | 'sell'; price: string; quantity: string; fee: string; pnl: string }[];
  roundTrips: { netPnl: string; grossPnl: string; fees: string }[];
  equity: { times: number[]; equity: number[] };
  metrics: { bars: { sharpe: number } };
}

describe('atp backtest', () => {
  it('--help explains the verb and its options', async () => {
    const r = await cli(['backtest', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: atp backtest');
    for (const o of ['--strategy', '--params', '--data', '--symbols', '--timeframe', '--from', '--to', '--fees', '--slippage-bps', '--participation', '--fill-model', '--touch-fills', '--sizing', '--capital', '--run-id', '--out']) expect(r.out).toContain(o);
    expect((await cli(['--help'])).out).toMatch(/^\s+backtest\s/m);
  });

  it.each(STRATEGIES)('%s on recorded BTC/USDT 1h: report.html + result.json whose fills reconcile exactly with the final P&L', async (name) => {
    const out = path.join(REPORT_ROOT, name);
    fs.rmSync(out, { recursive: true, force: true });
    const r = await cli(['backtest', '--strategy', name, '--symbols', 'BTC/USDT', '--timeframe', '1h', '--capital', '10000', '--run-id', `cli-${name}`, '--out', out]);
    expect(r.err).toMatch(/backtest \[=+\] 100%/); // the progress bar ran on stderr
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^final equity\s+\d/m);
    expect(r.out).toMatch(/^sharpe \/ sortino\s/m);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'result.json'), 'utf8')) as Json;
    expect(j.fills.length).toBeGreaterThan(10);
    expect(j.roundTrips.length).toBeGreaterThan(5);
    expect(j.equity.times.length).toBe(j.equity.equity.length);
    for (const f of j.fills) expect(f).toEqual(expect.objectContaining({ time: expect.any(Number), side: expect.stringMatching(/^(buy|sell)$/), price: expect.any(String), quantity: expect.any(String), fee: expect.any(String), pnl: expect.any(String) }));

    // Cash flows of the fills (sales - purchases - fees), plus what is still held at its mark,
    // equal final equity - initial cash, to the last decimal.
    let cash = new Decimal(0);
    let fees = new Decimal(0);
    let realized = new Decimal(0);
    let qty = new Decimal(0);
    for (const f of j.fills) {
      const notional = new Decimal(f.price).mul(f.quantity);
      cash = f.side === 'sell' ? cash.plus(notional) : cash.minus(notional);
      cash = cash.minus(f.fee);
      fees = fees.plus(f.fee);
      realized = realized.plus(f.pnl);
      qty = f.side === 'buy' ? qty.plus(f.quantity) : qty.minus(f.quantity);
    }
    const held = j.final.positions.reduce((a, p) => a.plus(new Decimal(p.quantity).mul(p.mark)), new Decimal(0));
    expect(qty.toString()).toBe(j.final.positions.reduce((a, p) => a.plus(p.quantity), new Decimal(0)).toString());
    const pnl = new Decimal(j.final.equity).minus(j.initialCash);
    expect(cash.plus(held).toString()).toBe(pnl.toString());
    expect(fees.toString()).toBe(new Decimal(j.final.fees).toString());
    expect(realized.toString()).toBe(new Decimal(j.final.realized).toString());
    // realized - fees + unrealized = final P&L (the portfolio identity, exactly)
    expect(realized.minus(fees).plus(j.final.unrealized).toString()).toBe(pnl.toString());
    // and the round trips' net P&L adds up to the realized P&L of closed trades minus their fees
    const net = j.roundTrips.reduce((a, t) => a.plus(t.netPnl), new Decimal(0));
    const gross = j.roundTrips.reduce((a, t) => a.plus(t.grossPnl), new Decimal(0));
    const tFees = j.roundTrips.reduce((a, t) => a.plus(t.fees), new Decimal(0));
    expect(net.toString()).toBe(gross.minus(tFees).toString());
  });

  it('reads a candle file with --data, a range, fees, slippage, cheat-on-close and notional sizing', async () => {
    const file = path.join(dataDir(), 'binance-spot', 'BTC_USDT-1h.json');
    const r = await cli(['backtest', '--strategy', 'ma-crossover', '--params', '{"fast":5,"slow":20}', '--data', file, '--from', '2021-03-01', '--to', '2021-06-01', '--fees', '2/5bps', '--slippage-bps', '3', '--participation', '50', '--fill-model', 'cheat-on-close', '--sizing', 'notional:1000', '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const bars = Number(/^bars\s+(\d+)/m.exec(r.out)![1]);
    const rows = JSON.parse(fs.readFileSync(file, 'utf8')) as number[][];
    expect(bars).toBe(rows.filter((x) => x[0]! >= Date.UTC(2021, 2, 1) && x[0]! < Date.UTC(2021, 5, 1)).length); // the recorded set has a few gaps
    expect(bars).toBeGreaterThan(2150);
    expect(r.out).toContain('fast=5');
  });

  it('a vendor CSV (--columns, --date-format) runs the same backtest as the recorded JSON over the same bars', async () => {
    const rows = (JSON.parse(fs.readFileSync(path.join(dataDir(), 'binance-spot', 'BTC_USDT-1h.json'), 'utf8')) as number[][]).slice(0, 800);
    const pad = (x: number) => String(x).padStart(2, '0');
    const fmt = (ms: number) => {
      const d = new Date(ms);
      return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-backtest-'));
    try {
      const file = path.join(tmp, 'vendor.csv');
      fs.writeFileSync(file, ['Close,Date,High,Low,Open,Vol', ...rows.map((r) => `${r[4]},${fmt(r[0]!)},${r[2]},${r[3]},${r[1]},${r[5]}`)].join('\n'));
      const csv = await cli(['backtest', '--strategy', 'breakout', '--data', file, '--symbols', 'BTC/USDT', '--timeframe', '1h', '--columns', 'time=Date,open=Open,high=High,low=Low,close=Close,volume=Vol', '--date-format', 'DD.MM.YYYY HH:mm', '--no-progress']);
      expect(csv.err).toBe('');
      expect(csv.code).toBe(0);
      const rec = await cli(['backtest', '--strategy', 'breakout', '--symbols', 'BTC/USDT', '--to', String(rows[rows.length - 1]![0]! + 1), '--no-progress']);
      expect(rec.code).toBe(0);
      expect(csv.out).toMatch(/^bars\s+800 /m);
      expect(csv.out).toBe(rec.out);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('option parsers: fees in bps, percent or rates; sizing rules in @atp/risk units (percent)', () => {
    expect(parseFees('10bps')).toEqual({ makerFee: '0.001', takerFee: '0.001' });
    expect(parseFees('2/5bps')).toEqual({ makerFee: '0.0002', takerFee: '0.0005' });
    expect(parseFees('0.02%/0.04%')).toEqual({ makerFee: '0.0002', takerFee: '0.0004' });
    expect(parseFees('maker=0.0002,taker=0.001')).toEqual({ makerFee: '0.0002', takerFee: '0.001' });
    expect(parseSizing('fixed-fractional:1%')).toEqual({ method: 'fixed-fractional', riskPct: '1' });
    expect(parseSizing('atr:0.5%:3')).toEqual({ method: 'atr', riskPct: '0.5', atrMultiple: '3' });
    expect(parseSizing('kelly:0.55:1.5:0.25:0.5')).toEqual({ method: 'kelly', winRate: '0.55', payoffRatio: '1.5', cap: '0.25', fraction: '0.5' });
    expect(parseSizing('notional:1000')).toEqual({ method: 'fixed-notional', notional: '1000' });
  });

  it.each([
    [['--strategy', 'nope', '--symbols', 'BTC/USDT'], /unknown strategy "nope"; valid strategies: ma-crossover, mean-reversion, breakout/],
    [['--strategy', 'ma-crossover', '--params', 'fast=1', '--symbols', 'BTC/USDT'], /parameter fast must be an integer in \[2, 200\], got 1/],
    [['--strategy', 'ma-crossover', '--params', 'speed=3', '--symbols', 'BTC/USDT'], /unknown parameter "speed"/],
    [['--strategy', 'ma-crossover', '--symbols', 'DOGE/USDT'], /no recorded 1h candles for DOGE\/USDT/],
    [['--strategy', 'ma-crossover'], /give --data FILE/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--sizing', 'martingale:2'], /--sizing: unknown method "martingale"/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--fees', 'cheap'], /--fees: "cheap"/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--fill-model', 'instant'], /argument 'instant' is invalid/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--participation', '0'], /--participation must be a percentage/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--from', '2030-01-01'], /no bars in the --from\/--to range/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--run-id', 'a b'], /--run-id must be/],
  ])('bad option %#: exit 2 with the named error', async (args, msg) => {
    const r = await cli(['backtest', '--no-progress', ...args]);
    expect(r.err).toMatch(msg);
    expect(r.code).toBe(2);
  });

  it('as a process: a bad option exits 2 with one error line on stderr', () => {
    const root = path.resolve(__dirname, '../../../..');
    const r = spawnSync(process.execPath, ['-r', './tools/register.cjs', 'apps/cli/src/main.ts', 'backtest', '--strategy', 'nope', '--symbols', 'BTC/USDT'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: unknown strategy "nope"; valid strategies: ma-crossover, mean-reversion, breakout\n');
    expect(r.stdout).toBe('');
  }, 70_000);
});
