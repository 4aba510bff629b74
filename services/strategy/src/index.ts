export * from './config';
export * from './spec';
export * from './strategy-core';
export * from './strategy.handlers';
export * from './strategy.module';
