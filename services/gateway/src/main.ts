// Standalone gateway process: config from the environment, Kafka bus and Mongo store (BUS/STORE),
// REST API, WebSocket /ws, /health and /metrics on SERVICE_PORT, graceful exit on SIGTERM/SIGINT.
import { bootstrapService, runMain } from '@atp/nest-kit';
import { gatewayService } from './gateway.module';

runMain(() => bootstrapService(gatewayService, { handleSignals: true }));
