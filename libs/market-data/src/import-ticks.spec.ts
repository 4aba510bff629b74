import * as path from 'node:path';
import { importTradeFile, importQuoteFile, type ImportTradesOptions } from './adapters/import-trades';
import { importBookFile } from './adapters/import-book';
import { resolveDataDir } from './adapters/files';
import { MapSink } from './testing/map-sink';
import type { TradeDoc } from './trade';
import type { QuoteDoc } from './book';

/**
 * Exact counts of the recorded trade, quote and book files (shared/data; sources and licences in
 * shared/data/README.md: Tardis/nautilus samples LGPL-3.0, freqtrade test data GPL-3.0,
 * hftbacktest capture MIT). Counts were read from the files with zcat | grep -c / wc -l.
 */
const D = resolveDataDir();

describe('trade importers on recorded files', () => {
  const cases: [string, Omit<ImportTradesOptions, 'sink'>, number, string][] = [
    ['ticks/nautilus/tardis_binance-futures_BTCUSDT_trades.csv', { format: 'tardis-trades' }, 9999, 'binance-futures:BTCUSDT:42377944'],
    ['ticks/nautilus/bitmex_trades_XBTUSD.csv', { format: 'tardis-trades' }, 10, 'bitmex:XBTUSD:ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf'],
    ['trades/freqtrade/XRP_ETH-trades.json.gz', { format: 'freqtrade-trades', exchange: 'binance', symbol: 'XRP/ETH' }, 12477, 'binance:XRP/ETH:13519807'],
    ['trades/freqtrade/XRP_OLD-trades.json.gz', { format: 'ccxt-trades', exchange: 'binance' }, 12477, 'binance:XRP/ETH:13532283'],
    ['trades/freqtrade/kraken_BCHEUR_trades.csv', { format: 'kraken-trades', exchange: 'kraken', symbol: 'BCH/EUR' }, 148, 'kraken:BCH/EUR:1672531436000-0'],
    ['trades/freqtrade/public_trades_list.csv', { format: 'trades-csv', exchange: 'binance', symbol: 'ETH/USDT' }, 1000, 'binance:ETH/USDT:1206419187'],
    ['ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz', { format: 'hftbacktest', exchange: 'binance', symbol: 'BTC/USDT' }, 9757, 'binance:BTC/USDT:3735683259'],
    ['ticks/hftbacktest/usdm_btcusdt_20240808.jsonl.gz', { format: 'hftbacktest', exchange: 'binanceusdm', symbol: 'BTC/USDT:USDT' }, 21313, 'binanceusdm:BTC/USDT:USDT:5266583935'],
  ];
  it.each(cases)('%s (%j): %d trades, no bad rows, idempotent re-import', async (file, o, count, sampleId) => {
    const sink = new MapSink<TradeDoc>();
    const progress: number[] = [];
    const r = await importTradeFile(path.join(D, file), { ...o, sink, batchSize: 4000, onProgress: (p) => progress.push(p.rowsWritten) } as ImportTradesOptions);
    expect(r.badRows).toEqual([]);
    expect(r.trades).toBe(count);
    expect(sink.docs.size).toBe(count);
    expect(r.written).toEqual({ inserted: count, modified: 0, unchanged: 0 });
    expect(sink.docs.get(sampleId)).toBeDefined();
    expect(progress.at(-1)).toBe(count);
    const again = await importTradeFile(path.join(D, file), { ...o, sink } as ImportTradesOptions);
    expect(again.written).toEqual({ inserted: 0, modified: 0, unchanged: count });
    expect(sink.docs.size).toBe(count);
  });

  it('reads side, price, amount and time as the venue gave them', async () => {
    const sink = new MapSink<TradeDoc>();
    await importTradeFile(path.join(D, 'ticks/nautilus/tardis_binance-futures_BTCUSDT_trades.csv'), { format: 'tardis-trades', sink });
    // binance-futures,BTCUSDT,1582329602111000,1582329602418379,42377944,buy,9682,0.132
    expect(sink.docs.get('binance-futures:BTCUSDT:42377944')).toEqual({
      _id: 'binance-futures:BTCUSDT:42377944', exchange: 'binance-futures', symbol: 'BTCUSDT', tradeId: '42377944', ts: 1582329602111, price: 9682, amount: 0.132, side: 'buy',
    });
    const hft = new MapSink<TradeDoc>();
    await importTradeFile(path.join(D, 'ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz'), { format: 'hftbacktest', exchange: 'binance', symbol: 'BTC/USDT', sink: hft });
    // {"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true}
    expect(hft.docs.get('binance:BTC/USDT:3735683259')).toMatchObject({ ts: 1723161255342, price: 61837.63, amount: 0.02, side: 'sell' });
  });
});

describe('quote and book importers on recorded files', () => {
  it.each([
    ['ticks/nautilus/tardis_binance-futures_BTCUSDT_quotes.csv', 'tardis-quotes', 9999],
    ['ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz', 'hftbacktest', 28040],
    ['ticks/hftbacktest/usdm_btcusdt_20240808.jsonl.gz', 'hftbacktest', 66089],
  ] as const)('%s: %s gives %d quotes', async (file, format, count) => {
    const sink = new MapSink<QuoteDoc>();
    const r = await importQuoteFile(path.join(D, file), { format, exchange: format === 'hftbacktest' ? 'binance' : undefined, sink });
    expect(r.badRowCount).toBe(0);
    expect(r.quotes).toBe(count);
    expect(sink.docs.size).toBe(count);
    const again = await importQuoteFile(path.join(D, file), { format, exchange: format === 'hftbacktest' ? 'binance' : undefined, sink });
    expect(again.written.unchanged).toBe(count);
  });

  it.each([
    ['ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz', 'hftbacktest', 1, 3451],
    ['ticks/hftbacktest/usdm_btcusdt_20240808.jsonl.gz', 'hftbacktest', 1, 6551],
    ['ticks/nautilus/btcusdt-depth-snap.csv', 'nautilus-depth', 1, 0],
    ['ticks/nautilus/btcusdt-depth-update.csv', 'nautilus-depth', 0, 1],
  ] as const)('%s (%s): %s snapshot(s) and %s diffs', async (file, format, snapshots, diffs) => {
    const sink = new MapSink<{ _id: string }>();
    const r = await importBookFile(path.join(D, file), { format, exchange: 'binance', symbol: 'BTC/USDT', sink });
    expect([r.snapshots, r.diffs, r.badRowCount]).toEqual([snapshots, diffs, 0]);
    expect(sink.docs.size).toBe(snapshots + diffs);
  });
});
