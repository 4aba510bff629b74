import type { Bar } from '@atp/indicators';
import type { FeatureVector } from '../features';
import { FeatureLayout } from '../features';
import { formatParams, resolveParams, type ParamSpec, type ParamValues } from '../params';
import { noop, priceString, STRATEGY_API_VERSION, WARMUP, type Decision, type Strategy, type StrategyContext, type StrategyDefinition } from '../strategy';

const PARAMS: readonly ParamSpec[] = [
  { name: 'fast', type: 'int', default: 10, min: 2, max: 200, step: 2, description: 'fast moving average period, bars' },
  { name: 'slow', type: 'int', default: 30, min: 3, max: 400, step: 5, description: 'slow moving average period, bars (must exceed fast)' },
  { name: 'ma', type: 'enum', default: 'sma', values: ['sma', 'ema'], description: 'average type' },
  { name: 'atrStop', type: 'float', default: 0, min: 0, max: 10, step: 0.5, description: 'stop loss at close - atrStop x ATR on entry; 0 = no stop' },
  { name: 'atrPeriod', type: 'int', default: 14, min: 2, max: 100, step: 2, description: 'ATR period, bars' },
];

const NO_CROSS = noop('no cross');
const GOLDEN_HELD = noop('golden cross, already long');
const DEATH_FLAT = noop('death cross, already flat');
/**
 * The entry without a stop loss and the exit: constant decisions (frozen), as the no-ops are. A
 * run's decision log keeps every intent to the end, so a fresh pair of objects per cross was
 * tens of thousands of objects kept (and copied by the collector) over a long backtest; the same
 * fields in the same order.
 */
const GOLDEN: Decision = Object.freeze({ kind: 'intent', intent: Object.freeze({ target: 'long', entry: 'market', reason: 'golden cross: fast above slow' }) });
const DEATH: Decision = Object.freeze({ kind: 'intent', intent: Object.freeze({ target: 'flat', entry: 'market', reason: 'death cross: fast below slow' }) });

/**
 * Moving-average crossover. Long on a golden cross (fast crosses above slow: fast - slow goes from
 * <= 0 to > 0), flat on a death cross (from >= 0 to < 0); market entries; optional ATR stop.
 * Inputs recorded: close, fast, slow, atr. Warm-up: the slow average (plus one bar to see a cross).
 */
export class MaCrossover implements Strategy {
  readonly apiVersion = STRATEGY_API_VERSION;
  readonly name = 'ma-crossover';
  readonly version: string;
  readonly warmupBars: number;
  readonly features: readonly string[];
  readonly inputNames = ['close', 'fast', 'slow', 'atr'] as const;
  readonly layout: FeatureLayout;
  private readonly iFast: number;
  private readonly iSlow: number;
  private readonly iAtr: number;
  private readonly atrStop: number;
  private prevDiff = NaN;

  constructor(
    readonly params: ParamValues,
    readonly id: string,
  ) {
    const fast = params['fast'] as number;
    const slow = params['slow'] as number;
    if (fast >= slow) throw new RangeError(`ma-crossover: parameter fast (${fast}) must be below slow (${slow})`);
    const ma = params['ma'] as string;
    this.atrStop = params['atrStop'] as number;
    const atr = `atr:${params['atrPeriod'] as number}`;
    this.features = [`${ma}:${fast}`, `${ma}:${slow}`, ...(this.atrStop > 0 ? [atr] : [])];
    this.layout = new FeatureLayout(this.features);
    this.iFast = this.layout.slot(this.features[0]!);
    this.iSlow = this.layout.slot(this.features[1]!);
    this.iAtr = this.atrStop > 0 ? this.layout.slot(atr) : -1;
    this.warmupBars = Math.max(slow, this.atrStop > 0 ? (params['atrPeriod'] as number) + 1 : 0) + 1;
    this.version = `${MA_CROSSOVER.version}+${formatParams(params)}`;
  }

  onBar(candle: Bar, f: FeatureVector, _signals: unknown, ctx: StrategyContext): Decision {
    const v = f.values;
    const fast = v[this.iFast];
    const slow = v[this.iSlow];
    const atr = this.iAtr >= 0 ? v[this.iAtr] : NaN;
    const inp = ctx.inputs;
    inp[0] = candle.close;
    inp[1] = fast;
    inp[2] = slow;
    inp[3] = atr;
    const diff = fast - slow;
    const prev = this.prevDiff;
    this.prevDiff = diff;
    if (Number.isNaN(diff) || Number.isNaN(prev)) return WARMUP;
    if (prev <= 0 && diff > 0) {
      if (ctx.position > 0) return GOLDEN_HELD;
      const stop = this.atrStop > 0 && atr > 0 ? candle.close - this.atrStop * atr : NaN;
      if (!(stop > 0)) return GOLDEN;
      return {
        kind: 'intent',
        intent: {
          target: 'long',
          entry: 'market',
          stopLoss: priceString(stop),
          reason: 'golden cross: fast above slow', // the values are in the decision inputs
        },
      };
    }
    if (prev >= 0 && diff < 0) {
      if (ctx.position <= 0) return DEATH_FLAT;
      return DEATH;
    }
    return NO_CROSS;
  }
}

export const MA_CROSSOVER: StrategyDefinition = {
  name: 'ma-crossover',
  version: '1.0.0',
  description: 'Moving-average crossover (SMA or EMA): long on a golden cross, flat on a death cross, optional ATR stop loss.',
  parameters: PARAMS,
  create: (params = {}, id = 'ma-crossover') => new MaCrossover(resolveParams('ma-crossover', PARAMS, params), id),
};
