import { defineTopic, retention } from '../contract';
import { DecimalString, EpochMs, eventSchema, NonEmpty, Side } from '../common';

/** QuoteReceived: a firm quote from a liquidity provider answering an RFQ. */
export const OtcQuoteEvent = eventSchema(
  'OtcQuoteEvent',
  {
    rfqId: NonEmpty('request-for-quote id'),
    quoteId: NonEmpty('provider quote id'),
    provider: NonEmpty('liquidity provider id'),
    side: Side,
    base: NonEmpty(),
    quote: NonEmpty(),
    quantity: DecimalString('base quantity'),
    price: DecimalString('all-in price in quote currency per base unit'),
    expiresAt: EpochMs('quote expiry, Unix ms'),
  },
  'A firm OTC quote.',
);

export const otcQuotesV1 = defineTopic({
  name: 'otc.quotes.v1',
  version: 1,
  schema: OtcQuoteEvent,
  description: 'OTC quotes from otc-quotes.',
  partitions: 3,
  retentionMs: retention.days(30),
  key: (v) => `${v.base}/${v.quote}`,
  keyDoc: 'base/quote',
});
