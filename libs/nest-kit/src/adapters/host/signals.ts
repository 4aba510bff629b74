import type { Logger } from '@atp/observability';
import type { RunningHost } from './start-host';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Graceful shutdown on SIGINT/SIGTERM: stops the host (consumers finish in-flight handlers, Nest
 * shutdown hooks run, bus and store close) and exits 0, or 1 if stopping failed or timed out.
 *
 * Why not Nest's `enableShutdownHooks()`: it runs the same lifecycle hooks but then re-raises the
 * signal, so the process dies with 130/143 and the bus and store (owned by the host, not by Nest)
 * would not be closed in order. A repeated signal while stopping is ignored (a terminal's Ctrl-C
 * reaches both `npm start` and its child); the shutdown deadline bounds the wait.
 */
export function exitOnSignals(host: RunningHost, logger: Logger, onStopped?: (code: number) => void): () => void {
  let received: string | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      logger.warn('already stopping', { signal, first: received });
      return;
    }
    received = signal;
    logger.info('signal received, shutting down', { signal });
    host.stop(signal).then(
      () => finish(0),
      (e: unknown) => {
        logger.error('shutdown failed', { err: e });
        finish(1);
      },
    );
  };
  const finish = (code: number) => {
    onStopped?.(code);
    process.exitCode = code;
    // Everything is closed; a library handle that lingers must not keep the process alive.
    setTimeout(() => process.exit(code), 200).unref();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
  };
}
