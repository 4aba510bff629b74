import type { Static, TSchema } from '@sinclair/typebox';

/** Retention of md.* topics: unlimited, so any range can be replayed later (ARCHITECTURE.md, Replay). */
export const RETAIN_FOREVER = -1;
const DAY = 86_400_000;

/**
 * One topic's contract: name (versioned), value schema, key function, partitioning and retention.
 * A breaking change is a new contract (`.v2`) published beside the old one until consumers move.
 */
export interface TopicContract<S extends TSchema = TSchema> {
  /** Versioned topic name, e.g. `md.candles.v1`. Never write topic names as string literals elsewhere. */
  readonly name: string;
  readonly version: number;
  readonly schema: S;
  readonly description: string;
  readonly partitions: number;
  readonly retentionMs: number;
  /** Kafka key: gives per-key ordering (same key -> same partition -> in order). */
  key(value: Static<S>): string;
  /** What {@link key} keys by, for people (the CLI's `topics list`): e.g. `exchange:symbol`. */
  readonly keyDoc: string;
}

export type ValueOf<C> = C extends TopicContract<infer S> ? Static<S> : never;

export function defineTopic<S extends TSchema>(c: TopicContract<S>): TopicContract<S> {
  if (!/^[a-z]+(\.[a-z-]+)*\.v[0-9]+$/.test(c.name)) throw new Error(`bad topic name ${c.name}`);
  if (!c.name.endsWith(`.v${c.version}`)) throw new Error(`topic ${c.name} does not end with .v${c.version}`);
  return Object.freeze(c);
}

export const retention = { forever: RETAIN_FOREVER, days: (n: number) => n * DAY } as const;

/**
 * Physical topic name. A replay or backtest run id prefixes its topics so it never mixes with
 * paper or live state: `run.<runId>.<topic>`; no run id = the live/paper topic.
 */
export function topicName(contract: Pick<TopicContract, 'name'> | string, runId?: string): string {
  const base = typeof contract === 'string' ? contract : contract.name;
  if (!runId) return base;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) throw new Error(`bad run id ${JSON.stringify(runId)}: use [A-Za-z0-9_-]{1,64}`);
  return `run.${runId}.${base}`;
}

/** Remembered instrument keys: exchange -> symbol -> key. */
const instrumentKeys = new Map<string, Map<string, string>>();
let instrumentKeyCount = 0;

/**
 * The Kafka key of a message about one instrument: `<exchange>:<symbol>`. The same string object
 * for the same pair (remembered, up to 100,000 pairs), so the partitioner's lookup hashes a flat
 * string once instead of a fresh concatenation per message.
 */
export function instrumentKey(exchange: string, symbol: string): string {
  let bySymbol = instrumentKeys.get(exchange);
  if (bySymbol === undefined) {
    if (instrumentKeyCount >= 100_000) {
      instrumentKeys.clear();
      instrumentKeyCount = 0;
    }
    instrumentKeys.set(exchange, (bySymbol = new Map()));
  }
  let k = bySymbol.get(symbol);
  if (k === undefined) {
    if (instrumentKeyCount >= 100_000) return `${exchange}:${symbol}`;
    instrumentKeyCount++;
    bySymbol.set(symbol, (k = `${exchange}:${symbol}`));
  }
  return k;
}

/**
 * Physical consumer group name. Like topics, a run id namespaces the groups of a replay or
 * backtest run, so two runs on one broker never share a group (and never rebalance each other).
 */
export function groupName(group: string, runId?: string): string {
  return runId ? `run.${runId}.${group}` : group;
}

/** Dead-letter topic of a topic: `<topic>.dlq`. */
export function dlqTopicName(physicalTopic: string): string {
  return `${physicalTopic}.dlq`;
}
