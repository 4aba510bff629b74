/**
 * A Python virtualenv for baselines that only exist in Python (TA-Lib's C code
 * through the `TA-Lib` wheel, later backtrader and empyrical). Created on first
 * use in bench/.venv (gitignored) with `python3 -m venv`, then pip-installs the
 * pinned packages of PYTHON_PACKAGES; a stamp file records what is installed so
 * later runs skip pip. Add a package by adding a pin to PYTHON_PACKAGES (or pass
 * extra pins to `ensurePythonEnv`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BENCH_ROOT = path.resolve(__dirname, '..');
export const VENV_DIR = path.join(BENCH_ROOT, '.venv');

/**
 * PyPI name -> exact version. TA-Lib's manylinux wheels bundle the C library;
 * pip prefers wheels (`--prefer-binary`) but may build a pure-Python sdist.
 */
export const PYTHON_PACKAGES: Record<string, string> = {
  numpy: '2.2.6',
  'TA-Lib': '0.6.8',
};

const STAMP = path.join(VENV_DIR, '.atp-bench-packages.json');

function venvPython(): string {
  return path.join(VENV_DIR, 'bin', 'python');
}

function pins(packages: Record<string, string>): string[] {
  return Object.entries(packages)
    .map(([name, version]) => `${name}==${version}`)
    .sort();
}

/**
 * Makes sure bench/.venv exists and holds the pinned packages (plus `extra`).
 * Returns the venv's python path. Throws with pip's output if an install fails.
 */
export function ensurePythonEnv(extra: Record<string, string> = {}): string {
  const wanted = pins({ ...PYTHON_PACKAGES, ...extra });
  if (!fs.existsSync(venvPython())) {
    console.error(`[bench] creating ${path.relative(process.cwd(), VENV_DIR)} (python3 -m venv)`);
    execFileSync('python3', ['-m', 'venv', VENV_DIR], { stdio: 'inherit' });
  }
  let have: string[] = [];
  try {
    have = JSON.parse(fs.readFileSync(STAMP, 'utf8')) as string[];
  } catch {
    have = [];
  }
  const missing = wanted.filter((p) => !have.includes(p));
  if (missing.length > 0) {
    console.error(`[bench] pip install ${missing.join(' ')}`);
    const r = spawnSync(venvPython(), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '--prefer-binary', ...missing], {
      encoding: 'utf8',
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    if (r.status !== 0) throw new Error(`pip install failed: ${r.stderr}`);
    fs.writeFileSync(STAMP, JSON.stringify([...new Set([...have, ...missing])].sort()));
  }
  return venvPython();
}

/**
 * Runs a Python script of bench/py in the venv, sending `input` as JSON on stdin;
 * the script prints one JSON document on stdout, which is returned.
 */
export function runPython<T>(script: string, input: unknown, extra: Record<string, string> = {}): T {
  const python = ensurePythonEnv(extra);
  const file = path.isAbsolute(script) ? script : path.join(BENCH_ROOT, 'py', script);
  const r = spawnSync(python, [file], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${path.basename(file)} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
