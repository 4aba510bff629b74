export * from './params';
export * from './features';
export * from './strategy';
export * from './registry';
export { MaCrossover, MA_CROSSOVER } from './ma-crossover/ma-crossover';
export { MeanReversion, MEAN_REVERSION } from './mean-reversion/mean-reversion';
export { Breakout, BREAKOUT } from './breakout/breakout';
