export * from './storage';
export { InvalidDocumentError } from './internal/plain-data';
export * from './memory';
export * from './mongo';
