// @atp/indicators: technical indicators in two forms over one implementation of
// the maths — batch (Float64Array in, Float64Array out, NaN during warm-up) and
// streaming (O(1) update per bar, JSON state). TA-Lib conventions throughout.
export * from './core/types';
export { encodeNumber, decodeNumber } from './core/state';
export { trueRange, TA_EPSILON } from './core/talib';
export { HighLowWindow } from './core/high-low-window';

export { Sma, sma } from './sma/sma';
export { Ema, ema } from './ema/ema';
export { Wma, wma } from './wma/wma';
export { Rsi, rsi } from './rsi/rsi';
export { BBands, bbands, type BollingerBands, type BollingerBandsSeries } from './bbands/bbands';
export { Macd, macd, type MacdValue, type MacdSeries } from './macd/macd';
export { Atr, atr } from './atr/atr';
export { FastK } from './stoch/fast-k';
export { Stoch, stoch, type StochValue, type StochSeries } from './stoch/stoch';
export { StochF, stochf } from './stochf/stochf';
export { Dmi, dmi, adx, type DmiValue, type DmiSeries } from './dmi/dmi';
export { Obv, obv, type CloseVolume } from './obv/obv';
export { Cci, cci } from './cci/cci';
export { Roc, roc } from './roc/roc';
export { StdDev, stddev } from './stddev/stddev';
export { Vwap, vwap, MS_PER_DAY, type VwapBar } from './vwap/vwap';
export { Donchian, donchian, type HighLow, type Channel, type ChannelSeries } from './donchian/donchian';
export { Keltner, keltner } from './keltner/keltner';
export { ZScore, zscore } from './zscore/zscore';

export { checkBar, isGap, missingBars, BarSequenceChecker, type BarProblem, type BarCheck } from './validation/check-bar';

export { type IndicatorSpec, type ParamDef, formatIndicatorSpec } from './registry/spec';
export { INDICATORS, type IndicatorDef } from './registry/definitions';
export {
  parseIndicatorSpec,
  createIndicator,
  restoreIndicator,
  computeIndicator,
  columnNames,
  indicatorNames,
  indicatorDefinition,
  type FeatureIndicator,
} from './registry/registry';
export { FEATURE_SETS, featureSet, FeatureSetRunner, computeFeatureSet, type FeatureSetDef } from './registry/feature-sets';
