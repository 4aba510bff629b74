/** One structured log record of the bus (kafkajs's own records are routed here too). */
export interface BusLogEntry {
  level: BusLogLevel;
  /** Where it comes from, e.g. `bus.kafka`, `kafkajs.Consumer`. */
  namespace: string;
  message: string;
  [field: string]: unknown;
}

export type BusLogLevel = 'error' | 'warn' | 'info' | 'debug';
export type BusLogger = (entry: BusLogEntry) => void;

const RANK: Record<BusLogLevel, number> = { error: 1, warn: 2, info: 3, debug: 4 };

/** True when `level` passes a `min` threshold (`warn` passes `error` and `warn`). */
export function logLevelEnabled(level: BusLogLevel, min: BusLogLevel): boolean {
  return RANK[level] <= RANK[min];
}

/** The default sink: one JSON line per record on stderr, at `min` (default warn) and above. */
export function jsonStderrLogger(min: BusLogLevel = 'warn'): BusLogger {
  return (e) => {
    if (logLevelEnabled(e.level, min)) process.stderr.write(`${safeJson({ time: new Date().toISOString(), ...e })}\n`);
  };
}

/** Wraps a logger so records below `min` never reach it. */
export function withMinLevel(logger: BusLogger, min: BusLogLevel): BusLogger {
  return (e) => {
    if (logLevelEnabled(e.level, min)) logger(e);
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Error ? { name: x.name, message: x.message } : x));
  } catch {
    return JSON.stringify({ level: 'error', namespace: 'bus', message: 'unserialisable log record' });
  }
}
