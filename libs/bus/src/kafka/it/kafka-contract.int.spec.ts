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
