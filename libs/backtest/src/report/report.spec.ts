import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadRecordedSeries, monthlyReturns, runRecordedBacktest, registeredStrategy, runBacktest, strategyReportDir, writeReport } from '../index';

describe('reports on the recorded 1h data', () => {
  // A stable place (gitignored dist/) so a browser test can open the pages after this suite.
  const out = path.resolve(__dirname, '../../../../dist/reports/backtest');
  const btc = loadRecordedSeries('BTC/USDT', '1h');

  for (const name of ['ma-crossover', 'mean-reversion', 'breakout']) {
    it(`${name}: writes a self-contained report.html and result.json`, () => {
      const r = runBacktest({ runId: `rep-${name}`, strategies: [registeredStrategy(name)], initialCash: '10000', checkIdentity: true }, [btc]);
      const files = writeReport(strategyReportDir(out, name), r, [btc]);
      const html = fs.readFileSync(files.html, 'utf8');
      expect(html.startsWith('<!doctype html>')).toBe(true);
      // offline: no external resource of any kind
      expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
      expect(html).not.toMatch(/@import|url\(/i);
      expect(html).toContain('<svg');
      expect(html).toContain('Monthly returns');
      const json = JSON.parse(fs.readFileSync(files.json, 'utf8'));
      expect(json.fills.length).toBe(r.fills.length);
      expect(json.roundTrips.length).toBe(r.roundTrips.length);
      expect(json.fills[0]).toEqual(expect.objectContaining({ side: 'buy', price: expect.any(String), quantity: expect.any(String), fee: expect.any(String), pnl: '0' }));
      expect(json.equity.equity.length).toBe(btc.openTime.length);
      expect(typeof json.metrics.bars.sharpe).toBe('number');
      expect(r.fills.length).toBeGreaterThan(10);
    });
  }

  it('runRecordedBacktest: the CLI verb in one call', () => {
    const { result, report } = runRecordedBacktest({ strategy: 'breakout', params: { period: 30 }, symbols: ['ETH/USDT', 'BTC/USDT'], timeframe: '1h', initialCash: '10000', reportDir: path.join(out, 'multi') });
    expect(result.symbols).toEqual(['BTC/USDT', 'ETH/USDT']);
    expect(result.decisions).toHaveLength(2);
    expect(fs.existsSync(report!.html)).toBe(true);
  });

  it('monthly returns chain to the total return', () => {
    const t = [Date.UTC(2021, 0, 15), Date.UTC(2021, 0, 31), Date.UTC(2021, 1, 10), Date.UTC(2021, 2, 1)];
    const m = monthlyReturns(t, [110, 121, 133.1, 99.825], 100);
    // Jan 100 -> 121: +21%; Feb 121 -> 133.1: +10%; the bar closing at 1 Mar 00:00 ran in Feb: Feb ends 99.825 (-17.5%)
    expect(m.get(2021)!.slice(0, 3).map((x) => x && Number(x.toFixed(6)))).toEqual([0.21, -0.175, undefined]);
  });
});
