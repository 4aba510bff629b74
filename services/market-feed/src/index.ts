export * from './config';
export * from './market-feed.module';
export * from './replay';
