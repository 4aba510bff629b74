import type { Store } from '@atp/storage';
import { importRecordedCandles, scanSeries, type CandleDoc } from '@atp/market-data';
import { CANDLES } from './collections';

/**
 * The recorded-candles import, run against any Store (MemoryStore in unit tests, MongoStore on
 * FerretDB in the integration test). Data: shared/data/binance-spot (iterativv/NostalgiaForInfinity,
 * GPL-3.0). Expected counts were read from the files: 5,482 1h rows per symbol; 5m rows ADA 65,740,
 * BTC 65,741, ETH 65,742, XRP 65,745; per symbol 6 gaps = 11 missing 1h bars / 177 missing 5m bars.
 */
export const EXPECTED_ROWS: Record<string, number> = {
  'ADA/USDT 1h': 5482, 'BTC/USDT 1h': 5482, 'ETH/USDT 1h': 5482, 'XRP/USDT 1h': 5482,
  'ADA/USDT 5m': 65740, 'BTC/USDT 5m': 65741, 'ETH/USDT 5m': 65742, 'XRP/USDT 5m': 65745,
};
const MISSING: Record<string, number> = { '1h': 11, '5m': 177 };

/**
 * `timeframes` limits the files (default both); `batchSize` is the importer's rows per
 * `upsertMany`. On FerretDB v1 (SQLite backend) every filtered read but `{_id: x}` is a full scan
 * (~0.05 ms per stored document on the shared 2-core box), so the store is read back in ONE
 * unfiltered pass after the re-import (per-series counts, gaps, nothing else stored), not with a
 * count and a range read per series. `readBack: 'count'` replaces that pass (a sorted read of
 * everything: ~28 s for the 263k-row 5m set on FerretDB) with one `count()` (~13 s): the exact rows
 * per series are then proven by the importer's totals (inserted = rows, re-import unchanged = rows)
 * and the total count (nothing else stored), the gaps by the importer's report.
 */
export async function recordedImportScenario(store: Store, opts: { timeframes?: readonly string[]; batchSize?: number; readBack?: 'all' | 'count' } = {}): Promise<void> {
  const repo = store.repository<CandleDoc>(CANDLES);
  await repo.init();
  const progress: number[] = [];
  const expected = Object.fromEntries(Object.entries(EXPECTED_ROWS).filter(([k]) => !opts.timeframes || opts.timeframes.includes(k.split(' ')[1]!)));
  const results = await importRecordedCandles({ sink: repo, timeframes: opts.timeframes, batchSize: opts.batchSize, onProgress: (p) => p.done && progress.push(p.rowsWritten) });
  const key = (r: { series: { symbol: string; timeframe: string } }) => `${r.series.symbol} ${r.series.timeframe}`;
  expect(Object.fromEntries(results.map((r) => [key(r), r.candles]))).toEqual(expected);
  for (const r of results) {
    expect(r.badRows).toEqual([]);
    expect(r.written).toEqual({ inserted: EXPECTED_ROWS[key(r)], modified: 0, unchanged: 0 });
    expect([r.report.gaps.length, r.report.missingBars, r.report.duplicates.length, r.report.outOfOrder.length]).toEqual([6, MISSING[r.series.timeframe], 0, 0]);
  }
  expect(progress).toEqual(results.map((r) => r.candles));
  if (expected['BTC/USDT 1h'] !== undefined) {
    expect((await repo.last({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }))!.openTime).toBe(Date.UTC(2021, 6, 17, 20));
  }

  // Re-import: idempotent, zero duplicates.
  const again = await importRecordedCandles({ sink: repo, timeframes: opts.timeframes, batchSize: opts.batchSize });
  expect(again.map(key)).toEqual(results.map(key));
  for (const r of again) expect(r.written).toEqual({ inserted: 0, modified: 0, unchanged: EXPECTED_ROWS[key(r)] });

  if (opts.readBack === 'count') {
    expect(await repo.count()).toBe(Object.values(expected).reduce((a, b) => a + b, 0));
    return;
  }
  // The store holds exactly the file rows (no duplicates, nothing else), and the gaps are visible
  // from the stored data too: one pass over the whole collection, grouped by series.
  const times = new Map<string, number[]>();
  for await (const batch of repo.iterate({}, 20_000)) {
    for (const d of batch) {
      expect(d.exchange).toBe('binance');
      const k = `${d.symbol} ${d.timeframe}`;
      let ts = times.get(k);
      if (ts === undefined) times.set(k, (ts = []));
      ts.push(d.openTime);
    }
  }
  expect(Object.fromEntries([...times].map(([k, ts]) => [k, ts.length]))).toEqual(expected);
  for (const r of results) {
    const report = scanSeries(times.get(key(r))!, r.series.timeframe);
    expect([report.bars, report.gaps.length, report.missingBars, report.duplicates.length]).toEqual([EXPECTED_ROWS[key(r)], 6, MISSING[r.series.timeframe], 0]);
  }
}
