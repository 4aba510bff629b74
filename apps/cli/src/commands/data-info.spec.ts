import * as path from 'node:path';
import { resolveDataDir } from '@atp/market-data';
import { runCli } from '../program';
import type { SeriesInfo } from './data-info';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env: {} }, out: () => out, err: () => err };
}

/** Data: shared/data/binance-spot (NostalgiaForInfinity, GPL-3.0), read in place. Counts and gaps as in its README. */
describe('atp data-info', () => {
  const dir = path.join(resolveDataDir(), 'binance-spot');

  it('--help explains the verb', async () => {
    const c = capture();
    expect(await runCli(['data-info', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: atp data-info');
    expect(c.out()).toContain('--data <path...>');
  });

  it('--json --data ../shared/data/binance-spot gives the exact counts and gaps of the recorded set', async () => {
    const c = capture();
    expect(await runCli(['data-info', '--json', '--data', dir], c.io)).toBe(0);
    const infos = JSON.parse(c.out()) as SeriesInfo[];
    const rows = Object.fromEntries(infos.map((i) => [`${i.symbol} ${i.timeframe}`, i.rows]));
    expect(rows).toEqual({
      'ADA/USDT 1h': 5482, 'ADA/USDT 5m': 65740, 'BTC/USDT 1h': 5482, 'BTC/USDT 5m': 65741,
      'ETH/USDT 1h': 5482, 'ETH/USDT 5m': 65742, 'XRP/USDT 1h': 5482, 'XRP/USDT 5m': 65745,
    });
    for (const i of infos) {
      expect(i).toMatchObject({ exchange: 'binance', bars: i.rows, duplicates: 0, outOfOrder: 0, badRows: 0, first: Date.UTC(2020, 11, 1) });
      expect([i.gaps.length, i.missingBars]).toEqual(i.timeframe === '1h' ? [6, 11] : [6, 177]);
    }
    const btc1h = infos.find((i) => i.symbol === 'BTC/USDT' && i.timeframe === '1h')!;
    expect(btc1h.last).toBe(Date.UTC(2021, 6, 17, 20));
    // The maintenance gap of 2020-12-21: 15:00..17:00 missing (3 bars).
    expect(btc1h.gaps).toContainEqual({ from: Date.UTC(2020, 11, 21, 15), to: Date.UTC(2020, 11, 21, 17), missingBars: 3 });
    expect(btc1h.gaps.reduce((s, g) => s + g.missingBars, 0)).toBe(11);
  }, 60_000);

  it('prints a table with the gaps listed, filtered by timeframe', async () => {
    const c = capture();
    expect(await runCli(['data-info', '--data', dir, '--timeframe', '1h', '--gaps'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^binance\s+BTC\/USDT\s+1h\s+5482\s+2020-12-01T00:00Z\s+2021-07-17T20:00Z\s+6\s+11\s+0\s+0\s/m);
    expect(c.out()).toContain('gap binance BTC/USDT 1h: 2020-12-21T15:00Z .. 2020-12-21T17:00Z (3 bars missing)');
    expect(c.out()).toMatch(/4 series, 21928 bars, 24 gaps\n$/);
  }, 60_000);

  it.each([
    [[], /give either --data <path> or --store <store>/],
    [['--data', '/nonexistent/x'], /no such file or directory \/nonexistent\/x/],
    [['--store', 'sqlite'], /--store must be memory, mongo or dir:PATH/],
    [['--store', 'mongo'], /--store mongo needs a MongoDB URL/],
  ])('%j is refused with a clear message', async (args, message) => {
    const c = capture();
    expect(await runCli(['data-info', ...(args as string[])], c.io)).not.toBe(0);
    expect(c.err()).toMatch(message);
  });
});
