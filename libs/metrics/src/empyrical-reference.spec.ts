/**
 * Cross-check against empyrical 0.5.5 itself (the outside reference), run through Python.
 *
 * The environment (numpy 1.26, pandas 2.2, scipy 1.13, empyrical 0.5.5) is built once by
 * libs/metrics/scripts/pyref-venv.sh into ${ATP_CACHE_DIR:-~/.cache/atp}/pyref (about 20 s with a
 * warm pip cache). When it cannot be built (no python3 or no package registry) this suite FAILS
 * with the reason; ATP_PYREF=0 leaves it out on purpose (the hand-computed and two-pass references
 * in metrics.spec.ts still run).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { annualReturn, annualVolatility, calmarRatio, downsideRisk, maxDrawdown, sharpeRatio, simpleReturns, sortinoRatio, totalReturn } from './index';

const SCRIPTS = path.join(__dirname, '..', 'scripts');

let pyrefError = '';

function findPython(): string | null {
  if (process.env.ATP_PYREF === '0') return null;
  try {
    const out = execFileSync('bash', [path.join(SCRIPTS, 'pyref-venv.sh')], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n').pop() || null;
  } catch (e) {
    pyrefError = `empyrical reference environment could not be built (python3 + PyPI needed; ATP_PYREF=0 opts out): ${(e as Error).message.split('\n')[0]}`;
    return null;
  }
}

const python = findPython();

type Enc = number | 'nan' | 'inf' | '-inf';
const dec = (x: Enc): number => (x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x);

function close(a: number, b: number, what: string): void {
  if (Number.isNaN(b) || !Number.isFinite(b)) {
    if (!Object.is(a, b)) throw new Error(`${what}: ${a} !== ${b}`);
    return;
  }
  const tol = 1e-9 * Math.max(1, Math.abs(b));
  if (!(Math.abs(a - b) <= tol)) throw new Error(`${what}: ${a} not within ${tol} of empyrical's ${b}`);
}

function normals(seed: number, n: number, mu: number, sigma: number): number[] {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return Array.from({ length: n }, () => mu + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}

interface Case {
  name: string;
  returns: number[];
  ppy: number;
  riskFree?: number;
  required?: number;
  equity?: number[];
}

const equity = [10000];
for (const r of normals(5, 500, 0.0002, 0.01)) equity.push(equity[equity.length - 1]! * (1 + r));

const cases: Case[] = [
  { name: '1h, 3000 bars', returns: normals(21, 3000, 0.00003, 0.005), ppy: 8760 },
  { name: '5m, 2000 bars, rf and required return', returns: normals(22, 2000, 0.00001, 0.002), ppy: 105120, riskFree: 0.000001, required: 0.000002 },
  { name: 'daily, 365 days, losing', returns: normals(23, 365, -0.002, 0.03), ppy: 365 },
  { name: 'with NaN entries', returns: [NaN, 0.01, 0.1, -0.04, NaN, 0.02, -0.1], ppy: 252 },
  { name: 'constant positive', returns: [0.01, 0.01, 0.01, 0.01], ppy: 365 },
  { name: 'all zero', returns: [0, 0, 0], ppy: 365 },
  { name: 'one return', returns: [0.02], ppy: 365 },
  { name: 'from an equity curve', returns: Array.from(simpleReturns(equity)), ppy: 8760, equity },
];

// ATP_PYREF=0 is the only way to leave this suite out; a missing environment fails it.
(process.env.ATP_PYREF === '0' ? (_n: string, _f: () => void) => undefined : describe)('metrics equal empyrical 0.5.5 (Python, numpy)', () => {
  let ref: Record<string, Enc | Enc[] | null>[] = [];

  beforeAll(() => {
    if (!python) throw new Error(pyrefError);
    const input = JSON.stringify({ cases: cases.map((c) => ({ ...c, returns: c.returns.map((x) => (Number.isNaN(x) ? null : x)) })) });
    ref = JSON.parse(execFileSync(python!, [path.join(SCRIPTS, 'empyrical_ref.py')], { input, encoding: 'utf8', timeout: 60_000 }));
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => {
    const c = cases[i]!;
    const e = ref[i]!;
    const r = c.returns;
    const get = (k: string) => dec(e[k] as Enc);
    close(totalReturn(r), get('totalReturn'), 'totalReturn');
    close(annualReturn(r, c.ppy), get('annualReturn'), 'annualReturn');
    close(annualVolatility(r, c.ppy), get('annualVolatility'), 'annualVolatility');
    close(sharpeRatio(r, c.ppy, c.riskFree ?? 0), get('sharpe'), 'sharpe');
    close(downsideRisk(r, c.ppy, c.required ?? 0), get('downsideRisk'), 'downsideRisk');
    close(sortinoRatio(r, c.ppy, c.required ?? 0), get('sortino'), 'sortino');
    close(maxDrawdown(r), get('maxDrawdown'), 'maxDrawdown');
    close(calmarRatio(r, c.ppy), get('calmar'), 'calmar');
    if (c.equity) {
      const ours = simpleReturns(c.equity);
      (e.simpleReturns as Enc[]).forEach((x, k) => close(ours[k]!, dec(x), `simpleReturns[${k}]`));
    }
  });
});
