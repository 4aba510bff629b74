/** An instrument on a venue, e.g. { exchange: 'binance', symbol: 'BTC/USDT' } (ccxt unified symbol). */
export interface InstrumentId {
  readonly exchange: string;
  readonly symbol: string;
}

/** The Kafka key and natural-key prefix: `exchange:symbol`, giving per-instrument ordering. */
export function instrumentKey(i: InstrumentId): string {
  return `${i.exchange}:${i.symbol}`;
}

export function parseInstrumentKey(key: string): InstrumentId {
  const idx = key.indexOf(':');
  if (idx <= 0 || idx === key.length - 1) throw new Error(`bad instrument key ${JSON.stringify(key)}: expected exchange:symbol`);
  return { exchange: key.slice(0, idx), symbol: key.slice(idx + 1) };
}

/** Splits a unified symbol 'BTC/USDT' into base and quote. */
export function splitSymbol(symbol: string): { base: string; quote: string } {
  const [base, rest] = symbol.split('/');
  if (!base || !rest) throw new Error(`bad symbol ${JSON.stringify(symbol)}: expected BASE/QUOTE`);
  return { base, quote: rest.split(':')[0]! };
}

export type Side = 'buy' | 'sell';
