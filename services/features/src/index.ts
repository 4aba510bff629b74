export * from './config';
export * from './feature-sets';
export * from './features-core';
export * from './features.handlers';
export * from './features.module';
