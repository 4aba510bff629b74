import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';
import { specIssue } from './spec';

/** execution configuration: the common keys (HTTP port 3007 by default) and its own. */
export const executionConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3007 }),
  PIPELINE_SPEC: Type.Optional(Env.string({ description: 'the pipeline spec (path to a JSON file, or the JSON): markets, fees, fill model, run id; default: the built-in spec' })),
  JOURNAL: Env.oneOf(['auto', 'on', 'off'] as const, { default: 'auto', description: 'the input journal (restart state): on, off, or auto = on with STORE=mongo, off with STORE=memory (where it would only grow)' }),
  GATEWAY: Env.oneOf(['paper', 'ccxt'] as const, { default: 'paper', description: 'the venue behind the ExchangeGateway port: paper (paper and replay) or ccxt (TRADING_MODE=live: real orders through ccxt)' }),
  DECISION_WAIT_MS: Env.int({
    default: 5_000,
    minimum: 0,
    maximum: 3_600_000,
    description:
      'paper venue: the decision barrier. Bar T+1 of a symbol is matched once risk has answered the decisions of T on it (as in the backtester); candles arriving earlier (a burst of closed bars) wait at most this many ms after the last progress, then are matched anyway (strategy or risk down: stops still fire). 0 = no barrier',
  }),
  ON_SHUTDOWN: Env.oneOf(['leave', 'cancel'] as const, { default: 'leave', description: 'on SIGTERM, leave open orders working or cancel them' }),
  EXCHANGE: Type.Optional(Env.string({ pattern: '^[a-z0-9]+$', rule: 'a ccxt exchange id such as binance', description: 'must agree with the pipeline spec when set' })),
  EXCHANGE_API_KEY: Type.Optional(Env.string({ secret: true, description: 'live trading credentials' })),
  EXCHANGE_API_SECRET: Type.Optional(Env.string({ secret: true })),
  EXCHANGE_API_PASSPHRASE: Type.Optional(Env.string({ secret: true })),
  EXCHANGE_API_URL: Type.Optional(Env.url(['http', 'https'], { description: "GATEWAY=ccxt: the venue's REST base URL instead of the real one (a proxy, a mirror, the local fake exchange in tests)" })),
  EXCHANGE_TIMEOUT_MS: Env.int({ default: 10_000, minimum: 100, maximum: 120_000, description: 'GATEWAY=ccxt: ms before a venue request times out (the order is then looked up by client order id)' }),
  POLL_INTERVAL_MS: Env.int({ default: 2_000, minimum: 10, maximum: 3_600_000, description: 'GATEWAY=ccxt: how often working orders are polled for fills' }),
  RECONCILE_INTERVAL_MS: Env.int({ default: 60_000, minimum: 10, maximum: 86_400_000, description: 'GATEWAY=ccxt: how often orders and balances are reconciled with the venue (also at start-up)' }),
});

export type ExecutionConfig = Readonly<Static<typeof executionConfigSchema>>;

export const executionConfig = serviceConfig(executionConfigSchema, [
  (c, key) =>
    c.TRADING_MODE === 'live' && (!c.EXCHANGE_API_KEY || !c.EXCHANGE_API_SECRET)
      ? { key: key(c.EXCHANGE_API_KEY ? 'EXCHANGE_API_SECRET' : 'EXCHANGE_API_KEY'), rule: 'is required when TRADING_MODE=live (the exchange credentials)' }
      : undefined,
  (c, key) => (c.GATEWAY === 'ccxt' && c.TRADING_MODE !== 'live' ? { key: key('GATEWAY'), rule: 'may be ccxt only with TRADING_MODE=live (it places real orders)' } : undefined),
  (c, key) => specIssue(c, key),
]);
