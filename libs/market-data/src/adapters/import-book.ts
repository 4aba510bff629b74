import type { L2Diff, L2Snapshot } from '../book';
import { groupDepthRows, parseDepthCsvRow, parseHftLine, type DepthCsvRow, type HftRecord } from '../parse/recorded';
import { splitCsvLine } from '../parse/csv';
import type { BadRow, ProgressCallback, UpsertSink, UpsertTotals } from '../sink';
import { BatchWriter } from './batch-writer';
import { fileSize, readLineBatches } from './files';

/**
 * One price level of a stored book event. Levels are documents, not `[price, qty]` pairs: MongoDB
 * stores both, but MongoDB-wire servers such as FerretDB v1 refuse nested arrays, and one shape must
 * run on every store. A quantity of 0 in a diff deletes the level (Binance semantics).
 */
export interface BookLevelDoc {
  price: number;
  qty: number;
}

/** A stored L2 event: natural key `exchange:symbol:snapshot:<lastUpdateId>` or `exchange:symbol:diff:<U>-<u>`. */
export interface BookDoc {
  _id: string;
  exchange: string;
  symbol: string;
  kind: 'snapshot' | 'diff';
  ts: number;
  firstUpdateId: number | null;
  lastUpdateId: number;
  prevLastUpdateId: number | null;
  bids: BookLevelDoc[];
  asks: BookLevelDoc[];
}

const levels = (ls: readonly (readonly [number, number])[]): BookLevelDoc[] => ls.map((l) => ({ price: l[0], qty: l[1] }));

export type BookEventRecord = { kind: 'snapshot'; snapshot: L2Snapshot; line: number } | { kind: 'diff'; diff: L2Diff; line: number };

/** The records of an hftbacktest capture, in file order, with line numbers; bad lines go to `onBad`. */
export async function* readHftCapture(file: string, onBad?: (b: BadRow) => void): AsyncGenerator<HftRecord & { line: number }> {
  for await (const b of readLineBatches(file)) {
    for (let i = 0; i < b.lines.length; i++) {
      const line = b.lines[i]!;
      if (!line) continue;
      try {
        yield { ...parseHftLine(line), line: b.firstLineNo + i };
      } catch (e) {
        onBad?.({ file, line: b.firstLineNo + i, reason: (e as Error).message });
      }
    }
  }
}

/** Snapshots and diffs of a nautilus Binance depth CSV (`btcusdt-depth-{snap,update}.csv`). */
export async function readDepthCsv(file: string, onBad?: (b: BadRow) => void): Promise<BookEventRecord[]> {
  const rows: (DepthCsvRow & { line: number })[] = [];
  for await (const b of readLineBatches(file)) {
    for (let i = 0; i < b.lines.length; i++) {
      const line = b.lines[i]!;
      const lineNo = b.firstLineNo + i;
      if (!line.trim() || line.startsWith('symbol,')) continue;
      try {
        rows.push({ ...parseDepthCsvRow(splitCsvLine(line)), line: lineNo });
      } catch (e) {
        onBad?.({ file, line: lineNo, reason: (e as Error).message });
      }
    }
  }
  // groupDepthRows keeps group order; recover each group's first line number.
  const groups = groupDepthRows(rows);
  const out: BookEventRecord[] = [];
  let idx = 0;
  for (const g of groups) {
    const line = rows[idx]!.line;
    const n = g.kind === 'snapshot' ? g.snapshot.bids.length + g.snapshot.asks.length : g.diff.bids.length + g.diff.asks.length;
    idx += n;
    out.push(g.kind === 'snapshot' ? { kind: 'snapshot', snapshot: g.snapshot, line } : { kind: 'diff', diff: g.diff, line });
  }
  return out;
}

export interface ImportBookOptions {
  format: 'hftbacktest' | 'nautilus-depth';
  exchange: string;
  symbol: string;
  sink: UpsertSink<BookDoc>;
  batchSize?: number;
  onProgress?: ProgressCallback;
}

export interface ImportBookResult {
  file: string;
  snapshots: number;
  diffs: number;
  badRowCount: number;
  badRows: BadRow[];
  written: UpsertTotals;
}

function toBookDoc(exchange: string, symbol: string, e: BookEventRecord): BookDoc {
  if (e.kind === 'snapshot') {
    const s = e.snapshot;
    return { _id: `${exchange}:${symbol}:snapshot:${s.lastUpdateId}`, exchange, symbol, kind: 'snapshot', ts: s.ts, firstUpdateId: null, lastUpdateId: s.lastUpdateId, prevLastUpdateId: null, bids: levels(s.bids), asks: levels(s.asks) };
  }
  const d = e.diff;
  return {
    _id: `${exchange}:${symbol}:diff:${d.firstUpdateId}-${d.lastUpdateId}`, exchange, symbol, kind: 'diff', ts: d.ts, firstUpdateId: d.firstUpdateId, lastUpdateId: d.lastUpdateId,
    prevLastUpdateId: d.prevLastUpdateId ?? null, bids: levels(d.bids), asks: levels(d.asks),
  };
}

/** Imports the L2 snapshots and diffs of a capture into `sink` (idempotent by update ids). */
export async function importBookFile(file: string, opts: ImportBookOptions): Promise<ImportBookResult> {
  const w = new BatchWriter<BookDoc>(file, opts.sink, fileSize(file), opts);
  let snapshots = 0;
  let diffs = 0;
  const onBad = (b: BadRow) => w.bad(b.line, b.reason);
  const take = async (e: BookEventRecord) => {
    if (e.kind === 'snapshot') snapshots++;
    else diffs++;
    await w.add(toBookDoc(opts.exchange, opts.symbol, e));
  };
  if (opts.format === 'hftbacktest') {
    for await (const r of readHftCapture(file, onBad)) {
      if (r.kind === 'snapshot') await take({ kind: 'snapshot', snapshot: r.snapshot, line: r.line });
      else if (r.kind === 'depth') await take({ kind: 'diff', diff: r.diff, line: r.line });
    }
  } else {
    for (const e of await readDepthCsv(file, onBad)) await take(e);
  }
  const r = await w.finish();
  return { file, snapshots, diffs, badRowCount: r.badRowCount, badRows: r.badRows, written: r.written };
}
