/**
 * Kafka headers every message carries (ARCHITECTURE.md): W3C trace context, schema version,
 * event time and run id, so consumers can route and trace without parsing the value.
 */
export const HEADER = {
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  schemaVersion: 'schema-version',
  eventTime: 'event-time',
  runId: 'run-id',
  eventId: 'event-id',
  contentType: 'content-type',
} as const;

export type MessageHeaders = Record<string, string>;

export interface BuildHeadersInput {
  schemaVersion: number;
  eventTime: number;
  eventId: string;
  runId?: string;
  traceparent?: string;
}

export function buildHeaders(h: BuildHeadersInput): MessageHeaders {
  // Literal keys (HEADER's values, in this order): the object is created with its layout at once.
  const out: MessageHeaders = {
    'schema-version': String(h.schemaVersion),
    'event-time': String(h.eventTime),
    'event-id': h.eventId,
    'content-type': 'application/json',
  };
  if (h.runId) out[HEADER.runId] = h.runId;
  if (h.traceparent) out[HEADER.traceparent] = h.traceparent;
  return out;
}
