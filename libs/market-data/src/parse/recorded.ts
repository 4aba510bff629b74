import type { BookLevel, L2Diff, L2Snapshot, TopOfBook } from '../book';
import type { Trade } from '../trade';
import { epochToMs } from './time';

/**
 * Parsers of the recorded venue formats (see libs/market-data/README.md). Pure: one line or one
 * element in, one record out; they throw an Error with the reason on malformed input, and the
 * importers turn that into a bad-row report with the file and line.
 */

function levels(raw: unknown, what: string): BookLevel[] {
  if (!Array.isArray(raw)) throw new Error(`${what}: expected an array of [price, qty]`);
  return raw.map((l) => {
    const p = Number((l as unknown[])[0]);
    const q = Number((l as unknown[])[1]);
    if (!(p > 0) || !(q >= 0)) throw new Error(`${what}: bad level ${JSON.stringify(l)}`);
    return [p, q] as const;
  });
}

function mustNumber(x: unknown, what: string): number {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${what}: not a number: ${JSON.stringify(x)}`);
  return n;
}

// ---------------------------------------------------------------- hftbacktest Binance capture

/** One line of an hftbacktest Binance capture: `<local receive ns> <json>`. */
export type HftRecord =
  | { kind: 'depth'; localTs: number; stream: string; symbol: string; diff: L2Diff }
  | { kind: 'snapshot'; localTs: number; snapshot: L2Snapshot }
  | { kind: 'bookTicker'; localTs: number; stream: string; top: Omit<TopOfBook, 'exchange'> }
  | { kind: 'trade'; localTs: number; stream: string; trade: Omit<Trade, 'exchange'> }
  | { kind: 'other'; localTs: number; stream: string };

/**
 * Parses one capture line. Combined-stream messages `{"stream": "...", "data": {...}}` become
 * depth diffs (`depth@100ms` spot, `depth@0ms` futures with `pu`), top-of-book or trades; a bare
 * `{"lastUpdateId": ...}` is the REST depth snapshot the recorder fetched. `localTs` is the local
 * receive time in ms (from ns). Trades keep the venue symbol (`BTCUSDT`); `m` (buyer is maker)
 * means the taker sold.
 */
export function parseHftLine(line: string): HftRecord {
  const sp = line.indexOf(' ');
  if (sp <= 0) throw new Error('expected "<ns> <json>"');
  const nsText = line.slice(0, sp);
  if (!/^\d+$/.test(nsText)) throw new Error(`bad local timestamp ${JSON.stringify(nsText)}`);
  const localTs = Number(BigInt(nsText) / 1000n) / 1000;
  const msg = JSON.parse(line.slice(sp + 1)) as Record<string, unknown>;
  if ('lastUpdateId' in msg && !('stream' in msg)) {
    return {
      kind: 'snapshot',
      localTs,
      snapshot: {
        lastUpdateId: mustNumber(msg.lastUpdateId, 'lastUpdateId'),
        ts: typeof msg.E === 'number' ? msg.E : localTs,
        bids: levels(msg.bids, 'bids'),
        asks: levels(msg.asks, 'asks'),
      },
    };
  }
  const stream = String(msg.stream ?? '');
  const d = msg.data as Record<string, unknown> | undefined;
  if (!stream || !d) throw new Error('neither a combined-stream message nor a depth snapshot');
  if (stream.includes('@depth')) {
    return {
      kind: 'depth',
      localTs,
      stream,
      symbol: String(d.s),
      diff: {
        firstUpdateId: mustNumber(d.U, 'U'),
        lastUpdateId: mustNumber(d.u, 'u'),
        prevLastUpdateId: d.pu === undefined ? null : mustNumber(d.pu, 'pu'),
        ts: mustNumber(d.E, 'E'),
        bids: levels(d.b, 'b'),
        asks: levels(d.a, 'a'),
      },
    };
  }
  if (stream.endsWith('@bookTicker')) {
    return {
      kind: 'bookTicker',
      localTs,
      stream,
      top: {
        symbol: String(d.s),
        // Spot bookTicker has no event time: the local receive time stands in.
        ts: typeof d.E === 'number' ? d.E : localTs,
        bidPrice: mustNumber(d.b, 'b'),
        bidQty: mustNumber(d.B, 'B'),
        askPrice: mustNumber(d.a, 'a'),
        askQty: mustNumber(d.A, 'A'),
        updateId: mustNumber(d.u, 'u'),
      },
    };
  }
  if (stream.endsWith('@trade')) {
    return {
      kind: 'trade',
      localTs,
      stream,
      trade: {
        symbol: String(d.s),
        tradeId: String(mustNumber(d.t, 't')),
        ts: mustNumber(d.T, 'T'),
        price: mustNumber(d.p, 'p'),
        amount: mustNumber(d.q, 'q'),
        side: d.m === true ? 'sell' : d.m === false ? 'buy' : null,
      },
    };
  }
  return { kind: 'other', localTs, stream };
}

// ---------------------------------------------------------------- Tardis CSV

/** Tardis `trades` row: `exchange,symbol,timestamp,local_timestamp,id,side,price,amount` (µs). */
export function parseTardisTrade(f: readonly string[]): Omit<Trade, 'exchange'> & { venue: string } {
  if (f.length < 8) throw new Error(`expected 8 fields, got ${f.length}`);
  const side = f[5] === 'buy' || f[5] === 'sell' ? f[5] : f[5] === 'unknown' || f[5] === '' ? null : undefined;
  if (side === undefined) throw new Error(`bad side ${JSON.stringify(f[5])}`);
  const price = mustNumber(f[6], 'price');
  const amount = mustNumber(f[7], 'amount');
  if (!(price > 0) || !(amount > 0)) throw new Error(`non-positive price or amount: ${f[6]}, ${f[7]}`);
  if (!f[4]) throw new Error('empty trade id');
  return { venue: f[0]!, symbol: f[1]!, tradeId: f[4]!, ts: epochToMs(mustNumber(f[2], 'timestamp'), 'us'), price, amount, side };
}

/** Tardis `quotes` row: `exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount` (µs). */
export function parseTardisQuote(f: readonly string[]): Omit<TopOfBook, 'exchange'> & { venue: string } {
  if (f.length < 8) throw new Error(`expected 8 fields, got ${f.length}`);
  const q = {
    venue: f[0]!,
    symbol: f[1]!,
    ts: epochToMs(mustNumber(f[2], 'timestamp'), 'us'),
    askQty: mustNumber(f[4], 'ask_amount'),
    askPrice: mustNumber(f[5], 'ask_price'),
    bidPrice: mustNumber(f[6], 'bid_price'),
    bidQty: mustNumber(f[7], 'bid_amount'),
    updateId: null,
  };
  if (!(q.askPrice > 0) || !(q.bidPrice > 0)) throw new Error(`non-positive quote price: bid ${f[6]} ask ${f[5]}`);
  return q;
}

// ---------------------------------------------------------------- nautilus Binance depth CSV

/** One row of nautilus' `btcusdt-depth-{snap,update}.csv`: `symbol,timestamp,first_update_id,last_update_id,side,update_type,price,qty,pu`. */
export interface DepthCsvRow {
  symbol: string;
  ts: number;
  firstUpdateId: number;
  lastUpdateId: number;
  side: 'b' | 'a';
  updateType: 'snap' | 'set';
  price: number;
  qty: number;
  /** -1 in snapshot rows. */
  pu: number;
}

export function parseDepthCsvRow(f: readonly string[]): DepthCsvRow {
  if (f.length < 9) throw new Error(`expected 9 fields, got ${f.length}`);
  const side = f[4];
  if (side !== 'b' && side !== 'a') throw new Error(`bad side ${JSON.stringify(side)}`);
  const updateType = f[5];
  if (updateType !== 'snap' && updateType !== 'set') throw new Error(`bad update_type ${JSON.stringify(updateType)}`);
  return {
    symbol: f[0]!,
    ts: mustNumber(f[1], 'timestamp'),
    firstUpdateId: mustNumber(f[2], 'first_update_id'),
    lastUpdateId: mustNumber(f[3], 'last_update_id'),
    side,
    updateType,
    price: mustNumber(f[6], 'price'),
    qty: mustNumber(f[7], 'qty'),
    pu: mustNumber(f[8], 'pu'),
  };
}

/**
 * Groups consecutive depth rows of one update id range into snapshots (`snap`) and diffs (`set`).
 * Rows of one message share (first_update_id, last_update_id); the order of groups is kept.
 */
export function groupDepthRows(rows: readonly DepthCsvRow[]): ({ kind: 'snapshot'; snapshot: L2Snapshot } | { kind: 'diff'; diff: L2Diff })[] {
  const out: ({ kind: 'snapshot'; snapshot: L2Snapshot } | { kind: 'diff'; diff: L2Diff })[] = [];
  let i = 0;
  while (i < rows.length) {
    const r0 = rows[i]!;
    const bids: BookLevel[] = [];
    const asks: BookLevel[] = [];
    let j = i;
    while (j < rows.length && rows[j]!.firstUpdateId === r0.firstUpdateId && rows[j]!.lastUpdateId === r0.lastUpdateId && rows[j]!.updateType === r0.updateType) {
      const r = rows[j]!;
      (r.side === 'b' ? bids : asks).push([r.price, r.qty]);
      j++;
    }
    if (r0.updateType === 'snap') {
      bids.sort((a, b) => b[0] - a[0]);
      asks.sort((a, b) => a[0] - b[0]);
      out.push({ kind: 'snapshot', snapshot: { lastUpdateId: r0.lastUpdateId, ts: r0.ts, bids, asks } });
    } else {
      out.push({ kind: 'diff', diff: { firstUpdateId: r0.firstUpdateId, lastUpdateId: r0.lastUpdateId, prevLastUpdateId: r0.pu, ts: r0.ts, bids, asks } });
    }
    i = j;
  }
  return out;
}

// ---------------------------------------------------------------- freqtrade / ccxt / Kraken trades

/** freqtrade trades element `[tsMs, id, type, side, price, amount, cost]`. */
export function parseFreqtradeTrade(el: unknown): Omit<Trade, 'exchange' | 'symbol'> {
  if (!Array.isArray(el) || el.length < 6) throw new Error('expected [ts, id, type, side, price, amount, cost]');
  const side = el[3] === 'buy' || el[3] === 'sell' ? el[3] : null;
  const price = mustNumber(el[4], 'price');
  const amount = mustNumber(el[5], 'amount');
  if (!(price > 0) || !(amount > 0)) throw new Error(`non-positive price or amount: ${el[4]}, ${el[5]}`);
  if (el[1] === null || el[1] === undefined || el[1] === '') throw new Error('missing trade id');
  return { tradeId: String(el[1]), ts: epochToMs(mustNumber(el[0], 'timestamp'), 'auto'), price, amount, side };
}

/** ccxt unified trade object `{timestamp, symbol, id, side, price, amount, ...}`. */
export function parseCcxtTrade(el: unknown): Omit<Trade, 'exchange'> {
  if (!el || typeof el !== 'object' || Array.isArray(el)) throw new Error('expected a ccxt trade object');
  const o = el as Record<string, unknown>;
  const price = mustNumber(o.price, 'price');
  const amount = mustNumber(o.amount, 'amount');
  if (!(price > 0) || !(amount > 0)) throw new Error(`non-positive price or amount: ${o.price}, ${o.amount}`);
  if (o.id === null || o.id === undefined || o.id === '') throw new Error('missing trade id');
  if (typeof o.symbol !== 'string' || !o.symbol) throw new Error('missing symbol');
  return {
    symbol: o.symbol,
    tradeId: String(o.id),
    ts: mustNumber(o.timestamp, 'timestamp'),
    price,
    amount,
    side: o.side === 'buy' || o.side === 'sell' ? o.side : null,
  };
}

/**
 * Kraken trades CSV row `ts_s,price,volume` (no header, no id). Kraken gives no trade id in this
 * export, so the importer derives one from the time and the row's rank among rows of equal time.
 */
export function parseKrakenTradeRow(f: readonly string[]): { ts: number; price: number; amount: number } {
  if (f.length < 3) throw new Error(`expected ts,price,volume, got ${f.length} fields`);
  const ts = epochToMs(mustNumber(f[0], 'timestamp'), 's');
  const price = mustNumber(f[1], 'price');
  const amount = mustNumber(f[2], 'volume');
  if (!(price > 0) || !(amount > 0)) throw new Error(`non-positive price or volume: ${f[1]}, ${f[2]}`);
  return { ts, price, amount };
}
