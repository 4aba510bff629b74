export * from './series';
export * from './risk-port';
export * from './decision-log';
export * from './engine';
export * from './report/report-data';
export * from './report/html';
// File adapters (report writer, recorded-data reader), like core's system clock: the only
// modules of this lib that touch the file system or the environment.
export * from './adapters/index';
export * from './lib-risk';
export * from './optimiser/search';
export * from './optimiser/deflated-sharpe';
export * from './optimiser/pbo';
export * from './optimiser/optimiser';
export * from './run-spec';
