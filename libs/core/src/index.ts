export * from './clock';
export * from './adapters/system-clock';
export * from './decimal';
export * from './ids';
export * from './id-table';
export * from './instrument';
export * from './timeframe';
// The hot values again by name: a CommonJS build turns `export *` into one getter per name that
// reads `module[name]` with a varying key (a megamorphic load on every call through the barrel);
// a named re-export reads a fixed property. Same bindings, same values.
export { ManualClock } from './clock';
export { Dec, decAdd, decApprox, decCmp, decDiv, decMul, decProduct, decNumber, decScaledInto, decSub, decToNumber, decToString, gtZero, isDecimalString, ltZero, lteZero, placesOfStep, roundToPlaces, roundToStep, scaledToString, toDecimal } from './decimal';
export { IdTable } from './id-table';
export { base36, clientOrderId, eventIdAt, eventIdFrom, fillId, isValidClientOrderId } from './ids';
export { instrumentKey, parseInstrumentKey, splitSymbol } from './instrument';
export { TIMEFRAMES, barCloseTime, barsPerYear, floorToTimeframe, isTimeframe, timeframeMs, utcDayStart } from './timeframe';
