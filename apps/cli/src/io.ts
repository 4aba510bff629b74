/** Exit codes of every verb: 0 done, 1 the work failed (bad config, broker down), 2 bad usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Where a verb writes and what environment it reads: the process, or a test's capture. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

/** A failure the user can act on: printed as `error: <message>` without a stack. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}
