import type { Bar } from '@atp/indicators';
import { FeatureLayout, type FeatureVector } from '../features';
import { formatParams, resolveParams, type ParamSpec, type ParamValues } from '../params';
import { noop, priceString, STRATEGY_API_VERSION, WARMUP, type Decision, type Strategy, type StrategyContext, type StrategyDefinition } from '../strategy';

const PARAMS: readonly ParamSpec[] = [
  { name: 'mode', type: 'enum', default: 'zscore', values: ['zscore', 'bollinger'], description: 'z-score of close, or close against Bollinger bands' },
  { name: 'period', type: 'int', default: 20, min: 2, max: 400, step: 5, description: 'window of the mean and deviation, bars' },
  { name: 'k', type: 'float', default: 2, min: 0.5, max: 5, step: 0.25, description: 'entry threshold, standard deviations below the mean' },
  { name: 'stopPct', type: 'float', default: 5, min: 0, max: 50, step: 1, description: 'stop loss, percent below the entry bar close; 0 = none' },
];

const INSIDE = noop('inside the band');
const HOLD = noop('long, below the mean');
const STRETCHED_HELD = noop('below -k, already long');

/**
 * Mean reversion. Enter long when the close is more than k deviations below its rolling mean
 * (z-score < -k, or close < lower Bollinger band with k deviations); exit flat when the close gets
 * back to the mean (z >= 0 / close >= middle band) or on the stop loss (a bracket at stopPct below
 * the entry bar's close). Inputs recorded: close, z (z-score mode) or lower band, mean.
 */
export class MeanReversion implements Strategy {
  readonly apiVersion = STRATEGY_API_VERSION;
  readonly name = 'mean-reversion';
  readonly version: string;
  readonly warmupBars: number;
  readonly features: readonly string[];
  readonly inputNames = ['close', 'signal', 'mean'] as const;
  readonly layout: FeatureLayout;
  private readonly zscore: boolean;
  private readonly k: number;
  private readonly stopPct: number;
  private readonly iSignal: number;
  private readonly iMean: number;

  constructor(
    readonly params: ParamValues,
    readonly id: string,
  ) {
    const period = params['period'] as number;
    this.k = params['k'] as number;
    this.stopPct = params['stopPct'] as number;
    this.zscore = params['mode'] === 'zscore';
    if (this.zscore) {
      this.features = [`zscore:${period}`, `sma:${period}`];
      this.layout = new FeatureLayout(this.features);
      this.iSignal = this.layout.slot(this.features[0]!);
      this.iMean = this.layout.slot(this.features[1]!);
    } else {
      const spec = `bbands:${period}:${this.k}:${this.k}`;
      this.features = [spec];
      this.layout = new FeatureLayout(this.features);
      this.iSignal = this.layout.slot(spec, 2); // lower band
      this.iMean = this.layout.slot(spec, 1); // middle band
    }
    this.warmupBars = period;
    this.version = `${MEAN_REVERSION.version}+${formatParams(params)}`;
  }

  onBar(candle: Bar, f: FeatureVector, _signals: unknown, ctx: StrategyContext): Decision {
    const sig = f.values[this.iSignal];
    const mean = f.values[this.iMean];
    const close = candle.close;
    ctx.inputs[0] = close;
    ctx.inputs[1] = sig;
    ctx.inputs[2] = mean;
    if (Number.isNaN(sig) || Number.isNaN(mean)) return WARMUP;
    const stretched = this.zscore ? sig < -this.k : close < sig;
    const reverted = this.zscore ? sig >= 0 : close >= mean;
    if (ctx.position > 0) {
      if (reverted) return { kind: 'intent', intent: { target: 'flat', entry: 'market', reason: 'back to the mean' } };
      return stretched ? STRETCHED_HELD : HOLD;
    }
    if (!stretched) return INSIDE;
    const stop = this.stopPct > 0 ? close * (1 - this.stopPct / 100) : NaN;
    return {
      kind: 'intent',
      intent: {
        target: 'long',
        entry: 'market',
        ...(stop > 0 ? { stopLoss: priceString(stop) } : {}),
        reason: this.zscore ? 'z-score below -k' : 'close below the lower band', // values in the inputs
      },
    };
  }
}

export const MEAN_REVERSION: StrategyDefinition = {
  name: 'mean-reversion',
  version: '1.0.0',
  description: 'Mean reversion on a z-score or Bollinger bands: long below -k deviations, flat at the mean or on a stop loss.',
  parameters: PARAMS,
  create: (params = {}, id = 'mean-reversion') => new MeanReversion(resolveParams('mean-reversion', PARAMS, params), id),
};
