export { KafkaBus, KafkaUnavailableError } from './kafka-bus';
export { KafkaConfigError, kafkaConfigFromEnv, resolveKafkaConfig, type KafkaBusConfig } from './config';
export { wireHeaders, runIdOfTopic } from './wire-headers';
