import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { EpochMs, eventSchema, instrumentProperties, NonEmpty, Timeframe } from '../common';

/** SignalPredicted: an ML model's view on one instrument at one bar. */
export const SignalEvent = eventSchema(
  'SignalEvent',
  {
    ...instrumentProperties,
    timeframe: Timeframe,
    openTime: EpochMs('open time of the bar the signal was computed on'),
    model: NonEmpty('model name'),
    modelVersion: NonEmpty('model version or hash'),
    score: Type.Number({ minimum: -1, maximum: 1, description: '-1 strong sell .. +1 strong buy' }),
    probabilities: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }), { description: 'class probabilities, e.g. up/down/flat' }),
    horizonBars: Type.Integer({ minimum: 1, description: 'prediction horizon in bars' }),
  },
  'A model signal. tsEvent = the bar close.',
);

export const signalsV1 = defineTopic({
  name: 'signals.v1',
  version: 1,
  schema: SignalEvent,
  description: 'Model signals from ml-inference.',
  partitions: 6,
  retentionMs: retention.days(30),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
