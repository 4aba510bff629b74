export * from './config';
export * from './ml-inference.module';
