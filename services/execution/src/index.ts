export * from './config';
export * from './spec';
export * from './execution-core';
export * from './execution.handlers';
export * from './execution.live';
export * from './execution.module';
