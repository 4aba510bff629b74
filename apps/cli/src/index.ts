export * from './io';
export * from './program';
export * from './format';
