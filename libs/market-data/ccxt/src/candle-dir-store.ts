import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { importCandleFile, parseCandleFileName, type CandleDoc } from '@atp/market-data';
import { MemoryStore, type CollectionDef, type Doc, type RangeQuery, type Repository, type SnapshotStore, type Store, type UpsertResult } from '@atp/storage';
import { CANDLES } from './collections';

/** The folder of an exchange's spot candles in the recorded layout: `binance` -> `binance-spot`. */
export function candleFolder(exchange: string): string {
  return `${exchange}-spot`;
}

/** The file of a series in the recorded layout: `<dir>/binance-spot/BTC_USDT-1h.json`. */
export function candleFilePath(dir: string, exchange: string, symbol: string, timeframe: string): string {
  return path.join(dir, candleFolder(exchange), `${symbol.replace('/', '_')}-${timeframe}.json`);
}

/**
 * A Store over a directory of candle files in the recorded layout (shared/data/README.md):
 * `<dir>/<exchange>-spot/<BASE>_<QUOTE>-<tf>.json`, each a freqtrade JSON array of
 * `[openTimeMs, open, high, low, close, volume]` in ascending open time — what `DATA_DIR` points at.
 * `open` reads the existing files into memory; the `candles` repository then behaves as any other
 * (upserts by natural key, ranges, last), and `flush` rewrites the files of the series that
 * changed (atomically: a temporary file renamed over the old one), so an interrupted download
 * resumes from what was flushed. Other collections live in memory only. `close` flushes.
 */
export class CandleDirStore implements Store {
  private readonly mem = new MemoryStore('candle-dir');
  private readonly dirty = new Set<string>();
  private readonly candles: Repository<CandleDoc>;

  private constructor(readonly dir: string) {
    this.candles = this.mem.repository<CandleDoc>(CANDLES);
  }

  /**
   * Opens `dir` (created if missing) and loads its candle files. Throws when a file is not a
   * readable candle array or holds bad rows (a data directory must not be silently partial).
   */
  static async open(dir: string): Promise<CandleDirStore> {
    mkdirSync(dir, { recursive: true });
    const s = new CandleDirStore(dir);
    await s.candles.init();
    for (const folder of readdirSync(dir).sort()) {
      const m = /^(.+)-spot$/.exec(folder);
      if (!m || !statSync(path.join(dir, folder)).isDirectory()) continue;
      for (const name of readdirSync(path.join(dir, folder)).sort()) {
        const id = parseCandleFileName(name);
        if (!id) continue;
        const file = path.join(dir, folder, name);
        const r = await importCandleFile(file, { series: { exchange: m[1]!, ...id }, sink: s.candles, format: 'json', batchSize: 50_000 });
        if (r.badRowCount > 0) throw new Error(`${file}: ${r.badRowCount} bad row(s), first at line ${r.badRows[0]!.line}: ${r.badRows[0]!.reason}`);
      }
    }
    return s;
  }

  repository<T extends Doc>(def: CollectionDef<T>): Repository<T> {
    if (def.name !== CANDLES.name) return this.mem.repository(def);
    return new DirtyTrackingRepository(this.candles, this.dirty) as unknown as Repository<T>;
  }

  snapshots(prefix: string): SnapshotStore {
    return this.mem.snapshots(prefix);
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    return existsSync(this.dir) ? { ok: true, detail: this.dir } : { ok: false, detail: `${this.dir} does not exist` };
  }

  /** Rewrites the files of the series changed since the last flush; returns the files written. */
  async flush(): Promise<string[]> {
    const keys = [...this.dirty];
    this.dirty.clear();
    const written: string[] = [];
    for (const key of keys) {
      const [exchange, symbol, timeframe] = JSON.parse(key) as [string, string, string];
      const rows: string[] = [];
      for await (const batch of this.candles.iterate({ where: { exchange, symbol, timeframe } }, 50_000)) {
        for (const d of batch) rows.push(JSON.stringify([d.openTime, d.open, d.high, d.low, d.close, d.volume]));
      }
      const file = candleFilePath(this.dir, exchange, symbol, timeframe);
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, `[${rows.join(',')}]`);
      renameSync(tmp, file);
      written.push(file);
    }
    return written;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.mem.close();
  }
}

/** Delegates to the memory repository and records which series a write touched. */
class DirtyTrackingRepository implements Repository<CandleDoc> {
  readonly name: string;
  constructor(
    private readonly inner: Repository<CandleDoc>,
    private readonly dirty: Set<string>,
  ) {
    this.name = inner.name;
  }

  private touch(docs: readonly CandleDoc[]): void {
    for (const d of docs) this.dirty.add(JSON.stringify([d.exchange, d.symbol, d.timeframe]));
  }

  init(): Promise<void> {
    return this.inner.init();
  }
  async upsert(doc: CandleDoc): Promise<void> {
    await this.inner.upsert(doc);
    this.touch([doc]);
  }
  async upsertMany(docs: readonly CandleDoc[]): Promise<UpsertResult> {
    const r = await this.inner.upsertMany(docs);
    if (r.inserted + r.modified > 0) this.touch(docs);
    return r;
  }
  async insertIfAbsent(doc: CandleDoc): Promise<boolean> {
    const r = await this.inner.insertIfAbsent(doc);
    if (r) this.touch([doc]);
    return r;
  }
  get(id: string): Promise<CandleDoc | null> {
    return this.inner.get(id);
  }
  getMany(ids: readonly string[]): Promise<CandleDoc[]> {
    return this.inner.getMany(ids);
  }
  range(q: RangeQuery<CandleDoc>): Promise<CandleDoc[]> {
    return this.inner.range(q);
  }
  iterate(q: RangeQuery<CandleDoc>, batchSize?: number): AsyncIterable<CandleDoc[]> {
    return this.inner.iterate(q, batchSize);
  }
  last(where?: RangeQuery<CandleDoc>['where']): Promise<CandleDoc | null> {
    return this.inner.last(where);
  }
  count(where?: RangeQuery<CandleDoc>['where']): Promise<number> {
    return this.inner.count(where);
  }
  async deleteMany(where: RangeQuery<CandleDoc>['where']): Promise<number> {
    const doomed = await this.inner.range({ where });
    this.touch(doomed);
    return this.inner.deleteMany(where);
  }
}
