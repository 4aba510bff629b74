export * from './config';
export * from './spec';
export * from './pnl-core';
export * from './pnl.handlers';
export * from './pnl.module';
