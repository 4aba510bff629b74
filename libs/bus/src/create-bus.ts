import type { Bus } from './bus';
import { InProcessBus, type InProcessBusOptions } from './in-process';
import { KafkaBus, type KafkaBusConfig } from './kafka';

/** Which bus a process runs on: the embedded default, or Kafka. */
export type BusConfig = ({ kind: 'in-process' } & InProcessBusOptions) | ({ kind: 'kafka' } & KafkaBusConfig);

/**
 * The bus for a configuration. Kafka connects first and rejects fast (KafkaUnavailableError naming
 * KAFKA_BROKERS and the address) when no broker answers; a bad setting rejects with a
 * KafkaConfigError naming it.
 */
export async function createBus(config: BusConfig): Promise<Bus> {
  switch (config.kind) {
    case 'in-process': {
      const { kind: _k, ...options } = config;
      return new InProcessBus(options);
    }
    case 'kafka': {
      const { kind: _k, ...options } = config;
      return KafkaBus.connect(options);
    }
    default:
      throw new Error(`unknown bus kind ${JSON.stringify((config as { kind?: unknown }).kind)}: use 'in-process' or 'kafka'`);
  }
}
