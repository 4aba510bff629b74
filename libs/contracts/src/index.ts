export * from './common';
export * from './contract';
export * from './codec';
export * from './headers';
export * from './dead-letter';
export * from './registry';
export * from './events';
export * from './topics-index';
