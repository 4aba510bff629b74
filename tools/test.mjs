#!/usr/bin/env node
// `npm test`: lint, typecheck, (chromium for browser tests), real Kafka + FerretDB, jest.
// Every step is timed and printed under a header. The infra is ALWAYS stopped (finally, and on
// SIGINT/SIGTERM). The very last line of output is `N passed, N failed`, where failed = failed
// tests + test suites that failed to run + 1 for each of lint / typecheck / infra start / a jest
// run that failed without results. Exit code is non-zero when anything failed.
//
//   npm test                      everything (this is what .ci/run runs)
//   npm test -- libs/indicators   extra args go to jest (a path pattern, -t name, --runInBand, ...)
//   ATP_SKIP_LINT=1               skip eslint            (local iteration only; never in CI)
//   ATP_SKIP_TYPECHECK=1          skip tsc               (local iteration only; never in CI)
//   ATP_SKIP_INFRA=1              do not start Kafka/FerretDB (integration tests then fail
//                                 unless KAFKA_BROKERS / MONGO_URL point at running servers)
//
// Concurrency: each run gets its own data dir and, when the default ports (19092/19093/27018) are
// taken (another engineer's `npm test` on the same machine), free ports; a stack left behind by a
// runner that died is stopped by the next run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INFRA = path.join(ROOT, 'infra');
const jestArgs = process.argv.slice(2);
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: process.env.FORCE_COLOR ?? (process.stdout.isTTY ? '1' : '0') };
const CACHE = process.env.ATP_CACHE_DIR || path.join(os.homedir(), '.cache', 'atp');

const timings = [];
let failed = 0;
let passed = 0;
const problems = [];
let current = null; // running foreground child
let infraEnv = null; // env for down.sh once up.sh was started
let upChild = null; // infra/up.sh while it runs
let tmpDir = null;
let privateRunDir = null;
let finished = false;

const fmt = (ms) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const header = (title) => console.log(`\n━━━━ ${title} ${'━'.repeat(Math.max(3, 70 - title.length))}`);

/** Runs a command in the foreground with inherited stdio; resolves to its exit code. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: 'inherit', ...opts });
    current = child;
    child.on('error', (e) => {
      console.error(`cannot run ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      current = null;
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1));
    });
  });
}

/** Runs a command in the background with captured output; the promise gives {code, out, ms}. */
function runCaptured(cmd, args, opts = {}) {
  const t0 = Date.now();
  let child;
  const promise = new Promise((resolve) => {
    let out = '';
    let stdout = '';
    child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    child.stdout.on('data', (d) => {
      stdout += d;
      out += d;
    });
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ code: 127, out: `cannot run ${cmd}: ${e.message}`, stdout, ms: Date.now() - t0 }));
    child.on('exit', (code) => {
      child.done = true;
      resolve({ code: code ?? 1, out, stdout, ms: Date.now() - t0 });
    });
  });
  promise.child = child;
  return promise;
}

async function step(title, fn) {
  header(title);
  const t0 = Date.now();
  let status;
  try {
    status = await fn();
  } catch (e) {
    console.error(e && e.stack ? e.stack : e);
    status = 'failed';
  }
  const ms = Date.now() - t0;
  timings.push({ title, ms, status });
  console.log(`── ${title}: ${status} in ${fmt(ms)}`);
  return status;
}

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function pickPort(name, dflt, taken) {
  if (process.env[name]) return Number(process.env[name]);
  if (!taken.has(dflt) && (await portFree(dflt))) return dflt;
  let p;
  do p = await freePort();
  while (taken.has(p));
  console.log(`port ${dflt} is taken: using ${name}=${p}`);
  return p;
}

async function pickPorts(claimed) {
  const taken = new Set(claimed);
  const kafkaPort = await pickPort('KAFKA_PORT', 19092, taken);
  taken.add(kafkaPort);
  const ctrlPort = await pickPort('KAFKA_CONTROLLER_PORT', 19093, taken);
  taken.add(ctrlPort);
  const mongoPort = await pickPort('MONGO_PORT', 27018, taken);
  return { kafkaPort, ctrlPort, mongoPort };
}

