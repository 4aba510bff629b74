// Test helpers of the Bus port. Uses jest's globals: import from spec files only, through
// `@atp/bus/testing` (libs/bus/testing), never from the production entry `@atp/bus`.
export { runBusContractSuite, type BusUnderTest, type BusContractSuiteOptions } from './bus-contract-suite';
export { eventually, clockPast, uniqueRunId } from './eventually';
export { testCandle, seqOf, TEST_SYMBOLS } from './fixtures';
