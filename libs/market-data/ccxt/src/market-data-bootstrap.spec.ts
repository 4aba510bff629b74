import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { CandleDirStore, candleFilePath } from './candle-dir-store';
import { CANDLES } from './collections';
import { defaultMarketsSnapshot } from './markets';
import { DEFAULT_SYMBOLS, prepareMarketData, startupDataDir } from './market-data-bootstrap';

/**
 * `npm start` where ../shared/data is absent: DATA_DIR is an empty directory, the exchange API is
 * the local fake Binance (EXCHANGE_API_URL) serving the recorded 1h candles (shared/data/binance-spot,
 * NostalgiaForInfinity, GPL-3.0) through ccxt's real binance class.
 */
describe('prepareMarketData (download the default data set when it is missing)', () => {
  let server: FakeExchangeServer;
  let dir: string;
  beforeEach(async () => {
    server = await FakeExchangeServer.start();
    for (const s of DEFAULT_SYMBOLS) server.setCandles(s.replace('/', ''), '1h', loadRecordedOhlcv(s.split('/')[0]!, '1h'));
    dir = mkdtempSync(path.join(tmpdir(), 'atp-data-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads the four symbols in the recorded layout and the markets metadata, then finds them in place', async () => {
    const env = { DATA_DIR: dir, EXCHANGE_API_URL: server.httpUrl };
    expect(startupDataDir(env)).toBe(dir);
    const r = await prepareMarketData(env);
    expect(r).toEqual({ dataDir: dir, downloaded: [...DEFAULT_SYMBOLS], candles: { 'BTC/USDT': 5482, 'ETH/USDT': 5482, 'XRP/USDT': 5482, 'ADA/USDT': 5482 }, wroteMarkets: true });
    // The files equal the recorded ones row for row (freqtrade JSON arrays).
    for (const s of DEFAULT_SYMBOLS) {
      const file = candleFilePath(dir, 'binance', s, '1h');
      expect(file).toBe(path.join(dir, 'binance-spot', `${s.replace('/', '_')}-1h.json`));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(loadRecordedOhlcv(s.split('/')[0]!, '1h'));
    }
    // The saved exchangeInfo gives the same markets snapshot as the recorded one.
    const fromDownload = await defaultMarketsSnapshot({ symbols: ['BTC/USDT'], dataDir: dir });
    expect(fromDownload.markets['BTC/USDT']).toEqual((await defaultMarketsSnapshot({ symbols: ['BTC/USDT'] })).markets['BTC/USDT']);

    const requests = server.requestsTo('/klines').length;
    expect(await prepareMarketData(env)).toMatchObject({ downloaded: [], wroteMarkets: false });
    expect(server.requestsTo('/klines')).toHaveLength(requests); // nothing fetched again
  }, 120_000);

  it('completes a partial directory, fetching only what is missing', async () => {
    const store = await CandleDirStore.open(dir);
    const rows = loadRecordedOhlcv('BTC', '1h').slice(0, 1000);
    await store.repository(CANDLES).upsertMany(rows.map((r) => ({ _id: `binance:BTC/USDT:1h:${r[0]}`, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' as const, openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! })));
    await store.close();
    const r = await prepareMarketData({ DATA_DIR: dir, EXCHANGE_API_URL: server.httpUrl });
    expect(r.candles['BTC/USDT']).toBe(5482);
    const btc = server.requestsTo('/klines').filter((q) => q.query.symbol === 'BTCUSDT');
    expect(Number(btc[0]!.query.startTime)).toBe(rows[999]![0]! + 3_600_000); // resumed after the stored bars
    expect(JSON.parse(readFileSync(candleFilePath(dir, 'binance', 'BTC/USDT', '1h'), 'utf8'))).toEqual(loadRecordedOhlcv('BTC', '1h'));
  }, 120_000);
});
