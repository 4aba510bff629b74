import * as path from 'node:path';
import { isTimeframe, timeframeMs, type Timeframe } from '@atp/core';
import type { CandleDoc, SeriesId } from '../candle';
import { scanSeries, type SeriesReport } from '../gaps';
import { CandleColumns, rowProblem } from '../parse/candle-columns';
import { CandleCsvParser, candleFromJsonElement, type CandleParseOptions } from '../parse/candle-rows';
import { OhlcvJsonReader } from '../parse/ohlcv-json';
import { timestampReader } from '../parse/time';
import { addTotals, type BadRow, type ProgressCallback, type UpsertSink, type UpsertTotals } from '../sink';
import { fileSize, readChunks, readLineBatches } from './files';

export interface ImportCandlesOptions extends CandleParseOptions {
  series: SeriesId;
  sink: UpsertSink<CandleDoc>;
  /** `auto` (default): `.json`/`.json.gz` is a JSON array, anything else CSV. */
  format?: 'auto' | 'json' | 'csv';
  /** Documents per `upsertMany` (default 5,000). */
  batchSize?: number;
  onProgress?: ProgressCallback;
  /** Bad rows listed in the result (all are counted); default 1,000. */
  maxBadRowsListed?: number;
  /** Reject bars not aligned to the series timeframe (default true). */
  requireAligned?: boolean;
}

export interface ImportCandlesResult {
  file: string;
  series: SeriesId;
  format: 'json' | 'csv';
  /** Data rows read (excludes blank, banner and header lines). */
  rows: number;
  /** Rows that passed validation and were written (duplicates in the file counted once each). */
  candles: number;
  badRowCount: number;
  badRows: BadRow[];
  /** Lines skipped as blank, banner or header. */
  skippedLines: number;
  written: UpsertTotals;
  /** Gaps, duplicates and order of the valid bars, in file order (`outOfOrder` > 0 for a reversed file). */
  report: SeriesReport;
}

/**
 * Imports one candle file (freqtrade JSON array or CSV from an exchange or data vendor) into `sink`
 * in batches, by natural key, so re-importing is idempotent. Bad rows are reported with file, line
 * and reason; the rest still imports. Rows may come in either time order. See README.md for the
 * formats and the column mapping. Throws only when the file cannot be read or is not a JSON array.
 */
export async function importCandleFile(file: string, opts: ImportCandlesOptions): Promise<ImportCandlesResult> {
  const format = opts.format && opts.format !== 'auto' ? opts.format : /\.json(\.gz)?$/i.test(file) ? 'json' : 'csv';
  const batchSize = opts.batchSize ?? 5000;
  const maxListed = opts.maxBadRowsListed ?? 1000;
  const totalBytes = fileSize(file);
  const { exchange, symbol, timeframe: tf } = opts.series;
  const tfMs = timeframeMs(tf);
  const checkMs = (opts.requireAligned ?? true) ? tfMs : 0;
  const idPrefix = `${exchange}:${symbol}:${tf}:`;
  const openTimes: number[] = [];
  const badRows: BadRow[] = [];
  let badRowCount = 0;
  let rows = 0;
  let skippedLines = 0;
  let written: UpsertTotals = { inserted: 0, modified: 0, unchanged: 0 };
  let bytesRead = 0;
  let rowsWritten = 0;
  // The batch in file order; a repeated open time within it keeps the last row (see `index`).
  let batch: CandleDoc[] = [];
  let index: Map<number, number> | null = null;
  let lastTime = -Infinity;

  const progress = (done: boolean) =>
    opts.onProgress?.({ file, rowsRead: rows, rowsWritten, badRows: badRowCount, bytesRead, totalBytes, done });
  const flush = async () => {
    if (batch.length === 0) return;
    const docs = batch;
    batch = [];
    index = null;
    lastTime = -Infinity;
    written = addTotals(written, await opts.sink.upsertMany(docs));
    rowsWritten += docs.length;
    progress(false);
  };
  /** Validates the parsed rows, reports the bad ones, batches the rest (writing full batches). */
  const drain = async (cols: CandleColumns) => {
    const n = cols.length;
    rows += n;
    for (let i = 0; i < n; i++) {
      const problem = rowProblem(cols, i, checkMs, tf);
      if (problem !== null) {
        badRowCount++;
        if (badRows.length < maxListed) badRows.push(format === 'json' ? { file, line: cols.line[i]!, element: cols.element[i]!, reason: problem } : { file, line: cols.line[i]!, reason: problem });
        continue;
      }
      const t = cols.openTime[i]!;
      openTimes.push(t);
      const doc: CandleDoc = { _id: idPrefix + t, exchange, symbol, timeframe: tf, openTime: t, open: cols.open[i]!, high: cols.high[i]!, low: cols.low[i]!, close: cols.close[i]!, volume: cols.volume[i]! };
      if (t > lastTime && index === null) {
        lastTime = t;
        batch.push(doc);
      } else {
        // Not strictly ascending within the batch: index it by open time so a repeat replaces.
        if (index === null) {
          index = new Map();
          for (let k = 0; k < batch.length; k++) index.set(batch[k]!.openTime, k);
        }
        const at = index.get(t);
        if (at === undefined) {
          index.set(t, batch.length);
          batch.push(doc);
        } else batch[at] = doc;
      }
      if (batch.length >= batchSize) await flush();
    }
    cols.clear();
  };

  const cols = new CandleColumns();
  if (format === 'json') {
    const readTime = timestampReader(opts);
    const reader = new OhlcvJsonReader(
      cols,
      (text, line, element) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          cols.pushError(`invalid JSON: ${(e as Error).message}`, line, element);
          return;
        }
        const o = candleFromJsonElement(parsed, { ...opts, readTime });
        if (o.kind === 'candle') cols.push(o.candle.openTime, o.candle.open, o.candle.high, o.candle.low, o.candle.close, o.candle.volume, line, element);
        else cols.pushError(o.reason, line, element);
      },
      { epochUnit: opts.epochUnit, fastRows: opts.columns === undefined },
    );
    for await (const chunk of readChunks(file)) {
      bytesRead = chunk.bytesRead;
      reader.push(chunk.text);
      await drain(cols);
    }
    reader.end();
  } else {
    const parser = new CandleCsvParser(opts);
    for await (const b of readLineBatches(file)) {
      bytesRead = b.bytesRead;
      for (let i = 0; i < b.lines.length; i++) if (!parser.read(b.lines[i]!, b.firstLineNo + i, cols)) skippedLines++;
      await drain(cols);
    }
  }
  await flush();
  progress(true);
  return { file, series: opts.series, format, rows, candles: openTimes.length, badRowCount, badRows, skippedLines, written, report: scanSeries(openTimes, tf) };
}

/** A recorded candle file name `<BASE>_<QUOTE>-<tf>.json`, e.g. `BTC_USDT-1h.json` -> BTC/USDT 1h. */
export function parseCandleFileName(file: string): { symbol: string; timeframe: Timeframe } | null {
  const m = /^([A-Z0-9]+)_([A-Z0-9]+)-(\w+)\.json(\.gz)?$/i.exec(path.basename(file));
  if (!m || !isTimeframe(m[3])) return null;
  return { symbol: `${m[1]!.toUpperCase()}/${m[2]!.toUpperCase()}`, timeframe: m[3] };
}
