// Runs TypeScript sources directly (services, CLI, bench) with SWC, keeping
// decorator metadata that NestJS dependency injection needs.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('reflect-metadata');
require('@swc-node/register');
