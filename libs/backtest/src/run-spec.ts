import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { TIMEFRAMES, type Timeframe } from '@atp/core';
import { defaultMarket, fillModel, type FillModel, type MarketSpec } from '@atp/execution';
import type { RiskLimits, SizingRule } from '@atp/risk';
import { createStrategy } from '@atp/strategies';
import { registeredStrategy, type BacktestConfig } from './engine';

/**
 * The pipeline spec (version 1): ONE description of a trading run shared by the in-process
 * backtester and the services (strategy, risk, execution, pnl), so a backtest and a replay of the
 * same data under the same run id are the same run. JSON-safe; the services load it from
 * `PIPELINE_SPEC` (a path or the JSON itself).
 *
 * - `strategies`: instances with an id (ordering key of decisions and risk checks), a registered
 *   strategy name, its parameters, the symbols it trades (default: all), its timeframe (default:
 *   the run's) and its capital allocation as a sizing rule (`sizing`, default: the account's).
 * - `risk.limits`: `@atp/risk` limits and sizing; absent = 95% of equity divided among the
 *   (strategy, symbol) slots, as the backtester's default.
 * - `execution`: the fill model (fills, slippage, participation) and per-market overrides of
 *   precision and fees (default: 8 places, 0.1% maker and taker).
 */
export const PIPELINE_SPEC_VERSION = 1 as const;

const SYMBOL = Type.String({ pattern: '^[A-Z0-9]{1,20}/[A-Z0-9]{1,20}$' });
const DECIMAL = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?$' });
const ConfigNumber = Type.Union([DECIMAL, Type.Number({ minimum: 0 })]);
const TimeframeSchema = Type.Union(TIMEFRAMES.map((t) => Type.Literal(t)));

const SizingRuleSchema = Type.Union([
  Type.Object({ method: Type.Literal('fixed-fractional'), riskPct: ConfigNumber }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('atr'), riskPct: ConfigNumber, atrMultiple: ConfigNumber }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('kelly'), winRate: ConfigNumber, payoffRatio: ConfigNumber, cap: ConfigNumber, fraction: Type.Optional(ConfigNumber) }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal('fixed-notional'), notional: ConfigNumber }, { additionalProperties: false }),
]);

const RiskLimitsSchema = Type.Object(
  {
    sizing: SizingRuleSchema,
    sizingByStrategy: Type.Optional(Type.Record(Type.String(), SizingRuleSchema)),
    maxPositionQty: Type.Optional(ConfigNumber),
    maxPositionNotional: Type.Optional(ConfigNumber),
    maxGrossExposure: Type.Optional(ConfigNumber),
    maxGrossLeverage: Type.Optional(ConfigNumber),
    maxOrderRate: Type.Optional(Type.Object({ count: Type.Integer({ minimum: 1 }), windowMs: Type.Integer({ minimum: 1 }) }, { additionalProperties: false })),
    priceCollarPct: Type.Optional(ConfigNumber),
    staleAfterBars: Type.Optional(Type.Integer({ minimum: 1 })),
    dailyLossLimitPct: Type.Optional(ConfigNumber),
    maxDrawdownPct: Type.Optional(ConfigNumber),
    requireStopLoss: Type.Optional(Type.Boolean()),
    limitOrderTtlBars: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const PipelineSpecSchema = Type.Object(
  {
    version: Type.Literal(PIPELINE_SPEC_VERSION),
    runId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    exchange: Type.String({ pattern: '^[a-z0-9]+$' }),
    timeframe: TimeframeSchema,
    symbols: Type.Array(SYMBOL, { minItems: 1 }),
    initialCash: DECIMAL,
    quoteCurrency: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,10}$' })),
    strategies: Type.Array(
      Type.Object(
        {
          id: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,40}$' }),
          strategy: Type.String({ minLength: 1 }),
          params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()]))),
          symbols: Type.Optional(Type.Array(SYMBOL, { minItems: 1 })),
          timeframe: Type.Optional(TimeframeSchema),
          sizing: Type.Optional(SizingRuleSchema),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    risk: Type.Optional(
      Type.Object(
        {
          limits: Type.Optional(RiskLimitsSchema),
          atrPeriod: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          shortable: Type.Optional(Type.Array(SYMBOL)),
        },
        { additionalProperties: false },
      ),
    ),
    execution: Type.Optional(
      Type.Object(
        {
          fillModel: Type.Optional(
            Type.Object(
              {
                marketFill: Type.Optional(Type.Union([Type.Literal('next-open'), Type.Literal('cheat-on-close')])),
                touchFills: Type.Optional(Type.Boolean()),
                slippageBps: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 10_000 })),
                participationPct: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
              },
              { additionalProperties: false },
            ),
          ),
          markets: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  symbol: SYMBOL,
                  amountPlaces: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
                  pricePlaces: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
                  quotePlaces: Type.Optional(Type.Integer({ minimum: 0, maximum: 18 })),
                  makerFee: Type.Optional(DECIMAL),
                  takerFee: Type.Optional(DECIMAL),
                },
                { additionalProperties: false },
              ),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false, title: 'PipelineSpec' },
);

