export * from './config';
export * from './spec';
export * from './risk-core';
export * from './risk.handlers';
export * from './risk.module';
