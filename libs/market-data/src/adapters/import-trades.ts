import { toTradeDoc, type Trade, type TradeDoc } from '../trade';
import type { QuoteDoc, TopOfBook } from '../book';
import { detectDelimiter, isNumberish, normalizeHeader, splitCsvLine } from '../parse/csv';
import { JsonArrayScanner } from '../parse/json-scanner';
import { parseCcxtTrade, parseFreqtradeTrade, parseHftLine, parseKrakenTradeRow, parseTardisQuote, parseTardisTrade } from '../parse/recorded';
import { timestampReader, type TimestampOptions } from '../parse/time';
import type { BadRow, ProgressCallback, UpsertSink, UpsertTotals } from '../sink';
import { BatchWriter } from './batch-writer';
import { fileSize, readChunks, readLineBatches } from './files';

/**
 * Trade file formats:
 * - `tardis-trades`: Tardis CSV `exchange,symbol,timestamp,local_timestamp,id,side,price,amount` (µs).
 * - `freqtrade-trades`: freqtrade JSON array `[tsMs, id, type, side, price, amount, cost]` (often .gz).
 * - `ccxt-trades`: JSON array of ccxt unified trade objects.
 * - `kraken-trades`: Kraken CSV `ts_s,price,volume`, no header, no trade id.
 * - `hftbacktest`: the `trade` stream of an hftbacktest Binance capture.
 * - `trades-csv`: any CSV with a header naming time/timestamp/date, id, side, price, amount/qty/volume.
 */
export type TradeFileFormat = 'tardis-trades' | 'freqtrade-trades' | 'ccxt-trades' | 'kraken-trades' | 'hftbacktest' | 'trades-csv';

export interface ImportTradesOptions extends TimestampOptions {
  format: TradeFileFormat;
  /** ccxt exchange id written into each trade (Tardis files: defaults to the file's exchange column). */
  exchange?: string;
  /** Symbol written into each trade; defaults to the file's where it has one (ccxt, Tardis, hftbacktest). */
  symbol?: string;
  sink: UpsertSink<TradeDoc>;
  batchSize?: number;
  onProgress?: ProgressCallback;
  maxBadRowsListed?: number;
}

export interface ImportTradesResult {
  file: string;
  format: TradeFileFormat;
  rows: number;
  trades: number;
  badRowCount: number;
  badRows: BadRow[];
  written: UpsertTotals;
  first: number | null;
  last: number | null;
}

function need<T>(v: T | undefined, what: string, format: string): T {
  if (v === undefined || v === '') throw new Error(`${format}: option ${what} is required (the file does not say)`);
  return v;
}

/**
 * Imports public trades into `sink` keyed `exchange:symbol:tradeId` (idempotent). Bad rows are
 * reported with file, line (and element for JSON) and reason. Throws on unreadable files or a
 * missing required option.
 */
