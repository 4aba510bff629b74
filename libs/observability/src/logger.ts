import { redact, redactUrlCredentials, SECRET_KEY_PATTERN } from './redact';

/** Levels in increasing severity; `silent` disables output. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogLevelSetting = LogLevel | 'silent';
export const LOG_LEVEL_SETTINGS: readonly LogLevelSetting[] = [...LOG_LEVELS, 'silent'];

/** Structured fields attached to a record (`symbol`, `clientOrderId`, `err`, ...). */
export type LogContext = Readonly<Record<string, unknown>>;

/**
 * Structured JSON logger: one line per record, `{"time","level","service","msg",...context}`.
 * Every record is redacted (see ./redact) before it is written: secrets are never logged.
 */
export interface Logger {
  readonly service: string;
  readonly level: LogLevelSetting;
  isEnabled(level: LogLevel): boolean;
  trace(msg: string, ctx?: LogContext): void;
  debug(msg: string, ctx?: LogContext): void;
  info(msg: string, ctx?: LogContext): void;
  warn(msg: string, ctx?: LogContext): void;
  error(msg: string, ctx?: LogContext): void;
  fatal(msg: string, ctx?: LogContext): void;
  log(level: LogLevel, msg: string, ctx?: LogContext): void;
  /**
   * A logger that adds `bindings` to every record. A `service` binding replaces the service name
   * (the embedded launcher gives each service module its own child of one root logger).
   */
  child(bindings: LogContext): Logger;
}

/** Where lines go: one complete JSON document without the trailing newline. */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  service: string;
  level?: LogLevelSetting;
  /** Default: `process.stdout` (synchronous for files and pipes on Linux, so nothing is lost at exit). */
  sink?: LogSink;
  /** Wall time in Unix ms for the `time` field (default `Date.now`). */
  now?: () => number;
  /** Keys whose values are redacted (default `SECRET_KEY_PATTERN`). */
  redactKeys?: RegExp;
}

const SEVERITY: Record<LogLevelSetting, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };
const RESERVED = new Set(['time', 'level', 'service', 'msg']);

export function isLogLevelSetting(s: string): s is LogLevelSetting {
  return (LOG_LEVEL_SETTINGS as readonly string[]).includes(s);
}

let stdoutGuarded = false;
let stdoutClosed = false;

/**
 * One line per record on stdout. A closed reader (`| head`, a dead log shipper) must not crash the
 * service: EPIPE on stdout stops logging instead of raising an unhandled 'error' event.
 */
export const stdoutSink: LogSink = (line) => {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      stdoutClosed = true;
    });
  }
  if (!stdoutClosed) process.stdout.write(line + '\n');
};

/** Collects lines in memory, for tests. */
export function memorySink(): LogSink & { lines: string[]; records(): Record<string, unknown>[] } {
  const lines: string[] = [];
  const sink = ((line: string) => {
    lines.push(line);
  }) as LogSink & { lines: string[]; records(): Record<string, unknown>[] };
  sink.lines = lines;
  sink.records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return sink;
}

export function createLogger(opts: LoggerOptions): Logger {
  return new JsonLogger(
    opts.service,
    opts.level ?? 'info',
    opts.sink ?? stdoutSink,
    opts.now ?? Date.now,
    opts.redactKeys ?? SECRET_KEY_PATTERN,
    {},
  );
}

class JsonLogger implements Logger {
  private readonly threshold: number;

  constructor(
    readonly service: string,
    readonly level: LogLevelSetting,
    private readonly sink: LogSink,
    private readonly now: () => number,
    private readonly redactKeys: RegExp,
    private readonly bindings: Record<string, unknown>,
  ) {
    this.threshold = SEVERITY[level];
  }

  isEnabled(level: LogLevel): boolean {
    return SEVERITY[level] >= this.threshold;
  }

  trace(msg: string, ctx?: LogContext): void {
    this.log('trace', msg, ctx);
  }
  debug(msg: string, ctx?: LogContext): void {
    this.log('debug', msg, ctx);
  }
  info(msg: string, ctx?: LogContext): void {
    this.log('info', msg, ctx);
  }
  warn(msg: string, ctx?: LogContext): void {
    this.log('warn', msg, ctx);
  }
  error(msg: string, ctx?: LogContext): void {
    this.log('error', msg, ctx);
  }
  fatal(msg: string, ctx?: LogContext): void {
    this.log('fatal', msg, ctx);
  }

  log(level: LogLevel, msg: string, ctx?: LogContext): void {
    if (!this.isEnabled(level)) return;
    const record: Record<string, unknown> = {
      time: new Date(this.now()).toISOString(),
      level,
      service: this.service,
      msg: redactUrlCredentials(String(msg), this.redactKeys),
    };
    const fields = redact(ctx ? { ...this.bindings, ...ctx } : this.bindings, { keyPattern: this.redactKeys }) as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) record[RESERVED.has(k) ? `ctx.${k}` : k] = v;
    let line: string;
    try {
      line = JSON.stringify(record);
    } catch (e) {
      line = JSON.stringify({ time: record['time'], level, service: this.service, msg: record['msg'], logError: String(e) });
    }
    this.sink(line);
  }

  child(bindings: LogContext): Logger {
    const { service, ...rest } = bindings;
    return new JsonLogger(
      typeof service === 'string' && service ? service : this.service,
      this.level,
      this.sink,
      this.now,
      this.redactKeys,
      { ...this.bindings, ...rest },
    );
  }
}
