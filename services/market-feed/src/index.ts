export * from './config';
export * from './market-feed.module';
