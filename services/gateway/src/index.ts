export * from './config';
export * from './gateway.module';
export * from './status.controller';
export * from './events.gateway';
export * from './dashboard-state';
export * from './dashboard.feed';
export * from './dashboard.controller';
export * from './admin-token';