export async function importTradeFile(file: string, opts: ImportTradesOptions): Promise<ImportTradesResult> {
  const w = new BatchWriter<TradeDoc>(file, opts.sink, fileSize(file), opts);
  let first: number | null = null;
  let last: number | null = null;
  const add = (t: Trade) => {
    if (first === null || t.ts < first) first = t.ts;
    if (last === null || t.ts > last) last = t.ts;
    return w.add(toTradeDoc(t));
  };
  const f = opts.format;
  if (f === 'freqtrade-trades' || f === 'ccxt-trades') {
    const exchange = need(opts.exchange, 'exchange', f);
    const scanner = new JsonArrayScanner();
    let element = 0;
    for await (const c of readChunks(file)) {
      w.bytesRead = c.bytesRead;
      for (const el of scanner.push(c.text)) {
        element++;
        try {
          const v: unknown = JSON.parse(el.text);
          if (f === 'freqtrade-trades') {
            const t = parseFreqtradeTrade(v);
            await add({ exchange, symbol: need(opts.symbol, 'symbol', f), ...t });
          } else {
            const t = parseCcxtTrade(v);
            await add({ exchange, ...t, symbol: opts.symbol ?? t.symbol });
          }
        } catch (e) {
          w.bad(el.line, (e as Error).message, element);
        }
      }
    }
    scanner.end();
  } else if (f === 'hftbacktest') {
    const exchange = need(opts.exchange, 'exchange', f);
    for await (const b of readLineBatches(file)) {
      w.bytesRead = b.bytesRead;
      for (let i = 0; i < b.lines.length; i++) {
        const line = b.lines[i]!;
        // Only `<sym>@trade` stream lines hold trades: the depth and bookTicker lines (most of a
        // capture, and the largest) are left to the book and quote importers, unparsed.
        if (!line || (line.indexOf('@trade"') < 0 && line.indexOf('"stream"') >= 0)) continue;
        try {
          const r = parseHftLine(line);
          if (r.kind === 'trade') await add({ exchange, ...r.trade, symbol: opts.symbol ?? r.trade.symbol });
        } catch (e) {
          w.bad(b.firstLineNo + i, (e as Error).message);
        }
      }
    }
  } else {
    // CSV formats
    let header: string[] | null = null;
    let cols: { time: number; id: number; side: number; price: number; amount: number } | null = null;
    const readTime = timestampReader(opts);
    const sameTimeRank = new Map<number, number>();
    let delim = ',';
    for await (const b of readLineBatches(file)) {
      w.bytesRead = b.bytesRead;
      for (let i = 0; i < b.lines.length; i++) {
        const line = b.lines[i]!;
        const lineNo = b.firstLineNo + i;
        if (!line.trim()) continue;
        if (lineNo === 1 || (header === null && f === 'trades-csv')) delim = detectDelimiter(line);
        const fields = splitCsvLine(line, delim);
        try {
          if (f === 'tardis-trades') {
            if (header === null && fields[0] === 'exchange') {
              header = fields;
              continue;
            }
            const t = parseTardisTrade(fields);
            await add({ exchange: opts.exchange ?? t.venue, symbol: opts.symbol ?? t.symbol, tradeId: t.tradeId, ts: t.ts, price: t.price, amount: t.amount, side: t.side });
          } else if (f === 'kraken-trades') {
            const t = parseKrakenTradeRow(fields);
            // No trade id in this export: time + rank among equal times (stable across re-imports).
            const rank = sameTimeRank.get(t.ts) ?? 0;
            sameTimeRank.set(t.ts, rank + 1);
            await add({ exchange: need(opts.exchange, 'exchange', f), symbol: need(opts.symbol, 'symbol', f), tradeId: `${t.ts}-${rank}`, ts: t.ts, price: t.price, amount: t.amount, side: null });
          } else if (f === 'trades-csv') {
            if (cols === null) {
              const norm = fields.map(normalizeHeader);
              if (fields.some((x) => x.trim() !== '' && isNumberish(x))) throw new Error('trades-csv needs a header row');
              const find = (names: string[]) => names.map((n) => norm.indexOf(n)).find((i) => i >= 0) ?? -1;
              cols = {
                time: find(['timestamp', 'time', 'ts', 'datetime', 'date']),
                id: find(['id', 'trade_id', 'tradeid']),
                side: find(['side', 'taker_side']),
                price: find(['price', 'p']),
                amount: find(['amount', 'qty', 'quantity', 'volume', 'size']),
              };
              const missing = Object.entries(cols).filter(([k, v]) => v < 0 && k !== 'side').map(([k]) => k);
              if (missing.length) throw new Error(`header lacks columns: ${missing.join(', ')}`);
              header = fields;
              continue;
            }
            const ts = readTime(fields[cols.time] ?? '');
            if (Number.isNaN(ts)) throw new Error(`unreadable timestamp ${JSON.stringify(fields[cols.time])}`);
            const price = Number(fields[cols.price]);
            const amount = Number(fields[cols.amount]);
            if (!(price > 0) || !(amount > 0)) throw new Error(`non-positive or missing price/amount: ${fields[cols.price]}, ${fields[cols.amount]}`);
            const id = fields[cols.id]?.trim();
            if (!id) throw new Error('missing trade id');
            const s = cols.side >= 0 ? fields[cols.side]?.trim().toLowerCase() : undefined;
            await add({ exchange: need(opts.exchange, 'exchange', f), symbol: need(opts.symbol, 'symbol', f), tradeId: id, ts, price, amount, side: s === 'buy' || s === 'sell' ? s : null });
          }
        } catch (e) {
          const msg = (e as Error).message;
          if (msg.includes('is required')) throw e;
          w.bad(lineNo, msg);
        }
      }
    }
  }
  const r = await w.finish();
  return { file, format: f, rows: r.rows, trades: r.accepted, badRowCount: r.badRowCount, badRows: r.badRows, written: r.written, first, last };
}

