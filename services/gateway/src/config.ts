import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** gateway configuration: the common keys (HTTP port 8080 by default: API, WebSocket, dashboard) and its own. */
export const gatewayConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 8080 }),
  CORS_ORIGINS: Type.Optional(
    Env.list(Type.String({ pattern: '^https?://[^\\s/]+$' }), { rule: 'a comma-separated list of origins such as http://localhost:5173', description: 'browser origins allowed to call the API' }),
  ),
});

export const gatewayConfig = serviceConfig(gatewayConfigSchema);

export type GatewayConfig = Readonly<Static<typeof gatewayConfigSchema>>;
