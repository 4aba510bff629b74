export * from './config';
export * from './gateway.module';
export * from './status.controller';
export * from './events.gateway';
