import { Type, type TObject, type TProperties } from '@sinclair/typebox';

/** Exact decimal on the wire (money, quantities): `-?digits(.digits)?`, no exponent. */
export const DecimalString = (description?: string) =>
  Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$', description: description ?? 'exact decimal string' });

/** Float64 that is `null` during indicator warm-up. */
export const NullableNumber = (description?: string) => Type.Union([Type.Number(), Type.Null()], { description });

/** Unix epoch milliseconds, UTC. */
export const EpochMs = (description?: string) => Type.Integer({ minimum: 0, description: description ?? 'Unix epoch ms, UTC' });

export const NonEmpty = (description?: string) => Type.String({ minLength: 1, description });

export const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
export const Timeframe = Type.Union(
  ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'].map((t) => Type.Literal(t)),
  { description: 'ccxt timeframe' },
);

/**
 * The event envelope every value carries (STYLE.md): an id derived from the event's cause, the
 * time it happened (event time: a closed bar's close, a fill's venue time) and the time it was
 * created locally (`tsInit`: the only field allowed to differ between parity runs), and its source.
 */
export const envelopeProperties: {
  eventId: ReturnType<typeof NonEmpty>;
  tsEvent: ReturnType<typeof EpochMs>;
  tsInit: ReturnType<typeof EpochMs>;
  source: ReturnType<typeof NonEmpty>;
} = {
  eventId: NonEmpty('deterministic id derived from the event cause'),
  tsEvent: EpochMs('event time (venue or data time), Unix ms'),
  tsInit: EpochMs('local creation time, Unix ms'),
  source: NonEmpty('producing service or component'),
};

/** An event schema: the envelope plus the event's own fields, closed to unknown properties. */
export function eventSchema<P extends TProperties>(title: string, props: P, description: string) {
  const all = { ...envelopeProperties, ...props };
  return Type.Object(all, { additionalProperties: false, title, description }) as TObject<typeof all>;
}

/** The instrument fields: the Kafka key of most topics is `exchange:symbol`. */
export const instrumentProperties = {
  exchange: NonEmpty('ccxt exchange id, e.g. binance'),
  symbol: NonEmpty('ccxt unified symbol, e.g. BTC/USDT'),
} as const;