export type PipelineSpec = Static<typeof PipelineSpecSchema>;

/** One strategy instance of a spec, with its defaults filled in. */
export interface StrategyInstanceSpec {
  readonly id: string;
  readonly strategy: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly sizing?: SizingRule;
}

/** A spec that cannot run; the message names the field (`strategies[1].params: ...`). */
export class PipelineSpecError extends Error {
  override name = 'PipelineSpecError';
}

const checker = TypeCompiler.Compile(PipelineSpecSchema as TSchema);

/**
 * Validates a parsed spec and returns it deeply frozen. Checks the schema, that strategy ids are
 * unique, that every strategy is registered with valid parameters, and that instance symbols are
 * symbols of the run. Throws PipelineSpecError naming every problem found (up to five).
 */
export function parsePipelineSpec(value: unknown): PipelineSpec {
  if (!checker.Check(value)) {
    const issues: string[] = [];
    for (const e of checker.Errors(value)) {
      issues.push(`${e.path.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.') || '(root)'}: ${e.message}`);
      if (issues.length >= 5) break;
    }
    throw new PipelineSpecError(`invalid pipeline spec: ${issues.join('; ')}`);
  }
  const spec = value as PipelineSpec;
  const issues: string[] = [];
  const ids = new Set<string>();
  const runSymbols = new Set(spec.symbols);
  if (runSymbols.size !== spec.symbols.length) issues.push('symbols: duplicate symbol');
  spec.strategies.forEach((s, i) => {
    if (ids.has(s.id)) issues.push(`strategies[${i}].id: duplicate strategy id ${s.id}`);
    ids.add(s.id);
    try {
      createStrategy(s.strategy, s.params ?? {}, s.id);
    } catch (e) {
      issues.push(`strategies[${i}]: ${(e as Error).message}`);
    }
    for (const sym of s.symbols ?? []) if (!runSymbols.has(sym)) issues.push(`strategies[${i}].symbols: ${sym} is not a symbol of the run (${spec.symbols.join(', ')})`);
  });
  for (const m of spec.execution?.markets ?? []) if (!runSymbols.has(m.symbol)) issues.push(`execution.markets: ${m.symbol} is not a symbol of the run`);
  try {
    fillModel(spec.execution?.fillModel);
  } catch (e) {
    issues.push(`execution.fillModel: ${(e as Error).message}`);
  }
  if (spec.strategies.some((s) => s.sizing) && !spec.risk?.limits) issues.push('risk.limits: a strategy sizing (capital allocation) needs account limits with a sizing rule');
  if (issues.length) throw new PipelineSpecError(`invalid pipeline spec: ${issues.slice(0, 5).join('; ')}`);
  return deepFreeze(structuredClone(spec));
}

/** The strategy instances in (strategy id) order: the order of decisions and of risk checks. */
export function strategyInstances(spec: PipelineSpec): StrategyInstanceSpec[] {
  return [...spec.strategies]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s) => ({
      id: s.id,
      strategy: s.strategy,
      params: s.params ?? {},
      symbols: [...(s.symbols ?? spec.symbols)].sort(),
      timeframe: s.timeframe ?? spec.timeframe,
      ...(s.sizing ? { sizing: s.sizing as SizingRule } : {}),
    }));
}

