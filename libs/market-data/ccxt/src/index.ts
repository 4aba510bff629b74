export * from './exchange';
export * from './retry';
export * from './backfill';
export * from './live';
export * from './markets';
export * from './collections';
export * from './candle-dir-store';
export * from './market-data-bootstrap';
