import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** pnl configuration: the common keys (HTTP port 3008 by default) and its own. */
export const pnlConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3008 }),
  INITIAL_CASH: Env.decimal({ default: '10000', description: 'starting cash, in the quote currency' }),
  QUOTE_CURRENCY: Env.string({ default: 'USDT', pattern: '^[A-Z]{2,10}$', rule: 'a currency code such as USDT' }),
});

export const pnlConfig = serviceConfig(pnlConfigSchema);

export type PnlConfig = Readonly<Static<typeof pnlConfigSchema>>;
