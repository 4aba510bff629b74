export * from './data';
export * from './talib';
export * from './prng';
