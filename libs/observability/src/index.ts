export * from './redact';
export * from './logger';
export * from './nest-logger';
export * from './metrics';
export * from './tracing';
