// Domain (pure)
export * from './candle';
export * from './trade';
export * from './book';
export * from './book-builder';
export * from './gaps';
export * from './validate';
export * from './resample';
export * from './sink';
export * from './parse/time';
export * from './parse/csv';
export * from './parse/columns';
export * from './parse/json-scanner';
export * from './parse/candle-rows';
export * from './parse/recorded';
export * from './parse/candle-columns';
export * from './parse/ohlcv-json';
export * from './parse/decimal-text';
// File-reading importers (the lib's only I/O, node:fs / node:zlib)
export * from './adapters/files';
export * from './adapters/batch-writer';
export * from './adapters/import-candles';
export * from './adapters/import-trades';
export * from './adapters/import-book';
export * from './adapters/recorded';
