// The Bus contract suite (the port's executable specification) on the Kafka bus, against the real
// broker that `npm test` starts.
import { runBusContractSuite } from '../../testing';
import { KafkaBus } from '../kafka-bus';
import { requireKafkaBrokers } from './env';

const brokers = requireKafkaBrokers();

runBusContractSuite(
  'kafka',
  async () => {
    const bus = await KafkaBus.connect({ brokers, clientId: 'bus-contract-it' });
    return { bus, cleanup: () => bus.close() };
  },
  { eventuallyTimeoutMs: 30_000, testTimeoutMs: 90_000 },
);

// The same suite with the producer pool: publishes encoded here, produced by two kafkajs producers
// in worker threads (KAFKA_PRODUCER_THREADS=2).
runBusContractSuite(
  'kafka, 2 producer threads',
  async () => {
    const bus = await KafkaBus.connect({ brokers, clientId: 'bus-contract-pool-it', producerThreads: 2 });
    return { bus, cleanup: () => bus.close() };
  },
  { eventuallyTimeoutMs: 30_000, testTimeoutMs: 90_000 },
);

// And with the one producer in a worker thread (KAFKA_PRODUCER_WORKER=true).
runBusContractSuite(
  'kafka, producer in a worker thread',
  async () => {
    const bus = await KafkaBus.connect({ brokers, clientId: 'bus-contract-worker-it', producerWorker: true });
    return { bus, cleanup: () => bus.close() };
  },
  { eventuallyTimeoutMs: 30_000, testTimeoutMs: 90_000 },
);
