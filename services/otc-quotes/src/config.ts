import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** otc-quotes configuration: the common keys (HTTP port 3002 by default) and its own. */
export const otcQuotesConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3002 }),
  OTC_PROVIDERS: Env.list(Type.String({ pattern: '^[a-z0-9-]+$' }), { default: ['simulated'], rule: 'a comma-separated list of provider ids such as simulated' }),
  OTC_QUOTE_TTL_MS: Env.int({ default: 5_000, minimum: 100, maximum: 600_000, description: 'how long a requested quote stays firm' }),
});

export const otcQuotesConfig = serviceConfig(otcQuotesConfigSchema);

export type OtcQuotesConfig = Readonly<Static<typeof otcQuotesConfigSchema>>;
