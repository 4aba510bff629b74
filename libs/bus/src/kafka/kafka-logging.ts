import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import { jsonStderrLogger, withMinLevel, type BusLogger, type BusLogLevel } from '../logging';

const TO_KAFKA: Record<BusLogLevel, KafkaLogLevel> = {
  error: KafkaLogLevel.ERROR,
  warn: KafkaLogLevel.WARN,
  info: KafkaLogLevel.INFO,
  debug: KafkaLogLevel.DEBUG,
};

function fromKafka(level: KafkaLogLevel): BusLogLevel {
  if (level <= KafkaLogLevel.ERROR) return 'error';
  if (level === KafkaLogLevel.WARN) return 'warn';
  if (level === KafkaLogLevel.INFO) return 'info';
  return 'debug';
}

/** The logger the bus writes to: the caller's, else JSON lines on stderr; below `min` filtered out. */
export function busLogger(logger: BusLogger | undefined, min: BusLogLevel): BusLogger {
  return logger ? withMinLevel(logger, min) : jsonStderrLogger(min);
}

/** kafkajs's level for a bus level, so kafkajs does not even build records nobody will see. */
export function kafkaLogLevel(min: BusLogLevel): KafkaLogLevel {
  return TO_KAFKA[min];
}

/**
 * Routes kafkajs's log records to a BusLogger as structured records: namespace `kafkajs.<ns>`,
 * kafkajs's message, and its fields (broker, groupId, error, ...) minus its own timestamp/logger.
 */
export function kafkaLogCreator(sink: BusLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _t, logger: _l, stack: _s, ...fields } = log as { message: string; [k: string]: unknown };
      const text = String(message);
      // kafkajs's Connection logs every error response (a heartbeat during a rebalance, a
      // coordinator still loading) at error level, although the layers above retry or rejoin and
      // report what really failed: those are debug records here.
      const quiet = namespace === 'Connection' && text.startsWith('Response ');
      sink({ ...fields, level: quiet ? 'debug' : fromKafka(level), namespace: `kafkajs${namespace ? `.${namespace}` : ''}`, message: text });
    };
}
