export * from './config';
export * from './strategy.module';
