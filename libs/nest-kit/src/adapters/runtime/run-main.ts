import { ConfigError } from '../../config/config-error';
import type { RunningHost } from '../host/start-host';
import { StartupError } from './bootstrap';

/**
 * The body of every `main.ts`: runs `start` and, if it fails, prints ONE line to stderr — the
 * configuration or start-up message as is, anything else with its stack — and exits 1.
 */
export function runMain(start: () => Promise<RunningHost | unknown>): void {
  start().catch((e: unknown) => {
    const expected = e instanceof ConfigError || e instanceof StartupError;
    process.stderr.write(`${expected ? (e as Error).message : ((e as Error)?.stack ?? String(e))}\n`);
    process.exit(1);
  });
}
