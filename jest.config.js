// One jest config for the whole monorepo. Unit tests run everywhere; files named
// *.int.spec.ts need the real Kafka broker and MongoDB-wire server that
// tools/test.mjs starts (it exports KAFKA_BROKERS and MONGO_URL).
const fs = require('node:fs');
const path = require('node:path');
const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/apps', '<rootDir>/tools', '<rootDir>/bench', '<rootDir>/tests'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/tools/lint-fixture/', '/bench/.venv/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, sourceMaps: 'inline', swcrc: false }],
    // ccxt's CommonJS build requires ESM-only packages (@noble/*, @scure/*). Node >= 20.19 loads them
    // with require(esm); Jest's module runtime cannot, so SWC compiles them to CommonJS for tests.
    '/node_modules/(@noble|@scure)/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' }, swcrc: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|@scure)/)'],
  setupFiles: ['reflect-metadata'],
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  testTimeout: 30000,
};
