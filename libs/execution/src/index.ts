export * from './order-state';
export * from './gateway';
export * from './market';
export * from './fill-model';
export * from './paper-exchange';
export * from './matched-bars';
