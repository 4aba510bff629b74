export * from './config';
export * from './market-feed.module';
export * from './replay';
export * from './live-market-feed';
export * from './stale-monitor';
export * from './market-feed.runner';
