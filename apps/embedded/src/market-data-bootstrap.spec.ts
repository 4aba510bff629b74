import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * `npm start` where the recorded data is absent: DATA_DIR is an empty directory and EXCHANGE_API_URL
 * points ccxt at the local fake Binance serving the recorded 1h candles (shared/data/binance-spot,
 * NostalgiaForInfinity, GPL-3.0): the launcher downloads the default symbols into DATA_DIR in the
 * recorded layout first, then starts every service.
 */
describe('npm start without ../shared/data', () => {
  let server: FakeExchangeServer;
  let dir: string;
  beforeAll(async () => {
    server = await FakeExchangeServer.start();
    for (const b of ['BTC', 'ETH', 'XRP', 'ADA']) server.setCandles(`${b}USDT`, '1h', loadRecordedOhlcv(b, '1h'));
    dir = mkdtempSync(path.join(tmpdir(), 'atp-start-data-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('downloads BTC, ETH, XRP and ADA/USDT 1h of the recorded period into DATA_DIR, then runs', async () => {
    const child = spawn(process.execPath, ['-r', './tools/register.cjs', 'apps/embedded/src/main.ts', '--exit-after-ready'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, EXCHANGE_API_URL: server.httpUrl, GATEWAY_SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect({ code, err: err.split('\n').filter((l) => !l.startsWith('market data:') && l.trim() !== '') }).toEqual({ code: 0, err: [] });
    expect(err).toContain(`market data: downloading BTC/USDT, ETH/USDT, XRP/USDT, ADA/USDT 1h candles 2020-12-01T00:00:00.000Z .. 2021-07-17T21:00:00.000Z from binance at ${server.httpUrl} into ${dir}`);
    expect(out).toContain('9/9 services ready');
    for (const b of ['BTC', 'ETH', 'XRP', 'ADA']) {
      const rows = JSON.parse(readFileSync(path.join(dir, 'binance-spot', `${b}_USDT-1h.json`), 'utf8')) as number[][];
      expect(rows).toHaveLength(5482);
    }
    expect(readFileSync(path.join(dir, 'ticks', 'cryptofeed', 'BINANCE.0'), 'utf8')).toMatch(/^https:\/\/api\.binance\.com\/api\/v3\/exchangeInfo -> [\d.]+: \{"timezone":"UTC"/);
  }, 180_000);
});