/** The run's symbols, sorted (the backtester's symbol order). */
export function specSymbols(spec: PipelineSpec): string[] {
  return [...spec.symbols].sort();
}

/** Markets of the run's symbols: `defaultMarket` with the spec's overrides. */
export function specMarkets(spec: PipelineSpec): MarketSpec[] {
  const over = new Map((spec.execution?.markets ?? []).map((m) => [m.symbol, m]));
  return specSymbols(spec).map((s) => {
    const o = over.get(s);
    if (!o) return defaultMarket(s);
    const { symbol: _s, ...rest } = o;
    return defaultMarket(s, rest);
  });
}

/** The account's risk limits with each instance's sizing (capital allocation) as `sizingByStrategy`; undefined = the default sizing. */
export function specRiskLimits(spec: PipelineSpec): RiskLimits | undefined {
  const base = spec.risk?.limits as RiskLimits | undefined;
  if (!base) return undefined;
  const own = Object.fromEntries(spec.strategies.filter((s) => s.sizing).map((s) => [s.id, s.sizing as SizingRule]));
  return Object.keys(own).length ? { ...base, sizingByStrategy: { ...(base.sizingByStrategy ?? {}), ...own } } : base;
}

/** The fill model of the run (validated, frozen). */
export function specFillModel(spec: PipelineSpec): FillModel {
  return fillModel(spec.execution?.fillModel);
}

/** `exchange:symbol` keys that may be shorted. */
export function specShortable(spec: PipelineSpec): string[] {
  return (spec.risk?.shortable ?? []).map((s) => `${spec.exchange}:${s}`);
}

/** (strategy, symbol) slots sharing the account: the default sizing divides the equity among them. */
export function specSlots(spec: PipelineSpec): number {
  return strategyInstances(spec).reduce((n, s) => n + s.symbols.length, 0);
}

/**
 * The backtester's configuration for a spec: the same strategies, markets, fill model, limits and
 * run id the services use. Throws PipelineSpecError when an instance trades a subset of the symbols
 * or another timeframe (the in-process backtester runs every instance on every symbol of one
 * timeframe).
 */
export function backtestConfigFromSpec(spec: PipelineSpec, extra: Partial<BacktestConfig> = {}): BacktestConfig {
  for (const s of strategyInstances(spec)) {
    if (s.symbols.length !== spec.symbols.length) throw new PipelineSpecError(`strategy ${s.id}: the backtester runs every instance on every symbol; it trades ${s.symbols.join(', ')} of ${spec.symbols.join(', ')}`);
    if (s.timeframe !== spec.timeframe) throw new PipelineSpecError(`strategy ${s.id}: timeframe ${s.timeframe} differs from the run's ${spec.timeframe}`);
  }
  const limits = specRiskLimits(spec);
  return {
    runId: spec.runId,
    strategies: strategyInstances(spec).map((s) => registeredStrategy(s.strategy, s.params, s.id)),
    initialCash: spec.initialCash,
    quoteCurrency: spec.quoteCurrency ?? 'USDT',
    markets: specMarkets(spec),
    fillModel: spec.execution?.fillModel,
    ...(limits ? { riskLimits: limits } : {}),
    ...(spec.risk?.atrPeriod !== undefined ? { atrPeriod: spec.risk.atrPeriod } : {}),
    shortable: specShortable(spec),
    ...extra,
  };
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object') {
    for (const v of Object.values(x as Record<string, unknown>)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/**
 * The spec a service runs without `PIPELINE_SPEC`: binance BTC/USDT and ETH/USDT on 1h, 10,000 USDT,
 * one `ma-crossover` instance with its default parameters, default risk and fills.
 */
export function defaultPipelineSpec(runId = 'paper'): PipelineSpec {
  return parsePipelineSpec({
    version: PIPELINE_SPEC_VERSION,
    runId,
    exchange: 'binance',
    timeframe: '1h',
    symbols: ['BTC/USDT', 'ETH/USDT'],
    initialCash: '10000',
    strategies: [{ id: 'ma-crossover', strategy: 'ma-crossover' }],
  });
}
