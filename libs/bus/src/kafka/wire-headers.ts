import { HEADER, type MessageHeaders } from '@atp/contracts';
import type { IHeaders } from 'kafkajs';

// The names as module constants: read per header of every record (an imported binding is a getter here).
const { eventId: EVENT_ID, runId: RUN_ID, contentType: CONTENT_TYPE, schemaVersion: SCHEMA_VERSION } = HEADER;
/** The content type of every value the bus publishes (JSON, see @atp/contracts encode). */
const JSON_CONTENT = 'application/json';
const RUN_PREFIX = /^run\.([A-Za-z0-9_-]{1,64})\./;

/** The run id a physical topic name carries (`run.<runId>.<topic>`, see topicName), if any. */
export function runIdOfTopic(physicalTopic: string): string | undefined {
  if (physicalTopic !== lastTopic) {
    lastTopic = physicalTopic;
    lastRunId = RUN_PREFIX.exec(physicalTopic)?.[1];
  }
  return lastRunId;
}
// The last answer: a batch asks for one topic's run id per record.
let lastTopic = '';
let lastRunId: string | undefined;

/**
 * The Kafka record headers of a published message: its headers (headersFor) without the ones a
 * consumer derives from the record itself — `event-id` when it is the value's `eventId`, `run-id`
 * when it is the run id in the topic name, `content-type` when it is JSON. Left on the wire:
 * `schema-version`, `event-time`, `traceparent`/`tracestate` (ARCHITECTURE.md) and anything else
 * the publisher set. kafkajs encodes every header as its own buffer (~2-3 µs each per record on
 * produce, plus decoding on consume), so three derivable headers were a third of the bus's
 * per-message CPU. `presentedHeaders` restores them on consume; records written with them (older
 * records, publishRaw) are read as they are.
 */
export function wireHeaders(headers: MessageHeaders, eventId: unknown, physicalTopic: string): MessageHeaders {
  const out: MessageHeaders = {};
  for (const k in headers) {
    const v = headers[k]!;
    if (k === EVENT_ID ? v === eventId : k === RUN_ID ? v === runIdOfTopic(physicalTopic) : k === CONTENT_TYPE && v === JSON_CONTENT) continue;
    out[k] = v;
  }
  return out;
}

/**
 * The headers a consumer sees for a Kafka record: the record's headers as strings (the first value
 * of a repeated key), plus — for a record the bus published (it has `schema-version`) — the ones
 * `wireHeaders` left out: `event-id` from the decoded value's `eventId`, `run-id` from the topic
 * name, `content-type` JSON. `value` is the decoded value, or undefined when it did not decode.
 */
export function presentedHeaders(raw: IHeaders | undefined, value: unknown, physicalTopic: string): MessageHeaders {
  const out: MessageHeaders = {};
  if (!raw) return out;
  for (const k in raw) {
    const v = raw[k];
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  if (out[SCHEMA_VERSION] === undefined) return out;
  if (out[EVENT_ID] === undefined) {
    const id = (value as { eventId?: unknown } | null | undefined)?.eventId;
    if (typeof id === 'string' && id) out[EVENT_ID] = id;
  }
  if (out[RUN_ID] === undefined) {
    const run = runIdOfTopic(physicalTopic);
    if (run !== undefined) out[RUN_ID] = run;
  }
  if (out[CONTENT_TYPE] === undefined) out[CONTENT_TYPE] = JSON_CONTENT;
  return out;
}
