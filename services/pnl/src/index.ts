export * from './config';
export * from './pnl.module';
