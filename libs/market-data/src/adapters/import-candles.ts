import * as path from 'node:path';
import { isTimeframe, timeframeMs, type Timeframe } from '@atp/core';
import { toCandleDoc, type CandleDoc, type SeriesId } from '../candle';
import { scanSeries, type SeriesReport } from '../gaps';
import { CandleCsvParser, candleFromJsonElement, parseNumericRow, type CandleParseOptions, type RowOutcome } from '../parse/candle-rows';
import { JsonArrayScanner } from '../parse/json-scanner';
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
  const tf = opts.series.timeframe;
  const tfMs = timeframeMs(tf);
  const openTimes: number[] = [];
  const badRows: BadRow[] = [];
  let badRowCount = 0;
  let rows = 0;
  let skippedLines = 0;
  let written: UpsertTotals = { inserted: 0, modified: 0, unchanged: 0 };
  let batch = new Map<string, CandleDoc>();
  let bytesRead = 0;
  let rowsWritten = 0;
  const requireAligned = opts.requireAligned ?? true;

  const progress = (done: boolean) =>
    opts.onProgress?.({ file, rowsRead: rows, rowsWritten, badRows: badRowCount, bytesRead, totalBytes, done });
  const bad = (r: BadRow) => {
    badRowCount++;
    if (badRows.length < maxListed) badRows.push(r);
  };
  const flush = async () => {
    if (batch.size === 0) return;
    const docs = [...batch.values()];
    batch = new Map();
    written = addTotals(written, await opts.sink.upsertMany(docs));
    rowsWritten += docs.length;
    progress(false);
  };
  const take = (o: RowOutcome, line: number, element?: number): void => {
    if (o.kind === 'skip') {
      skippedLines++;
      return;
    }
    rows++;
    if (o.kind === 'error') return bad({ file, line, element, reason: o.reason });
    if (requireAligned && o.candle.openTime % tfMs !== 0) {
      return bad({ file, line, element, reason: `misaligned-time: openTime ${o.candle.openTime} not a multiple of ${tf}` });
    }
    openTimes.push(o.candle.openTime);
    const doc = toCandleDoc(opts.series, o.candle);
    batch.set(doc._id, doc);
  };

  if (format === 'json') {
    const scanner = new JsonArrayScanner();
    const readTime = timestampReader(opts);
    let element = 0;
    for await (const chunk of readChunks(file)) {
      bytesRead = chunk.bytesRead;
      for (const el of scanner.push(chunk.text)) {
        element++;
        let outcome: RowOutcome;
        const nums = opts.columns ? null : parseNumericRow(el.text);
        if (nums && nums.length >= 5) {
          outcome = candleFromJsonElement(nums, opts);
        } else {
          let parsed: unknown;
          try {
            parsed = JSON.parse(el.text);
          } catch (e) {
            take({ kind: 'error', reason: `invalid JSON: ${(e as Error).message}` }, el.line, element);
            continue;
          }
          outcome = candleFromJsonElement(parsed, { ...opts, readTime });
        }
        take(outcome, el.line, element);
        if (batch.size >= batchSize) await flush();
      }
    }
    scanner.end();
  } else {
    const parser = new CandleCsvParser(opts);
    for await (const b of readLineBatches(file)) {
      bytesRead = b.bytesRead;
      for (let i = 0; i < b.lines.length; i++) {
        take(parser.feed(b.lines[i]!), b.firstLineNo + i);
        if (batch.size >= batchSize) await flush();
      }
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
