import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, NonEmpty } from './common';

/**
 * The value of a `<topic>.dlq` record: why a message could not be processed, its original bytes
 * (base64, so nothing is lost even when they were not valid UTF-8 or JSON) and where it came from.
 */
export const DeadLetter = Type.Object(
  {
    version: Type.Literal(1),
    reason: NonEmpty('what was wrong, e.g. "schema: /close must be > 0"'),
    errorKind: Type.Union([Type.Literal('decode'), Type.Literal('schema'), Type.Literal('handler')]),
    topic: NonEmpty('source topic (physical name)'),
    partition: Type.Integer({ minimum: 0 }),
    offset: NonEmpty('source offset (string: Kafka offsets are int64)'),
    group: NonEmpty('consumer group that gave up'),
    key: Type.Union([Type.String(), Type.Null()]),
    valueBase64: Type.String({ description: 'original value bytes, base64' }),
    headers: Type.Record(Type.String(), Type.String()),
    attempts: Type.Integer({ minimum: 1 }),
    failedAt: EpochMs(),
  },
  { additionalProperties: false, title: 'DeadLetter' },
);
export type DeadLetter = Static<typeof DeadLetter>;
