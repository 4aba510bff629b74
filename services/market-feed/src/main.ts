// Standalone market-feed process: config from the environment, Kafka bus and Mongo store (BUS/STORE),
// /health and /metrics on SERVICE_PORT, graceful exit on SIGTERM/SIGINT.
import { bootstrapService, runMain } from '@atp/nest-kit';
import { marketFeedService } from './market-feed.module';

runMain(() => bootstrapService(marketFeedService, { handleSignals: true }));
