import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** features configuration: the common keys (HTTP port 3003 by default) and its own. */
export const featuresConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3003 }),
  FEATURE_SET: Env.string({ default: 'default-v1', pattern: '^[a-z0-9-]+$', rule: 'a feature set id such as default-v1' }),
  SNAPSHOT_EVERY_BARS: Env.int({ default: 100, minimum: 1, description: 'indicator state is snapshotted every N bars per instrument' }),
});

export const featuresConfig = serviceConfig(featuresConfigSchema);

export type FeaturesConfig = Readonly<Static<typeof featuresConfigSchema>>;
