// Spawns consumer-main.ts as a separate Node process and watches its output (test-only).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../../../..');

export interface ConsumerProcess {
  readonly proc: ChildProcess;
  /** Resolves when the child printed `ready` (subscribed), rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  stdout(): string;
  stderr(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | string>;
  /** SIGKILL: no cleanup, no commit, like a crash or an OOM kill. */
  kill(): Promise<number | string>;
}

export function spawnConsumer(env: Record<string, string | undefined>): ConsumerProcess {
  const proc = spawn(process.execPath, ['-r', './tools/register.cjs', 'libs/bus/src/kafka/it/consumer-main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready\n')) resolve();
    });
    proc.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    void exited.then((c) => reject(new Error(`consumer exited (${c}) before ready: ${err.slice(-2000)}`)));
  });
  ready.catch(() => undefined);
  return {
    proc,
    ready,
    exited,
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      return exited;
    },
  };
}
