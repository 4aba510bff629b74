// Browser test of the backtest report: `atp backtest` writes each strategy's report on the recorded
// Binance BTC/USDT 1h candles (../shared/data/binance-spot), then real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) opens it over a local HTTP server. Expected counts
// come from the run's own result.json. Never skipped: without chromium it fails, saying so.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { runCli, type CliIo } from '../index';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../../../../dist/reports/cli-browser');
const STRATEGIES = ['ma-crossover', 'mean-reversion', 'breakout'] as const;

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** Serves ROOT read-only; every request is recorded (path, status). */
function serve(): Promise<{ url: string; requests: { path: string; status: number }[]; close: () => Promise<void> }> {
  const requests: { path: string; status: number }[] = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(ROOT, path.normalize(rel));
    const ok = file.startsWith(ROOT) && fs.existsSync(file) && fs.statSync(file).isFile();
    res.statusCode = ok ? 200 : 404;
    requests.push({ path: rel, status: res.statusCode });
    if (ok) res.setHeader('content-type', file.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/json');
    res.end(ok ? fs.readFileSync(file) : 'not found');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

/** Distinct years and (year, month) keys of an equity curve, a bar belonging to the month it ran in. */
function calendar(times: number[]): { years: number; months: number } {
  const ys = new Set<number>();
  const ms = new Set<number>();
  for (const t of times) {
    const d = new Date(t - 1);
    ys.add(d.getUTCFullYear());
    ms.add(d.getUTCFullYear() * 12 + d.getUTCMonth());
  }
  return { years: ys.size, months: ms.size };
}

describe('backtest report in headless Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium; tools/test.mjs installs it as root)`);
    for (const name of STRATEGIES) {
      const out = path.join(ROOT, name);
      fs.rmSync(out, { recursive: true, force: true });
      const r = await cli(['backtest', '--strategy', name, '--symbols', 'BTC/USDT', '--timeframe', '1h', '--run-id', `browser-${name}`, '--out', out, '--no-progress']);
      if (r.code !== 0) throw new Error(`atp backtest --strategy ${name} failed: ${r.err}`);
    }
    server = await serve();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it.each(STRATEGIES)('%s: renders the charts, markers and tables of result.json with no error and no failed request', async (name) => {
    const result = JSON.parse(fs.readFileSync(path.join(ROOT, name, 'result.json'), 'utf8')) as { fills: { side: string }[]; roundTrips: unknown[]; equity: { times: number[] } };
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    const before = server.requests.length;
    const res = await page.goto(`${server.url}/${name}/report.html`, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);

    // charts: real paths with many points, drawn inside a visible box
    const charts = await page.evaluate(() => {
      const chart = (label: string) => {
        const svg = document.querySelector(`svg[aria-label="${label}"]`) as SVGSVGElement | null;
        if (!svg) return null;
        const box = svg.getBoundingClientRect();
        const lines = Array.from(svg.querySelectorAll('path')).filter((p) => !p.classList.contains('buy') && !p.classList.contains('sell'));
        const points = lines.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length);
        const lens = lines.map((p) => p.getTotalLength());
        return { width: box.width, height: box.height, paths: lines.length, maxPoints: Math.max(0, ...points), maxLength: Math.max(0, ...lens) };
      };
      const price = document.querySelector('svg[aria-label^="price "]') as SVGSVGElement | null;
      const pbox = price?.getBoundingClientRect();
      const inside = (el: Element) => {
        const b = el.getBoundingClientRect();
        return pbox !== undefined && b.width > 0 && b.height > 0 && b.left >= pbox.left - 1 && b.right <= pbox.right + 1 && b.top >= pbox.top - 12 && b.bottom <= pbox.bottom + 12;
      };
      const buys = price ? Array.from(price.querySelectorAll('path.buy')) : [];
      const sells = price ? Array.from(price.querySelectorAll('path.sell')) : [];
      const monthlyRows = document.querySelectorAll('table.monthly tr').length - 1;
      const monthCells = Array.from(document.querySelectorAll<HTMLTableCellElement>('table.monthly tr td')).filter((td) => td.textContent !== '' && td.cellIndex <= 12).length;
      return {
        equity: chart('Equity'),
        drawdown: chart('Drawdown'),
        price: price ? chart(price.getAttribute('aria-label')!) : null,
        buys: buys.length,
        sells: sells.length,
        markersInside: [...buys, ...sells].every(inside),
        buyFill: buys[0] ? getComputedStyle(buys[0]).fill : '',
        monthlyRows,
        monthCells,
        tradeRows: document.querySelectorAll('#trades tbody tr').length,
        tradesHeading: Array.from(document.querySelectorAll('h2')).map((h) => h.textContent ?? '').find((t) => t.startsWith('Trades')) ?? '',
      };
    });
    for (const c of [charts.equity, charts.drawdown, charts.price]) {
      expect(c).not.toBeNull();
      expect(c!.width).toBeGreaterThan(800);
      expect(c!.height).toBeGreaterThan(100);
      expect(c!.maxPoints).toBeGreaterThan(500);
      expect(c!.maxLength).toBeGreaterThan(1000);
    }
    // one marker per fill, buys green above and sells red, all inside the price chart
    expect(charts.buys).toBe(result.fills.filter((f) => f.side === 'buy').length);
    expect(charts.sells).toBe(result.fills.filter((f) => f.side === 'sell').length);
    expect(charts.buys + charts.sells).toBe(result.fills.length);
    expect(charts.markersInside).toBe(true);
    expect(charts.buyFill).toBe('rgb(44, 160, 44)');
    // tables: one row per calendar year (a cell per month of the curve), one row per round trip
    const cal = calendar(result.equity.times);
    expect(charts.monthlyRows).toBe(cal.years);
    expect(charts.monthCells).toBe(cal.months);
    expect(charts.tradeRows).toBe(result.roundTrips.length);
    expect(charts.tradesHeading).toBe(`Trades (${result.roundTrips.length})`);

    // pixels: each chart rasterised to a canvas has real ink (not a blank box)
    const ink = await page.evaluate(async () => {
      const out: number[] = [];
      for (const svg of Array.from(document.querySelectorAll('svg'))) {
        const xml = new XMLSerializer().serializeToString(svg);
        const img = new Image();
        const box = svg.getBoundingClientRect();
        img.width = Math.round(box.width);
        img.height = Math.round(box.height);
        await new Promise<void>((resolve, reject) => {
          img.onload = () => resolve();
          img.onerror = () => reject(new Error('svg did not rasterise'));
          img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`;
        });
        const canvas = document.createElement('canvas');
        canvas.width = img.width;
        canvas.height = img.height;
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let dark = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! + data[i + 1]! + data[i + 2]! < 600) dark++;
        out.push(dark / (canvas.width * canvas.height));
      }
      return out;
    });
    expect(ink.length).toBe(3);
    for (const share of ink) expect(share).toBeGreaterThan(0.003);

    // the trade filter works (the page's only script)
    await page.fill('#q', 'no such trade text');
    expect(await page.locator('#trades tbody tr:visible').count()).toBe(0);
    await page.fill('#q', '');
    expect(await page.locator('#trades tbody tr:visible').count()).toBe(result.roundTrips.length);

    await page.screenshot({ path: path.join(ROOT, `${name}.png`), fullPage: true });
    await page.screenshot({ path: path.join(ROOT, `${name}-charts.png`), fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 1700 } });
    await page.close();
    expect(problems).toEqual([]);
    // the page loaded itself and nothing else (no favicon 404, no external resource)
    expect(server.requests.slice(before).filter((r) => r.status !== 200)).toEqual([]);
  }, 60_000);
});
