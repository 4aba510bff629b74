import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** execution configuration: the common keys (HTTP port 3007 by default) and its own. */
export const executionConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3007 }),
  EXCHANGE: Env.string({ default: 'binance', pattern: '^[a-z0-9]+$', rule: 'a ccxt exchange id such as binance' }),
  FEE_RATE: Env.decimal({ default: '0.001', description: 'maker and taker fee rate (fraction) of the paper exchange' }),
  SLIPPAGE_BPS: Env.number({ default: 5, minimum: 0, maximum: 1000, description: 'fixed slippage against the trader on market and stop fills, in basis points' }),
  FILL_AT: Env.oneOf(['next-open', 'close'] as const, { default: 'next-open', description: 'market orders fill at the next open, or at the close (cheat-on-close)' }),
  EXCHANGE_API_KEY: Type.Optional(Env.string({ secret: true, description: 'live trading credentials' })),
  EXCHANGE_API_SECRET: Type.Optional(Env.string({ secret: true })),
  EXCHANGE_API_PASSPHRASE: Type.Optional(Env.string({ secret: true })),
});

export const executionConfig = serviceConfig(executionConfigSchema, [
  (c, key) =>
    c.TRADING_MODE === 'live' && (!c.EXCHANGE_API_KEY || !c.EXCHANGE_API_SECRET)
      ? { key: key(c.EXCHANGE_API_KEY ? 'EXCHANGE_API_SECRET' : 'EXCHANGE_API_KEY'), rule: 'is required when TRADING_MODE=live (the exchange credentials)' }
      : undefined,
]);

export type ExecutionConfig = Readonly<Static<typeof executionConfigSchema>>;
