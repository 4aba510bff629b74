export * from './eventually';
export * from './recorded-data';
export * from './fake-exchange/server';
export * from './fake-exchange/private-api';
export * from './prng';
