// I/O adapters of the backtester (file reading and writing): import from '@atp/backtest/adapters'
// style paths in CLIs and benches; the domain index stays free of fs and process.env.
export * from './report-writer';
export * from './recorded-data';
export * from './worker-executor';
export * from './recorded-run';
export * from './pipeline-spec-file';
