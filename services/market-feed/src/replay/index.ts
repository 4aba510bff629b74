export * from './candle-source';
export * from './pipeline-groups';
export * from './replay-driver';
