// The dashboard of `npm start` in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core, as apps/cli's backtest report test does): the real entrypoint (tools/start.mjs)
// runs every service in one process; market-feed replays the recorded Binance 1h candles
// (../shared/data, resolved as npm start resolves it; NostalgiaForInfinity, GPL-3.0) in lockstep,
// paced; the page must show fills and a moving equity, refuse the kill switch with a wrong token
// (401, state unchanged), engage it with the token npm start printed, and then show risk rejecting
// new entries (KILL_SWITCH). Never skipped: without chromium it fails, saying so.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually } from '@atp/testing';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../..');

interface Launched {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npm start -- --port 0` as a user runs it (own process group, so a failure can kill it all). */
function npmStart(): Launched {
  const env: Record<string, string | undefined> = { ...process.env, SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env['GATEWAY_ADMIN_TOKEN']; // npm start makes one and prints it
  const child = spawn(process.execPath, ['tools/start.mjs', '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, out: () => out, err: () => err, exit };
}

const text = (page: Page, sel: string) => page.locator(sel).innerText();

describe('npm start dashboard in headless Chromium', () => {
  let app: Launched | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    if (app?.child.pid && app.child.exitCode === null && app.child.signalCode === null) {
      try {
        process.kill(-app.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  it('shows fills and a moving equity, refuses a wrong token, engages the kill switch with the right one, risk then rejects entries, and releases it', async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium (apt-get install -y chromium; tools/test.mjs installs it as root)`);
    const t0 = Date.now();
    app = npmStart();
    const started = app;
    const { url, token } = await eventually(
      () => {
        const m = /Open (http:\/\/127\.0\.0\.1:\d+)\/ /.exec(started.out());
        const t = /Admin token \(kill switch\) for this start: (\S+)/.exec(started.out());
        if (!m || !t) throw new Error(`npm start is not ready yet\n${started.out()}\n${started.err()}`);
        return { url: m[1]!, token: t[1]! };
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    expect(started.out()).toContain('9/9 services ready');
    expect(started.out()).toContain(`Dashboard  ${url}/`);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('console', (m) => {
      if (m.type() !== 'error' && m.type() !== 'warning') return;
      // Chromium reports every 4xx fetch as a console error: the refused kill switch (401) is expected.
      if (m.text().includes('status of 401') && m.location().url === `${url}/api/kill-switch`) return;
      problems.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
    });
    const responses: { url: string; status: number }[] = [];
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));

    await page.goto(`${url}/`);
    await page.locator('#conn[data-state="connected"]').waitFor({ timeout: 10_000 });
    expect(await text(page, '#mode')).toBe('paper · embedded');

    // Fills arrive and equity moves (the replay runs at 100 event times per second).
    await page.locator('#fills tr').first().waitFor({ timeout: 30_000 });
    const firstFill = await page.locator('#fills tr').first().locator('td').allInnerTexts();
    expect(firstFill[1]).toMatch(/^(BTC|ETH)\/USDT$/);
    expect(firstFill[2]).toMatch(/^(buy|sell)$/);
    const equity1 = await text(page, '#equity');
    expect(equity1).toMatch(/^[\d,]+\.\d\d$/);
    const equity2 = await eventually(
      async () => {
        const e = await text(page, '#equity');
        if (e === equity1) throw new Error(`equity still ${e}`);
        return e;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(equity2).toMatch(/^[\d,]+\.\d\d$/);
    expect((await page.locator('#equity-line').getAttribute('points'))!.split(' ').length).toBeGreaterThan(10);
    expect(Number(await text(page, '#count-fills'))).toBeGreaterThan(0);
    // Signals and orders: the strategy's intents and the order updates that led to the fills.
    expect(await page.locator('#signals tr').count()).toBeGreaterThan(0);
    expect((await page.locator('#signals tr').first().locator('td').allInnerTexts())[2]).toMatch(/^(long|flat|short)$/);
    expect(await page.locator('#orders tr[data-status="filled"]').count()).toBeGreaterThan(0);

    // A wrong token: refused (401), the kill switch stays off.
    await page.fill('#ks-token', 'not-the-token-0123456789');
    await page.fill('#ks-reason', 'browser test');
    await page.click('#ks-engage');
    await page.locator('#ks-result[data-status="401"]').waitFor({ timeout: 10_000 });
    expect(await text(page, '#ks-result')).toContain('refused (401)');
    expect(await page.locator('#ks-state').getAttribute('data-engaged')).toBe('false');
    expect(await (await fetch(`${url}/api/kill-switch`)).json()).toMatchObject({ engaged: false });

    // The printed token: the command is accepted, risk engages the kill switch and says so.
    await page.fill('#ks-token', token);
    await page.click('#ks-engage');
    await page.locator('#ks-result[data-status="202"]').waitFor({ timeout: 10_000 });
    await page.locator('#ks-state[data-engaged="true"]').waitFor({ timeout: 15_000 });
    expect(await text(page, '#ks-state')).toBe('ENGAGED');
    expect(await text(page, '#ks-reason-text')).toContain('browser test (by gateway admin)');
    await page.locator('#alerts tr[data-code="KILL_SWITCH_TRIPPED"]').waitFor({ timeout: 5_000 });

    // Risk refuses the entries that follow.
    await page.locator('#rejections tr[data-code="KILL_SWITCH"]').first().waitFor({ timeout: 30_000 });
    const rejected = await page.locator('#rejections tr[data-code="KILL_SWITCH"]').first().locator('td').allInnerTexts();
    expect(rejected[3]).toContain('kill switch on since');
    const api = (await (await fetch(`${url}/api/dashboard`)).json()) as { killSwitch: { engaged: boolean }; rejections: { code: string }[] };
    expect(api.killSwitch.engaged).toBe(true);
    expect(api.rejections.some((r) => r.code === 'KILL_SWITCH')).toBe(true);

    // Released the same way: risk says so, the page follows.
    await page.click('#ks-release');
    await page.locator('#ks-state[data-engaged="false"]').waitFor({ timeout: 15_000 });
    await page.locator('#alerts tr[data-code="KILL_SWITCH_RELEASED"]').waitFor({ timeout: 5_000 });
    expect(await (await fetch(`${url}/api/kill-switch`)).json()).toMatchObject({ engaged: false });

    expect(problems).toEqual([]);
    expect(responses.filter((r) => r.status >= 400)).toEqual([{ url: `${url}/api/kill-switch`, status: 401 }]);
    await page.close();

    app.child.kill('SIGINT');
    expect(await app.exit).toEqual({ code: 0, signal: null });
    // No service logged an error (the kill switch's cancels and rejections are business as usual).
    const logs = app.out().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.filter((l) => l['level'] === 'error' || l['level'] === 'fatal')).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ service: 'gateway', level: 'warn', msg: 'admin command refused', cause: 'wrong token' }));
    expect(logs).toContainEqual(expect.objectContaining({ service: 'gateway', level: 'warn', msg: 'kill switch command sent', kind: 'kill-switch-on', reason: 'browser test' }));
    // The token was printed once, and never logged.
    expect(app.out().split(token).length - 1).toBe(1);
    expect(app.err()).not.toContain(token);
    console.log(`dashboard browser test: npm start to kill-switch release in ${Date.now() - t0} ms`);
  }, 120_000);
});
