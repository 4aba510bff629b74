export * from './config';
export * from './otc-quotes.module';
