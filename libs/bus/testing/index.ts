// The `@atp/bus/testing` entry: the Bus contract suite and test helpers (jest globals inside),
// kept out of the production entry `@atp/bus` so no service bundles test code.
export * from '../src/testing';
