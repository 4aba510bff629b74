import { Sma, type Bar } from '@atp/indicators';
import { FeatureLayout, type FeatureVector } from '../features';
import { formatParams, resolveParams, type ParamSpec, type ParamValues } from '../params';
import { noop, STRATEGY_API_VERSION, WARMUP, type Decision, type Strategy, type StrategyContext, type StrategyDefinition } from '../strategy';

const PARAMS: readonly ParamSpec[] = [
  { name: 'period', type: 'int', default: 20, min: 2, max: 400, step: 5, description: 'entry channel: highest high / lowest low of the previous n bars' },
  { name: 'exitPeriod', type: 'int', default: 10, min: 2, max: 400, step: 5, description: 'exit channel: flat when the close breaks below the lowest low of the previous n bars' },
  { name: 'atrFilter', type: 'float', default: 0, min: 0, max: 5, step: 0.25, description: 'the close must clear the upper channel by atrFilter x ATR; 0 = off' },
  { name: 'atrPeriod', type: 'int', default: 14, min: 2, max: 100, step: 2, description: 'ATR period, bars' },
  { name: 'volumeFactor', type: 'float', default: 0, min: 0, max: 10, step: 0.5, description: 'volume must exceed volumeFactor x its average over `period` bars; 0 = off' },
  { name: 'trailingStopPct', type: 'float', default: 0, min: 0, max: 50, step: 1, description: 'trailing stop distance, percent; 0 = none' },
];

const INSIDE = noop('inside the channel');
const FILTERED_ATR = noop('breakout below the ATR filter');
const FILTERED_VOLUME = noop('breakout without volume confirmation');
const HELD = noop('long, above the exit channel');

/**
 * Donchian channel breakout. Long when the close breaks above the highest high of the previous
 * `period` bars (optionally by atrFilter x ATR, optionally on volume above volumeFactor x its
 * average); flat when the close breaks below the lowest low of the previous `exitPeriod` bars, or
 * by the trailing stop bracket. The channels are those of bar T-1 (a channel that includes bar T
 * can never be broken by T's close). Inputs recorded: close, upper, exitLower, atr, volume, avgVolume.
 */
export class Breakout implements Strategy {
  readonly apiVersion = STRATEGY_API_VERSION;
  readonly name = 'breakout';
  readonly version: string;
  readonly warmupBars: number;
  readonly features: readonly string[];
  readonly inputNames = ['close', 'upper', 'exitLower', 'atr', 'volume', 'avgVolume'] as const;
  readonly layout: FeatureLayout;
  private readonly iUpper: number;
  private readonly iExitLower: number;
  private readonly iAtr: number;
  private readonly atrFilter: number;
  private readonly volumeFactor: number;
  private readonly trailing: number;
  /** Streaming average of volume (the registry's averages run on close). */
  private readonly avgVolume: Sma;
  private prevUpper = NaN;
  private prevExitLower = NaN;
  private prevAvgVolume = NaN;

  constructor(
    readonly params: ParamValues,
    readonly id: string,
  ) {
    const period = params['period'] as number;
    const exitPeriod = params['exitPeriod'] as number;
    this.atrFilter = params['atrFilter'] as number;
    this.volumeFactor = params['volumeFactor'] as number;
    this.trailing = params['trailingStopPct'] as number;
    const atr = `atr:${params['atrPeriod'] as number}`;
    this.features = [`donchian:${period}`, `donchian:${exitPeriod}`, ...(this.atrFilter > 0 ? [atr] : [])];
    this.layout = new FeatureLayout(this.features);
    this.iUpper = this.layout.slot(`donchian:${period}`, 0);
    this.iExitLower = this.layout.slot(`donchian:${exitPeriod}`, 2);
    this.iAtr = this.atrFilter > 0 ? this.layout.slot(atr) : -1;
    this.avgVolume = new Sma(period);
    this.warmupBars = Math.max(period, exitPeriod, this.atrFilter > 0 ? (params['atrPeriod'] as number) + 1 : 0) + 1;
    this.version = `${BREAKOUT.version}+${formatParams(params)}`;
  }

  onBar(candle: Bar, f: FeatureVector, _signals: unknown, ctx: StrategyContext): Decision {
    const v = f.values;
    const upper = this.prevUpper;
    const exitLower = this.prevExitLower;
    const avgVol = this.prevAvgVolume;
    this.prevUpper = v[this.iUpper];
    this.prevExitLower = v[this.iExitLower];
    const av = this.avgVolume.update(candle.volume);
    this.prevAvgVolume = av === null ? NaN : av;
    const atr = this.iAtr >= 0 ? v[this.iAtr] : NaN;
    const close = candle.close;
    const inp = ctx.inputs;
    inp[0] = close;
    inp[1] = upper;
    inp[2] = exitLower;
    inp[3] = atr;
    inp[4] = candle.volume;
    inp[5] = avgVol;
    if (Number.isNaN(upper) || Number.isNaN(exitLower)) return WARMUP;
    if (ctx.position > 0) {
      if (close < exitLower) return { kind: 'intent', intent: { target: 'flat', entry: 'market', reason: 'close below the exit channel' } };
      return HELD;
    }
    if (!(close > upper)) return INSIDE;
    if (this.atrFilter > 0 && !(close > upper + this.atrFilter * atr)) return FILTERED_ATR;
    if (this.volumeFactor > 0 && !(candle.volume > this.volumeFactor * avgVol)) return FILTERED_VOLUME;
    return {
      kind: 'intent',
      intent: {
        target: 'long',
        entry: 'market',
        ...(this.trailing > 0 ? { trailingStopPct: this.trailing } : {}),
        reason: 'close broke above the channel', // values in the inputs
      },
    };
  }
}

export const BREAKOUT: StrategyDefinition = {
  name: 'breakout',
  version: '1.0.0',
  description: 'Donchian channel breakout with optional ATR filter and volume confirmation; exit on the opposite (exit) channel or a trailing stop.',
  parameters: PARAMS,
  create: (params = {}, id = 'breakout') => new Breakout(resolveParams('breakout', PARAMS, params), id),
};
