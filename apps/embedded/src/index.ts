export * from './embedded';
export * from './services';
export * from './summary';
