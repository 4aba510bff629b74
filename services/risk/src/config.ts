import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** risk configuration: the common keys (HTTP port 3006 by default) and its own. */
export const riskConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3006 }),
  RISK_MAX_ORDER_NOTIONAL: Env.decimal({ default: '1000', description: 'largest order, in the quote currency' }),
  RISK_MAX_DAILY_LOSS_FRACTION: Env.number({ default: 0.05, exclusiveMinimum: 0, maximum: 1, description: 'daily loss (fraction of equity) that trips the kill switch' }),
  SHORTABLE: Type.Optional(Env.symbols({ description: 'instruments that may be shorted (spot is long-only by default)' })),
});

export const riskConfig = serviceConfig(riskConfigSchema);

export type RiskConfig = Readonly<Static<typeof riskConfigSchema>>;
