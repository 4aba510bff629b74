import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** gateway configuration: the common keys (HTTP port 8080 by default: API, WebSocket, dashboard) and its own. */
export const gatewayConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 8080 }),
  CORS_ORIGINS: Type.Optional(
    Env.list(Type.String({ pattern: '^https?://[^\\s/]+$' }), { rule: 'a comma-separated list of origins such as http://localhost:5173', description: 'browser origins allowed to call the API' }),
  ),
  GATEWAY_ADMIN_TOKEN: Type.Optional(
    Env.string({
      minLength: 16,
      secret: true,
      rule: 'a string of at least 16 characters',
      description:
        'bearer token of the admin commands (POST /api/kill-switch: `Authorization: Bearer <token>`); unset: the commands are disabled (503). npm start generates one per start and prints it when unset',
    }),
  ),
  DASHBOARD_FILLS: Env.int({ default: 200, minimum: 1, maximum: 10_000, description: 'fills (and order updates, rejections, alerts) kept for the dashboard snapshot and GET /api/fills' }),
  DASHBOARD_EQUITY_POINTS: Env.int({ default: 2_000, minimum: 10, maximum: 100_000, description: 'equity points kept for the dashboard chart (older ones are thinned out, the whole run stays visible)' }),
});

export const gatewayConfig = serviceConfig(gatewayConfigSchema);

export type GatewayConfig = Readonly<Static<typeof gatewayConfigSchema>>;
