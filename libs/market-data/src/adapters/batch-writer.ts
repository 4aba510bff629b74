import { addTotals, type BadRow, type ImportProgress, type ProgressCallback, type UpsertSink, type UpsertTotals } from '../sink';

/**
 * Collects documents into batches keyed by `_id` (a key repeated within a batch keeps the last
 * version), writes them with `upsertMany`, counts bad rows and reports progress.
 */
export class BatchWriter<T extends { _id: string }> {
  private batch = new Map<string, T>();
  written: UpsertTotals = { inserted: 0, modified: 0, unchanged: 0 };
  rows = 0;
  accepted = 0;
  rowsWritten = 0;
  badRowCount = 0;
  readonly badRows: BadRow[] = [];
  bytesRead = 0;

  constructor(
    private readonly file: string,
    private readonly sink: UpsertSink<T>,
    private readonly totalBytes: number,
    private readonly opts: { batchSize?: number; onProgress?: ProgressCallback; maxBadRowsListed?: number } = {},
  ) {}

  /** Adds a document; resolves after a write when the batch is full. */
  add(doc: T): Promise<void> | undefined {
    this.rows++;
    this.accepted++;
    this.batch.set(doc._id, doc);
    if (this.batch.size >= (this.opts.batchSize ?? 5000)) return this.flush();
    return undefined;
  }

  bad(line: number, reason: string, element?: number): void {
    this.rows++;
    this.badRowCount++;
    if (this.badRows.length < (this.opts.maxBadRowsListed ?? 1000)) this.badRows.push({ file: this.file, line, element, reason });
  }

  async flush(): Promise<void> {
    if (this.batch.size === 0) return;
    const docs = [...this.batch.values()];
    this.batch = new Map();
    this.written = addTotals(this.written, await this.sink.upsertMany(docs));
    this.rowsWritten += docs.length;
    this.progress(false);
  }

  progress(done: boolean): void {
    const p: ImportProgress = { file: this.file, rowsRead: this.rows, rowsWritten: this.rowsWritten, badRows: this.badRowCount, bytesRead: this.bytesRead, totalBytes: this.totalBytes, done };
    this.opts.onProgress?.(p);
  }

  async finish(): Promise<{ rows: number; accepted: number; badRowCount: number; badRows: BadRow[]; written: UpsertTotals }> {
    await this.flush();
    this.progress(true);
    return { rows: this.rows, accepted: this.accepted, badRowCount: this.badRowCount, badRows: this.badRows, written: this.written };
  }
}
