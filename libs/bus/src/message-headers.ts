import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { buildHeaders, HEADER, type MessageHeaders, type TopicContract } from '@atp/contracts';
import type { PublishOptions } from './bus';

interface Enveloped {
  eventId?: unknown;
  tsEvent?: unknown;
}

/**
 * Headers of a published value (ARCHITECTURE.md: traceparent, schema version, event time, run id,
 * event id), built by the contracts' `buildHeaders`. The traceparent is the caller's, else the
 * active OpenTelemetry context's when a propagator is registered (`publishTraceparent`; a batch
 * passes it, taken once). Extra headers win last.
 * Returned frozen: the in-process bus hands the same object to every consumer.
 */
export function headersFor(contract: TopicContract, value: unknown, opts: PublishOptions | undefined, fallbackTime: number, traceparent: string | undefined = publishTraceparent(opts)): MessageHeaders {
  const v = value as Enveloped;
  const eventTime = typeof v.tsEvent === 'number' ? v.tsEvent : fallbackTime;
  const eventId = typeof v.eventId === 'string' && v.eventId ? v.eventId : `${contract.name}@${fallbackTime}`;
  const h = buildHeaders({ schemaVersion: contract.version, eventTime, eventId, runId: opts?.runId, traceparent });
  return Object.freeze(opts?.headers ? { ...h, ...opts.headers } : h);
}

/** The traceparent of a publish call's messages (the caller's, else the active context's): `headersFor`'s default, taken once per batch. */
export function publishTraceparent(opts: PublishOptions | undefined): string | undefined {
  return opts?.traceparent ?? activeTraceparent();
}

/**
 * The active context's traceparent. The root context (no context manager registered, or nothing
 * active: every publish of an untraced embedded run) carries no span, so nothing is injected for
 * it: no carrier built, no propagator called.
 */
function activeTraceparent(): string | undefined {
  const active = context.active();
  if (active === ROOT_CONTEXT) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(active, carrier);
  return carrier[HEADER.traceparent];
}
