// Standalone otc-quotes process: config from the environment, Kafka bus and Mongo store (BUS/STORE),
// /health and /metrics on SERVICE_PORT, graceful exit on SIGTERM/SIGINT.
import { bootstrapService, runMain } from '@atp/nest-kit';
import { otcQuotesService } from './otc-quotes.module';

runMain(() => bootstrapService(otcQuotesService, { handleSignals: true }));
