// `atp optimize` on the recorded Binance BTC/USDT 1h candles (../shared/data/binance-spot; source
// iterativv/NostalgiaForInfinity, GPL-3.0): a small grid, 2 walk-forward folds, 2 worker threads.
// Reference: the library's in-process `optimise` (sequential executor) on the same inputs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRecordedSeries, optimise } from '@atp/backtest';
import { runCli, type CliIo } from '../index';
import { parseGrid } from './optimize';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

interface Ranked {
  rank: number;
  params: Record<string, unknown>;
  oosSharpe: number | null;
  oosTotalReturn: number | null;
  oosTrades: number;
  folds: { fold: number; test: { sharpe: number | null } }[];
}

describe('atp optimize', () => {
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-optimize-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--help explains the verb and its options', async () => {
    const r = await cli(['optimize', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--strategy', '--grid', '--random', '--folds', '--train-blocks', '--workers', '--out', '--symbols', '--data']) expect(r.out).toContain(o);
    expect((await cli(['--help'])).out).toMatch(/^\s+optimize\s/m);
  });

  it('a 2x2 grid, 2 folds, 2 workers: optimise.json ranks by out-of-sample Sharpe with deflated Sharpe and PBO, as the in-process optimiser does', async () => {
    const out = path.join(tmp, 'ma');
    const r = await cli(['optimize', '--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--timeframe', '1h', '--grid', 'fast=5..10:5,slow=20..40:20', '--folds', '2', '--workers', '2', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/optimize \[=+\] 100% \| 8\/8/); // 4 candidates x 2 folds, one tick per job
    expect(r.out).toMatch(/^4 candidates x 2 folds/m);
    expect(r.out).toMatch(/^deflated Sharpe ratio\s+\d/m);
    expect(r.out).toMatch(/^probability of backtest overfitting \(PBO\)\s+\d/m);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'optimise.json'), 'utf8')) as { folds: unknown[]; ranked: Ranked[]; deflatedSharpe: { dsr: number; trials: number }; pbo: { pbo: number; combinations: number } };
    expect(j.folds).toHaveLength(2);
    expect(j.ranked).toHaveLength(4);
    expect(j.ranked.map((c) => c.rank)).toEqual([1, 2, 3, 4]);
    for (const c of j.ranked) {
      expect(typeof c.oosSharpe).toBe('number');
      expect(c.folds).toHaveLength(2);
    }
    const sharpes = j.ranked.map((c) => c.oosSharpe!);
    expect([...sharpes].sort((a, b) => b - a)).toEqual(sharpes);
    expect(j.deflatedSharpe.trials).toBe(4);
    expect(j.deflatedSharpe.dsr).toBeGreaterThanOrEqual(0);
    expect(j.deflatedSharpe.dsr).toBeLessThanOrEqual(1);
    expect(j.pbo.pbo).toBeGreaterThanOrEqual(0);
    expect(j.pbo.pbo).toBeLessThanOrEqual(1);
    expect(j.pbo.combinations).toBeGreaterThan(0);

    // same ranking and statistics as the library in process (worker threads change nothing)
    const ref = await optimise(
      { runId: 'opt-ma-crossover', strategy: 'ma-crossover', fixed: {}, searchSpec: { kind: 'grid', search: [], ranges: { fast: [5, 10], slow: [20, 40] } }, folds: 2, trainBlocks: 2, initialCash: '10000', fillModel: { marketFill: 'next-open', touchFills: false } },
      [loadRecordedSeries('BTC/USDT', '1h')],
    );
    expect(j.ranked.map((c) => c.params)).toEqual(ref.ranked.map((c) => c.params));
    expect(j.ranked.map((c) => c.oosSharpe)).toEqual(ref.ranked.map((c) => c.oosSharpe));
    expect(j.deflatedSharpe.dsr).toBe(ref.deflatedSharpe.dsr);
    expect(j.pbo.pbo).toBe(ref.pbo.pbo);
  }, 120_000);

  it('--random 3 on a date range with 1 worker: 3 distinct candidates ranked, fixed --params kept', async () => {
    const out = path.join(tmp, 'rand');
    const r = await cli(['optimize', '--strategy', 'breakout', '--params', 'volumeFactor=0', '--random', '3', '--seed', '7', '--symbols', 'BTC/USDT', '--from', '2021-01-01', '--to', '2021-04-01', '--folds', '2', '--train-blocks', '1', '--workers', '1', '--out', out, '--no-progress']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(fs.readFileSync(path.join(out, 'optimise.json'), 'utf8')) as { ranked: Ranked[]; deflatedSharpe: { trials: number } };
    expect(j.ranked).toHaveLength(3);
    expect(new Set(j.ranked.map((c) => JSON.stringify(c.params))).size).toBe(3);
    for (const c of j.ranked) expect(c.params).not.toHaveProperty('volumeFactor');
    expect(j.deflatedSharpe.trials).toBe(3);
  }, 120_000);

  it('--grid parses ranges and lists against the declared parameters', () => {
    expect(parseGrid('ma-crossover', 'fast=5..20:5,slow=20..60:10,ma=sma|ema')).toEqual({ fast: [5, 10, 15, 20], slow: [20, 30, 40, 50, 60], ma: ['sma', 'ema'] });
    expect(parseGrid('ma-crossover', 'atrStop=0..1:0.5')).toEqual({ atrStop: [0, 0.5, 1] });
  });

  it.each([
    [['--strategy', 'nope', '--grid', 'fast=5'], /unknown strategy "nope"; valid strategies: /],
    [['--strategy', 'ma-crossover', '--grid', 'speed=1..3'], /--grid: ma-crossover has no parameter "speed"; known: fast, slow/],
    [['--strategy', 'ma-crossover', '--grid', 'fast=1..9:2'], /--grid: parameter fast must be an integer in \[2, 200\], got 1/],
    [['--strategy', 'ma-crossover', '--grid', 'ma=sma|wma'], /parameter ma must be one of sma, ema/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT'], /either --grid <ranges> or --random <n>/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--random', '3', '--folds', '0'], /--folds must be a positive integer/],
    [['--strategy', 'ma-crossover', '--symbols', 'BTC/USDT', '--random', '2', '--folds', '100', '--from', '2021-01-01', '--to', '2021-01-03'], /walk-forward: .* cannot make 102 blocks/],
  ])('bad option %#: exit 2 with the named error', async (args, msg) => {
    const r = await cli(['optimize', '--no-progress', ...args]);
    expect(r.err).toMatch(msg);
    expect(r.code).toBe(2);
  });
});
