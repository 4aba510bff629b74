// Standalone strategy process: config from the environment, Kafka bus and Mongo store (BUS/STORE),
// /health and /metrics on SERVICE_PORT, graceful exit on SIGTERM/SIGINT.
import { bootstrapService, runMain } from '@atp/nest-kit';
import { strategyService } from './strategy.module';

runMain(() => bootstrapService(strategyService, { handleSignals: true }));
