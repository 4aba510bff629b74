// A domain lib must not touch the transport.
import { Kafka } from 'kafkajs';

export const transport = Kafka;
