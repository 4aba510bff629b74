import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** ml-inference configuration: the common keys (HTTP port 3004 by default) and its own. */
export const mlInferenceConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3004 }),
  MODEL_DIR: Type.Optional(Env.string({ description: 'directory of the trained model to load' })),
  MIN_CONFIDENCE: Env.number({ default: 0.55, minimum: 0, maximum: 1, description: 'signals below this probability are not emitted' }),
});

export const mlInferenceConfig = serviceConfig(mlInferenceConfigSchema);

export type MlInferenceConfig = Readonly<Static<typeof mlInferenceConfigSchema>>;
