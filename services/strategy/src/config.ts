import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';
import { serviceSpec, specIssue } from './spec';

/** strategy configuration: the common keys (HTTP port 3005 by default) and its own. */
export const strategyConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3005 }),
  PIPELINE_SPEC: Type.Optional(Env.string({ description: 'the pipeline spec (path to a JSON file, or the JSON): strategy instances, symbols, timeframe, run id; default: the built-in spec' })),
  JOURNAL: Env.oneOf(['auto', 'on', 'off'] as const, { default: 'auto', description: 'the input journal (restart state): on, off, or auto = on with STORE=mongo, off with STORE=memory (where it would only grow)' }),
  STRATEGIES: Type.Optional(Env.list(Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), { rule: 'a comma-separated list of strategy ids such as ma-crossover', description: 'the strategy instances (ids of the spec) this process runs; default all' })),
  FEATURES_SOURCE: Env.oneOf(['in-process', 'topic'] as const, {
    default: 'in-process',
    description: 'in-process: compute features with the streaming indicators, as the backtester does; topic: join features.v1 from the features service',
  }),
  FEATURE_SET: Env.string({ default: 'default', pattern: '^[a-z0-9-]+$', rule: 'a feature set id such as default', description: 'feature set joined from features.v1 (FEATURES_SOURCE=topic)' }),
  JOIN_SIGNALS: Env.bool({ default: false, description: 'wait for the signals.v1 record of each bar before deciding (ML-gated strategies)' }),
});

export type StrategyConfig = Readonly<Static<typeof strategyConfigSchema>>;

export const strategyConfig = serviceConfig(strategyConfigSchema, [
  (c, key) => specIssue(c, key),
  (c, key) => {
    if (!c.STRATEGIES) return undefined;
    let ids: string[];
    try {
      ids = serviceSpec(c).strategies.map((s) => s.id);
    } catch {
      return undefined; // reported by the spec check
    }
    const unknown = c.STRATEGIES.filter((s) => !ids.includes(s));
    return unknown.length ? { key: key('STRATEGIES'), rule: `must name strategy instances of the pipeline spec (${ids.join(', ')}); unknown: ${unknown.join(', ')}` } : undefined;
  },
]);
