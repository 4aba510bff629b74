export * from './bus';
export { createBus, type BusConfig } from './create-bus';
export { InProcessBus, type InProcessBusOptions } from './in-process';
export { KafkaBus, KafkaUnavailableError, KafkaConfigError, kafkaConfigFromEnv, wireHeaders, runIdOfTopic, type KafkaBusConfig } from './kafka';
export { deadLetterTopic, deadLetterRecord } from './dead-letter';
export { murmur2, partitionForKey } from './partitioner';
export { retryDelayMs } from './retry';
export { jsonStderrLogger, type BusLogEntry, type BusLogger, type BusLogLevel } from './logging';
