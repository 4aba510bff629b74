export * from './config';
export * from './risk.module';
