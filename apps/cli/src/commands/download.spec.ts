import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { runCli } from '../program';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env: {} }, out: () => out, err: () => err };
}

/** Against the local fake Binance serving the recorded BTC/USDT 1h candles (shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0). */
describe('atp download', () => {
  let server: FakeExchangeServer;
  let dir: string;
  beforeEach(async () => {
    server = await FakeExchangeServer.start();
    server.setCandles('BTCUSDT', '1h', loadRecordedOhlcv('BTC', '1h'));
    dir = mkdtempSync(path.join(tmpdir(), 'atp-download-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--help explains the verb', async () => {
    const c = capture();
    expect(await runCli(['download', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: atp download');
    expect(c.out()).toContain('--api-url <url>');
    expect(c.out()).toContain('--store <store>');
  });

  it('backfills BTC/USDT 1h from the fake exchange into a data directory: 5,482 candles, resumable', async () => {
    const args = ['download', '--exchange', 'binance', '--symbols', 'BTC/USDT', '--timeframe', '1h', '--since', '2020-12-01', '--store', `dir:${dir}`, '--api-url', server.httpUrl, '--rate-limit-ms', '1'];
    const c = capture();
    expect(await runCli([...args, '--until', '2021-03-01'], c.io)).toBe(0);
    const partial = JSON.parse(readFileSync(path.join(dir, 'binance-spot', 'BTC_USDT-1h.json'), 'utf8')) as number[][];
    expect(partial.at(-1)![0]).toBe(Date.UTC(2021, 1, 28, 23));

    // Run again without --until: continues after the last stored bar, up to the last one served.
    const d = capture();
    expect(await runCli([...args, '--json'], d.io)).toBe(0);
    const r = JSON.parse(d.out()) as { series: { candles: number; stored: number; resumed: boolean; startedAt: number; gaps: number; missingBars: number }[] };
    expect(r.series[0]).toMatchObject({ resumed: true, startedAt: Date.UTC(2021, 2, 1), stored: 5482, gaps: 6, missingBars: 11 });
    expect(r.series[0]!.candles).toBe(5482 - partial.length);
    const file = JSON.parse(readFileSync(path.join(dir, 'binance-spot', 'BTC_USDT-1h.json'), 'utf8')) as number[][];
    expect(file).toHaveLength(5482);
    expect(file).toEqual(loadRecordedOhlcv('BTC', '1h'));
    expect(c.out()).toMatch(/^BTC\/USDT\s+1h\s+\d+\s+\d+\s+2020-12-01T00:00Z\s+\d+\s+2020-12-01T00:00Z\s+2021-02-28T23:00Z/m);
  }, 120_000);

  it.each([
    [['--symbols', 'BTCUSDT', '--since', '2020-12-01'], /--symbols must be a comma-separated list of BASE\/QUOTE/],
    [['--symbols', 'BTC/USDT', '--since', 'yesterday'], /--since must be a date such as 2020-12-01/],
    [['--symbols', 'BTC/USDT', '--since', '2021-01-02', '--until', '2021-01-01'], /--until must be after --since/],
    [['--symbols', 'BTC/USDT', '--since', '2021-01-01', '--exchange', 'nosuchex'], /ccxt has no exchange "nosuchex"/],
    [['--symbols', 'BTC/USDT'], /required option '--since <date>' not specified/],
  ])('%j is refused with a clear message', async (args, message) => {
    const c = capture();
    expect(await runCli(['download', ...(args as string[])], c.io)).not.toBe(0);
    expect(c.err()).toMatch(message);
  });

  it('names the API URL when the exchange cannot be reached', async () => {
    const c = capture();
    expect(await runCli(['download', '--symbols', 'BTC/USDT', '--since', '2021-01-01', '--api-url', 'http://127.0.0.1:1', '--retries', '0'], c.io)).toBe(1);
    expect(c.err()).toMatch(/^error: cannot load binance markets from http:\/\/127\.0\.0\.1:1: /);
  });
});
