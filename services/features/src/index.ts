export * from './config';
export * from './features.module';
