// Test helpers for Store implementations. Not exported from the lib's index: production code never imports them.
export * from './storage-contract-suite';
