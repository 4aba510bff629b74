export * from './series';
export * from './risk-port';
export * from './decision-log';
export * from './engine';
