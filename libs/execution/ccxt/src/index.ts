export * from './ccxt-gateway';
export * from './reconcile';
export * from './mapping';