/** Quote (top-of-book) formats: Tardis `quotes` CSV, or the `bookTicker` stream of an hftbacktest capture. */
export type QuoteFileFormat = 'tardis-quotes' | 'hftbacktest';

export interface ImportQuotesOptions {
  format: QuoteFileFormat;
  exchange?: string;
  symbol?: string;
  sink: UpsertSink<QuoteDoc>;
  batchSize?: number;
  onProgress?: ProgressCallback;
}

/**
 * Imports top-of-book quotes keyed `exchange:symbol:ts:rank` (rank among quotes of equal time,
 * or the venue update id for Binance `bookTicker`), so re-importing is idempotent.
 */
export interface ImportQuotesResult {
  file: string;
  format: QuoteFileFormat;
  rows: number;
  quotes: number;
  badRowCount: number;
  badRows: BadRow[];
  written: UpsertTotals;
  first: number | null;
  last: number | null;
}

export async function importQuoteFile(file: string, opts: ImportQuotesOptions): Promise<ImportQuotesResult> {
  const w = new BatchWriter<QuoteDoc>(file, opts.sink, fileSize(file), opts);
  let first: number | null = null;
  let last: number | null = null;
  const rank = new Map<number, number>();
  const add = (q: TopOfBook, key: string) => {
    if (first === null || q.ts < first) first = q.ts;
    if (last === null || q.ts > last) last = q.ts;
    return w.add({ _id: `${q.exchange}:${q.symbol}:${key}`, ...q });
  };
  for await (const b of readLineBatches(file)) {
    w.bytesRead = b.bytesRead;
    for (let i = 0; i < b.lines.length; i++) {
      const line = b.lines[i]!;
      const lineNo = b.firstLineNo + i;
      if (!line.trim()) continue;
      try {
        if (opts.format === 'tardis-quotes') {
          const f = splitCsvLine(line);
          if (f[0] === 'exchange') continue;
          const q = parseTardisQuote(f);
          const r = rank.get(q.ts) ?? 0;
          rank.set(q.ts, r + 1);
          const { venue, ...rest } = q;
          await add({ ...rest, exchange: opts.exchange ?? venue, symbol: opts.symbol ?? q.symbol }, `${q.ts}:${r}`);
        } else {
          const rec = parseHftLine(line);
          if (rec.kind !== 'bookTicker') continue;
          await add({ ...rec.top, exchange: need(opts.exchange, 'exchange', 'hftbacktest'), symbol: opts.symbol ?? rec.top.symbol }, `u${rec.top.updateId}`);
        }
      } catch (e) {
        const msg = (e as Error).message;
        if (msg.includes('is required')) throw e;
        w.bad(lineNo, msg);
      }
    }
  }
  const r = await w.finish();
  return { file, format: opts.format, rows: r.rows, quotes: r.accepted, badRowCount: r.badRowCount, badRows: r.badRows, written: r.written, first, last };
}
