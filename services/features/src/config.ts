import { Type, type Static } from '@sinclair/typebox';
import type { FeatureSetDef } from '@atp/indicators';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';
import { parseFeatureSets } from './feature-sets';

/** features configuration: the common keys (HTTP port 3003 by default) and its own. */
export const featuresConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3003 }),
  FEATURE_SETS: Type.Optional(
    Env.string({
      description: 'feature sets to publish, `;`-separated: a registered name (default-v1) or name=spec,spec (e.g. trend=sma:10,atr:14); default: FEATURE_SET',
    }),
  ),
  FEATURE_SET: Env.string({ default: 'default-v1', pattern: '^[a-z0-9-]+$', rule: 'a feature set id such as default-v1', description: 'one registered feature set (used when FEATURE_SETS is unset)' }),
});

export type FeaturesConfig = Readonly<Static<typeof featuresConfigSchema>>;

/** The feature sets a configuration asks for (FEATURE_SETS, else FEATURE_SET). Throws on a bad list. */
export function configuredFeatureSets(c: Pick<FeaturesConfig, 'FEATURE_SETS' | 'FEATURE_SET'>): FeatureSetDef[] {
  return parseFeatureSets(c.FEATURE_SETS ?? c.FEATURE_SET);
}

export const featuresConfig = serviceConfig(featuresConfigSchema, [
  (c, key) => {
    try {
      configuredFeatureSets(c);
      return undefined;
    } catch (e) {
      const k = c.FEATURE_SETS !== undefined ? 'FEATURE_SETS' : 'FEATURE_SET';
      return { key: key(k), rule: (e as Error).message };
    }
  },
]);
