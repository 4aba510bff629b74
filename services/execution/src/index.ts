export * from './config';
export * from './execution.module';
