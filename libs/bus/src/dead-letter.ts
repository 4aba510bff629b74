import { buildHeaders, DeadLetter, dlqTopicName, encode, HEADER, type MessageHeaders, type TopicContract } from '@atp/contracts';

/** Where a dead letter came from and why it was given up on. */
export interface DeadLetterInput {
  reason: string;
  errorKind: DeadLetter['errorKind'];
  topic: string;
  partition: number;
  offset: string;
  group: string;
  key: string | null;
  value: Buffer | Uint8Array | null;
  headers: MessageHeaders;
  attempts: number;
  failedAt: number;
}

/** The `<topic>.dlq` record (contracts' DeadLetter): original bytes as base64, so nothing is lost. */
export function deadLetterRecord(d: DeadLetterInput): DeadLetter {
  return {
    version: 1,
    reason: d.reason || 'unknown',
    errorKind: d.errorKind,
    topic: d.topic,
    partition: d.partition,
    offset: d.offset,
    group: d.group,
    key: d.key,
    valueBase64: d.value ? Buffer.from(d.value.buffer, d.value.byteOffset, d.value.byteLength).toString('base64') : '',
    headers: { ...d.headers },
    attempts: Math.max(1, d.attempts),
    failedAt: d.failedAt,
  };
}

const ANY_DLQ: TopicContract<typeof DeadLetter> = Object.freeze({
  name: 'dead-letter',
  version: 1,
  schema: DeadLetter,
  description: 'any <topic>.dlq',
  partitions: 1,
  retentionMs: -1,
  key: (v: DeadLetter) => v.key ?? '',
  keyDoc: "the failed message's key",
});

/** The wire bytes of a dead letter, validated against the DeadLetter schema (throws on a bug here). */
export function deadLetterBytes(dl: DeadLetter): Buffer {
  return encode(ANY_DLQ, dl);
}

/** Headers of a dead letter: its own envelope plus the original trace, so the failure joins its trace. */
export function deadLetterHeaders(dl: DeadLetter): MessageHeaders {
  const h = buildHeaders({
    schemaVersion: dl.version,
    eventTime: dl.failedAt,
    eventId: `dlq:${dl.group}:${dl.topic}:${dl.partition}:${dl.offset}`,
    traceparent: dl.headers[HEADER.traceparent],
    runId: dl.headers[HEADER.runId],
  });
  return h;
}

/**
 * The contract of a topic's dead-letter topic, to subscribe to it (monitoring, tools, tests) with
 * the same `runId` as the source: `topicName(deadLetterTopic(c), runId)` is
 * `dlqTopicName(topicName(c, runId))`. Same partitions and retention as the source.
 */
export function deadLetterTopic(source: TopicContract): TopicContract<typeof DeadLetter> {
  const cached = dlqContracts.get(source);
  if (cached) return cached;
  const c: TopicContract<typeof DeadLetter> = Object.freeze({
    name: dlqTopicName(source.name),
    version: 1,
    schema: DeadLetter,
    description: `Dead letters of ${source.name}: messages that failed to decode, violated the schema, or whose handler gave up.`,
    partitions: source.partitions,
    retentionMs: source.retentionMs,
    key: (v: DeadLetter) => v.key ?? `${v.topic}:${v.partition}`,
  keyDoc: "the failed message's key, else topic:partition",
  });
  dlqContracts.set(source, c);
  return c;
}
const dlqContracts = new WeakMap<TopicContract, TopicContract<typeof DeadLetter>>();
