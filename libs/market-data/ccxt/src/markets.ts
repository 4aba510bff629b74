import ccxt, { type Exchange } from 'ccxt';
import { FakeExchangeServer, loadCryptofeedMetadata } from '@atp/testing';
import { createExchange } from './exchange';

/** Precision, limits and fees of one market, as ccxt unifies them (precision in ccxt's `precisionMode`). */
export interface MarketInfo {
  id: string;
  symbol: string;
  base: string;
  quote: string;
  type: string;
  active: boolean | null;
  /** With Binance (ccxt TICK_SIZE mode): the tick and step sizes, e.g. price 0.01, amount 0.00001. */
  precision: { price: number | null; amount: number | null; base: number | null; quote: number | null };
  limits: {
    amount: { min: number | null; max: number | null };
    price: { min: number | null; max: number | null };
    cost: { min: number | null; max: number | null };
  };
  /** Fee rates as fractions (0.001 = 0.1%). */
  maker: number | null;
  taker: number | null;
}

/** The markets snapshot every mode uses (ARCHITECTURE.md, "Fees"); stored with `_id` `<exchange>:<name>`. */
export interface MarketsSnapshot {
  _id: string;
  exchange: string;
  /** ccxt precision mode: 'TICK_SIZE' (binance) or 'DECIMAL_PLACES' / 'SIGNIFICANT_DIGITS'. */
  precisionMode: string;
  /** Where the metadata came from (e.g. the recorded file). */
  source: string;
  /** Venue time of the metadata where known (Binance `serverTime`), else load time. */
  asOf: number;
  ccxtVersion: string;
  markets: Record<string, MarketInfo>;
}

export const DEFAULT_MARKETS_SNAPSHOT_ID = 'binance:default';

const MODES: Record<number, string> = { 0: 'DECIMAL_PLACES', 2: 'SIGNIFICANT_DIGITS', 4: 'TICK_SIZE' };
const n = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : typeof x === 'string' && x !== '' && Number.isFinite(Number(x)) ? Number(x) : null);

/** Loads markets through ccxt (`loadMarkets`) and keeps what trading needs. Throws what ccxt throws. */
export async function loadMarketsSnapshot(ex: Exchange, opts: { name?: string; source?: string; asOf?: number; symbols?: readonly string[] } = {}): Promise<MarketsSnapshot> {
  const markets = await ex.loadMarkets();
  const out: Record<string, MarketInfo> = {};
  for (const [symbol, m] of Object.entries(markets)) {
    if (opts.symbols && !opts.symbols.includes(symbol)) continue;
    if (!m) continue;
    out[symbol] = {
      id: m.id!, symbol, base: m.base, quote: m.quote, type: String(m.type), active: m.active ?? null,
      precision: { price: n(m.precision?.price), amount: n(m.precision?.amount), base: n(m.precision?.base), quote: n(m.precision?.quote) },
      limits: {
        amount: { min: n(m.limits?.amount?.min), max: n(m.limits?.amount?.max) },
        price: { min: n(m.limits?.price?.min), max: n(m.limits?.price?.max) },
        cost: { min: n(m.limits?.cost?.min), max: n(m.limits?.cost?.max) },
      },
      maker: n(m.maker), taker: n(m.taker),
    };
  }
  const ccxtVersion = (ccxt as unknown as { version: string }).version;
  return {
    _id: `${ex.id}:${opts.name ?? 'default'}`,
    exchange: ex.id,
    precisionMode: MODES[ex.precisionMode as number] ?? String(ex.precisionMode),
    source: opts.source ?? 'ccxt loadMarkets',
    asOf: opts.asOf ?? Date.now(),
    ccxtVersion,
    markets: out,
  };
}

/**
 * The default snapshot (ARCHITECTURE.md): ccxt's binance class loading the real Binance spot
 * `exchangeInfo` recorded in `ticks/cryptofeed/BINANCE.0` (2021-10-11), served by the local fake
 * exchange so ccxt parses it exactly as it would the live endpoint. `dataDir` overrides DATA_DIR.
 * Throws when the recorded file is missing.
 */
export async function defaultMarketsSnapshot(opts: { symbols?: readonly string[]; dataDir?: string } = {}): Promise<MarketsSnapshot> {
  const server = await FakeExchangeServer.start({ loadRecordedExchangeInfo: opts.dataDir === undefined });
  if (opts.dataDir !== undefined) server.exchangeInfo = loadCryptofeedMetadata('BINANCE', opts.dataDir).body;
  try {
    const ex = createExchange('binance', { apiUrls: server.binanceUrls() });
    const info = server.exchangeInfo as { serverTime?: number };
    return await loadMarketsSnapshot(ex, { name: 'default', source: 'shared/data/ticks/cryptofeed/BINANCE.0 (Binance spot exchangeInfo, 2021-10-11)', asOf: info.serverTime, symbols: opts.symbols });
  } finally {
    await server.close();
  }
}
