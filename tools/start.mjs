#!/usr/bin/env node
// `npm start`: the embedded launcher (apps/embedded/src/main.ts) in a child Node process with the
// SWC register hook. Arguments are passed through (`npm start -- --port 9000`); SIGINT, SIGTERM
// and SIGHUP are forwarded; the exit code is the child's (128 + signal number if it was killed).
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// --max-semi-space-size=64 (MB): V8's young generation as `npm run cli` and `npm run bench` run the
// same code (bench/ measures the embedded pipeline with it): fewer scavenges for a process that
// allocates per message.
const child = spawn(process.execPath, ['--max-semi-space-size=64', '-r', './tools/register.cjs', 'apps/embedded/src/main.ts', ...process.argv.slice(2)], {
  cwd: ROOT,
  stdio: 'inherit',
  env: process.env,
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // A terminal's Ctrl-C reaches the child too; it ignores the repeated signal while stopping.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on('error', (e) => {
  console.error(`npm start: cannot run the embedded launcher: ${e.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1));
});
