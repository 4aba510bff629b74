export * from './bus';
export { InProcessBus, type InProcessBusOptions } from './in-process';
export { deadLetterTopic, deadLetterRecord } from './dead-letter';
export { murmur2, partitionForKey } from './partitioner';
export { retryDelayMs } from './retry';
export { jsonStderrLogger, type BusLogEntry, type BusLogger, type BusLogLevel } from './logging';
