import type { LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { Logger, LogLevel } from './logger';

/** Nest's own start-up chatter (route mapping, module init) goes to this level, not `info`. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'WebSocketsController', 'NestMicroservice']);

/**
 * Nest `LoggerService` over the JSON logger, so Nest's own messages are structured records too
 * (`context` field = Nest's context string). Pass it as `NestFactory.create(m, { logger })`.
 */
export class NestLoggerAdapter implements LoggerService {
  constructor(
    private readonly logger: Logger,
    private readonly frameworkLevel: LogLevel = 'debug',
  ) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context } = split(params, false);
    this.write(context && FRAMEWORK_CONTEXTS.has(context) ? this.frameworkLevel : 'info', message, context);
  }
  error(message: unknown, ...params: unknown[]): void {
    const { context, stack } = split(params, true);
    this.write('error', message, context, stack);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, split(params, false).context);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, split(params, false).context);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, split(params, false).context);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    const { context, stack } = split(params, true);
    this.write('fatal', message, context, stack);
  }
  /** Levels are governed by the JSON logger's own level; Nest's setting is ignored. */
  setLogLevels(_levels: NestLogLevel[]): void {
    // intentionally a no-op
  }

  private write(level: LogLevel, message: unknown, context?: string, stack?: string): void {
    if (!this.logger.isEnabled(level)) return;
    const ctx: Record<string, unknown> = {};
    if (context) ctx['context'] = context;
    if (stack) ctx['stack'] = stack;
    if (message instanceof Error) {
      this.logger.log(level, message.message, { ...ctx, err: message });
    } else if (typeof message === 'object' && message !== null) {
      this.logger.log(level, 'nest', { ...ctx, data: message });
    } else {
      this.logger.log(level, String(message), ctx);
    }
  }
}

/** Nest passes `(message, [stack], [context])`: the last string is the context, a multi-line one the stack. */
function split(params: unknown[], withStack: boolean): { context?: string; stack?: string } {
  const strings = params.filter((p): p is string => typeof p === 'string');
  if (strings.length === 0) return {};
  const last = strings[strings.length - 1]!;
  if (withStack && strings.length === 1 && last.includes('\n')) return { stack: last };
  return { context: last, stack: withStack && strings.length > 1 ? strings[0] : undefined };
}
