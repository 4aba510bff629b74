import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { EpochMs, eventSchema, instrumentProperties, NonEmpty, NullableNumber, Timeframe } from '../common';

/** FeaturesComputed: a named, versioned feature vector for one closed bar. */
export const FeatureVectorEvent = eventSchema(
  'FeatureVectorEvent',
  {
    ...instrumentProperties,
    timeframe: Timeframe,
    openTime: EpochMs('open time of the bar the vector describes'),
    featureSet: NonEmpty('feature set name, e.g. default'),
    featureSetVersion: Type.Integer({ minimum: 1 }),
    values: Type.Record(Type.String(), NullableNumber('null during warm-up')),
    stable: Type.Boolean({ description: 'true once every indicator of the set is past its warm-up' }),
    gapBefore: Type.Boolean({ description: 'true on the first bar after missing bars' }),
  },
  'Indicator values of one bar. tsEvent = the bar close.',
);

export const featuresV1 = defineTopic({
  name: 'features.v1',
  version: 1,
  schema: FeatureVectorEvent,
  description: 'Feature vectors from the features service.',
  partitions: 6,
  retentionMs: retention.days(30),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
