import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** strategy configuration: the common keys (HTTP port 3005 by default) and its own. */
export const strategyConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3005 }),
  STRATEGIES: Env.list(Type.String({ pattern: '^[a-z0-9-]+$' }), { default: ['sma-cross'], rule: 'a comma-separated list of strategy ids such as sma-cross' }),
});

export const strategyConfig = serviceConfig(strategyConfigSchema);

export type StrategyConfig = Readonly<Static<typeof strategyConfigSchema>>;
