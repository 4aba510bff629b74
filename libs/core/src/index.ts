export * from './clock';
export * from './adapters/system-clock';
export * from './decimal';
export * from './ids';
export * from './instrument';
export * from './timeframe';