/** Ports claimed by other live `npm test` runs (runs/<dir>/ports). */
function claimedPorts(runsDir) {
  const out = new Set();
  for (const name of fs.readdirSync(runsDir)) {
    if (name.startsWith('.')) continue;
    try {
      for (const p of fs.readFileSync(path.join(runsDir, name, 'ports'), 'utf8').trim().split(/\s+/)) out.add(Number(p));
    } catch {
      /* no ports file */
    }
  }
  return out;
}

/** A cross-process lock: mkdir is atomic. A lock older than 60 s is considered abandoned. */
async function lockDir(dir) {
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(dir);
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      try {
        if (Date.now() - fs.statSync(dir).mtimeMs > 60_000) fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        /* raced with its owner */
      }
      if (i % 50 === 49) console.log('waiting for another test run to claim its ports...');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** True if `pid` is a live (not zombie) `npm test` runner; a reused pid running something else is not. */
function runnerAlive(pid) {
  if (fs.existsSync('/proc/self/stat')) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('test.mjs');
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Stops stacks whose `npm test` runner died without cleaning up (their owner pid is gone). */
function reapStaleRuns(runsDir) {
  if (!fs.existsSync(runsDir)) return;
  for (const name of fs.readdirSync(runsDir)) {
    if (name.startsWith('.')) continue;
    const dir = path.join(runsDir, name);
    const owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), { encoding: 'utf8', flag: 'a+' }).trim());
    if (owner && runnerAlive(owner)) continue;
    console.log(`stopping a stack left behind by a dead test run: ${dir}`);
    spawnSync(path.join(INFRA, 'down.sh'), [], { env: { ...env, ATP_RUN_DIR: dir }, stdio: 'inherit' });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function stopInfra() {
  if (!infraEnv) return;
  const e = infraEnv;
  infraEnv = null;
  const t0 = Date.now();
  if (upChild && !upChild.done) {
    // interrupted while up.sh was starting the servers: end it first so nothing starts after down.sh
    upChild.kill('SIGTERM');
    spawnSync('sleep', ['1']);
  }
  header('infra: stop Kafka and FerretDB');
  const r = spawnSync(path.join(INFRA, 'down.sh'), [], { env: e, stdio: 'inherit', timeout: 90_000 });
  if (r.status !== 0) console.error(`warning: infra/down.sh exited with ${r.status ?? r.signal}`);
  if (privateRunDir) fs.rmSync(privateRunDir, { recursive: true, force: true });
  timings.push({ title: 'infra stop', ms: Date.now() - t0, status: r.status === 0 ? 'ok' : 'warning' });
}

function summary() {
  if (finished) return;
  finished = true;
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  header('summary');
  for (const t of timings) console.log(`  ${t.title.padEnd(56)} ${String(t.status).padEnd(10)} ${fmt(t.ms).padStart(9)}`);
  for (const p of problems) console.log(`  FAILED: ${p}`);
  console.log(`${passed} passed, ${failed} failed`);
}

function onSignal(sig) {
  console.error(`\n${sig}: stopping`);
  if (current) current.kill(sig);
  try {
    stopInfra();
  } finally {
    problems.push(`interrupted by ${sig}`);
    failed += 1;
    summary();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  }
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

async function main() {
  const t0 = Date.now();
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-test-'));

  // Slow, mostly-I/O preparation starts in the background while lint and typecheck use the CPU.
  let chromium = null;
  const needChromium = !fs.existsSync('/usr/bin/chromium') && typeof process.getuid === 'function' && process.getuid() === 0;
  if (needChromium) {
    const script =
      'export DEBIAN_FRONTEND=noninteractive; apt-get -o DPkg::Lock::Timeout=300 update -qq && ' +
      'apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium';
    chromium = runCaptured('bash', ['-c', script]);
  }

  // kustomize and Docker Compose v2 for the manifest specs (tools/k8s.spec.ts, compose.spec.ts),
  // built from the Go module proxy into the cache on first use.
  const manifestTools = runCaptured(path.join(INFRA, 'tools', 'install.sh'), []);

  let infra = null;
  if (process.env.ATP_SKIP_INFRA !== '1') {
    let ports;
    let runDir = process.env.ATP_RUN_DIR;
    if (runDir) {
      ports = await pickPorts(new Set());
    } else {
      // Concurrent runs on one machine: choose ports and claim them under a lock, so two runs
      // never pick the same free port before either server has bound it.
      const runsDir = path.join(CACHE, 'runs');
      fs.mkdirSync(runsDir, { recursive: true });
      const release = await lockDir(path.join(runsDir, '.lock'));
      try {
        reapStaleRuns(runsDir);
        ports = await pickPorts(claimedPorts(runsDir));
        runDir = privateRunDir = path.join(runsDir, `test-${process.pid}`);
        fs.mkdirSync(runDir, { recursive: true });
        fs.writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
        fs.writeFileSync(path.join(runDir, 'ports'), Object.values(ports).join(' '));
      } finally {
        release();
      }
    }
    const { kafkaPort, ctrlPort, mongoPort } = ports;
    infraEnv = {
      ...env,
      ATP_RUN_DIR: runDir,
      KAFKA_PORT: String(kafkaPort),
      KAFKA_CONTROLLER_PORT: String(ctrlPort),
      MONGO_PORT: String(mongoPort),
    };
    infra = runCaptured(path.join(INFRA, 'up.sh'), ['--fresh'], { env: infraEnv });
    upChild = infra.child;
  }

  // (a) lint
  if (process.env.ATP_SKIP_LINT === '1') {
    timings.push({ title: 'lint', ms: 0, status: 'skipped' });
  } else {
    await step('lint: nx show projects && eslint --max-warnings=0 .', async () => {
      let code = await run('npx', ['nx', 'show', 'projects'], { stdio: ['ignore', 'ignore', 'inherit'] });
      if (code === 0) code = await run('npx', ['eslint', '--max-warnings=0', '.']);
      if (code === 0) return 'ok';
      failed += 1;
      problems.push(`lint (exit ${code})`);
      return 'failed';
    });
  }

  // (b) typecheck
  if (process.env.ATP_SKIP_TYPECHECK === '1') {
    timings.push({ title: 'typecheck', ms: 0, status: 'skipped' });
  } else {
    await step('typecheck: tsc -p tsconfig.json --noEmit', async () => {
      const code = await run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
      if (code === 0) return 'ok';
      failed += 1;
      problems.push(`typecheck (exit ${code})`);
      return 'failed';
    });
  }

  // (c) chromium for browser tests
  await step('chromium (browser tests)', async () => {
    if (fs.existsSync('/usr/bin/chromium')) return 'present';
    if (!chromium) {
      console.log('warning: /usr/bin/chromium is missing and we are not root: browser tests will fail');
      return 'missing';
    }
    const r = await chromium;
    console.log(`apt-get update && apt-get install chromium: exit ${r.code} after ${fmt(r.ms)} (ran in the background)`);
    if (r.code !== 0 || !fs.existsSync('/usr/bin/chromium')) {
      console.log(r.out.split('\n').slice(-20).join('\n'));
      console.log('warning: chromium could not be installed: browser tests will fail');
      return 'warning';
    }
    return 'installed';
  });

  // (d) Kafka + FerretDB
  const jestEnv = { ...env, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
  if (!infra) {
    timings.push({ title: 'infra: up.sh --fresh', ms: 0, status: 'skipped' });
  } else {
    await step('infra: up.sh --fresh (Kafka + FerretDB)', async () => {
      const r = await infra;
      process.stdout.write(r.out.endsWith('\n') ? r.out : `${r.out}\n`);
      console.log(`(up.sh ran in the background for ${fmt(r.ms)})`);
      if (r.code !== 0) {
        failed += 1;
        problems.push(`infra start (infra/up.sh exit ${r.code}): integration tests cannot reach Kafka/FerretDB`);
        return 'failed';
      }
      for (const line of r.stdout.split('\n')) {
        const m = /^(KAFKA_BROKERS|MONGO_URL)=(.+)$/.exec(line.trim());
        if (m) jestEnv[m[1]] = m[2];
      }
      return 'ok';
    });
  }

  await step('manifest tools: kustomize + docker compose (infra/tools/install.sh)', async () => {
    const r = await manifestTools;
    console.log(`(install.sh ran in the background for ${fmt(r.ms)})`);
    if (r.code !== 0) {
      process.stdout.write(r.out.endsWith('\n') ? r.out : `${r.out}\n`);
      console.log('warning: kustomize / docker compose could not be built: tools/k8s.spec.ts and compose.spec.ts will fail');
      return 'warning';
    }
    for (const line of r.stdout.split('\n')) {
      const m = /^(ATP_KUSTOMIZE|ATP_DOCKER_COMPOSE)=(.+)$/.exec(line.trim());
      if (m) jestEnv[m[1]] = m[2];
    }
    return 'ok';
  });

  // (e) jest
  await step(`jest${jestArgs.length ? ' ' + jestArgs.join(' ') : ''}`, async () => {
    const out = path.join(tmpDir, 'jest.json');
    const args = ['jest', '--ci', '--json', `--outputFile=${out}`];
    const hasWorkers = jestArgs.some((a) => /^(-w|--maxWorkers|-i|--runInBand)(=|$)/.test(a));
    if (!hasWorkers) args.push('--maxWorkers=2');
    args.push(...jestArgs);
    if (jestEnv.KAFKA_BROKERS) console.log(`KAFKA_BROKERS=${jestEnv.KAFKA_BROKERS} MONGO_URL=${jestEnv.MONGO_URL}`);
    const code = await run('npx', args, { env: jestEnv });
    let res = null;
    try {
      res = JSON.parse(fs.readFileSync(out, 'utf8'));
    } catch {
      /* no results */
    }
    if (!res) {
      failed += 1;
      problems.push(`jest (exit ${code}) produced no results`);
      return 'failed';
    }
    passed += res.numPassedTests;
    failed += res.numFailedTests + res.numRuntimeErrorTestSuites;
    if (res.numFailedTests) problems.push(`${res.numFailedTests} test(s) failed`);
    if (res.numRuntimeErrorTestSuites) problems.push(`${res.numRuntimeErrorTestSuites} test suite(s) failed to run`);
    console.log(
      `jest: ${res.numPassedTests} passed, ${res.numFailedTests} failed, ${res.numPendingTests} skipped; ` +
        `suites ${res.numPassedTestSuites} passed, ${res.numFailedTestSuites} failed (${res.numRuntimeErrorTestSuites} did not run)`,
    );
    if (code !== 0 && !res.numFailedTests && !res.numRuntimeErrorTestSuites) {
      failed += 1;
      problems.push(`jest exited with ${code} without failed tests (no tests found, or an open-handle/coverage error)`);
    }
    return code === 0 ? 'ok' : 'failed';
  });

  timings.push({ title: 'total (before infra stop)', ms: Date.now() - t0, status: failed ? 'failed' : 'ok' });
}

let code = 1;
try {
  await main();
} catch (e) {
  console.error(e && e.stack ? e.stack : e);
  failed += 1;
  problems.push(`test runner error: ${e && e.message ? e.message : e}`);
} finally {
  try {
    stopInfra();
  } catch (e) {
    console.error(`warning: stopping infra failed: ${e && e.message}`);
  }
  summary();
  code = failed > 0 ? 1 : 0;
}
process.exit(code);
