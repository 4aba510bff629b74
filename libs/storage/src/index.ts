export * from './storage';
export { InvalidDocumentError } from './internal/plain-data';
export * from './memory';
