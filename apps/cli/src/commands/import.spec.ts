import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../program';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t), env: {} }, out: () => out, err: () => err };
}

describe('atp import', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'atp-import-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('--help explains the verb', async () => {
    const c = capture();
    expect(await runCli(['import', '--help'], c.io)).toBe(0);
    expect(c.out()).toContain('Usage: atp import');
    expect(c.out()).toContain('--columns <map>');
    expect(c.out()).toContain('--date-format <format>');
  });

  it('a user CSV with a bad row: lists file:line: reason and imports the rest into the store', async () => {
    // A vendor-style CSV: its own column names, day-first dates, one row with high below low (line 4).
    const csv = path.join(dir, 'mydata.csv');
    writeFileSync(csv, [
      'Zeit;Eroeffnung;Hoch;Tief;Schluss;Umsatz',
      '01/01/2021 00:00;100;110;90;105;1.5',
      '01/01/2021 01:00;105;115;95;110;2.5',
      '01/01/2021 02:00;110;100;105;101;3',
      '01/01/2021 03:00;101;120;100;118;4',
    ].join('\n'));
    const out = path.join(dir, 'data');
    const c = capture();
    const code = await runCli(['import', csv, '--symbol', 'BTC/USDT', '--timeframe', '1h', '--columns', 'time=Zeit,open=Eroeffnung,high=Hoch,low=Tief,close=Schluss,volume=Umsatz', '--date-format', 'DD/MM/YYYY HH:mm', '--store', `dir:${out}`], c.io);
    expect(code).toBe(0);
    expect(c.err()).toBe(`${csv}:4: high-below-low: high 100 < low 105\n`);
    expect(c.out()).toMatch(/^mydata\.csv\s+binance BTC\/USDT 1h\s+4\s+3\s+1\s+3\s+0\s+0\s+1 \(1 bars\)$/m);
    expect(c.out()).toContain('1 file(s): 3 candles imported, 1 bad row(s), into dir ');
    // The store is a data directory in the recorded layout.
    expect(JSON.parse(readFileSync(path.join(out, 'binance-spot', 'BTC_USDT-1h.json'), 'utf8'))).toEqual([
      [Date.UTC(2021, 0, 1, 0), 100, 110, 90, 105, 1.5],
      [Date.UTC(2021, 0, 1, 1), 105, 115, 95, 110, 2.5],
      [Date.UTC(2021, 0, 1, 3), 101, 120, 100, 118, 4],
    ]);

    // Again: idempotent (all unchanged); --strict turns the bad row into exit 1.
    const again = capture();
    expect(await runCli(['import', csv, '--symbol', 'BTC/USDT', '--timeframe', '1h', '--columns', 'time=Zeit,open=Eroeffnung,high=Hoch,low=Tief,close=Schluss,volume=Umsatz', '--date-format', 'DD/MM/YYYY HH:mm', '--store', `dir:${out}`, '--json', '--strict'], again.io)).toBe(1);
    expect(JSON.parse(again.out()).files[0]).toMatchObject({ imported: 3, badRows: 1, written: { inserted: 0, modified: 0, unchanged: 3 } });
    expect(again.err()).toContain('error: 1 bad row(s) (--strict)');
  });

  it('imports recorded trades (freqtrade format) and a JSON candle file named like the recorded set', async () => {
    const c = capture();
    expect(await runCli(['import', path.join(process.env.DATA_DIR ?? path.resolve(__dirname, '../../../../../shared/data'), 'trades/freqtrade/XRP_ETH-trades.json.gz'), '--format', 'freqtrade-trades', '--symbol', 'XRP/ETH', '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out()).files[0]).toMatchObject({ imported: 12477, badRows: 0 });
    const json = path.join(dir, 'ETH_USDT-5m.json');
    writeFileSync(json, JSON.stringify([[1609459200000, 1, 2, 0.5, 1.5, 10], [1609459500000, 1.5, 2, 1, 1.2, 3]]));
    const d = capture();
    expect(await runCli(['import', json, '--json'], d.io)).toBe(0);
    expect(JSON.parse(d.out()).files[0]).toMatchObject({ series: 'binance ETH/USDT 5m', imported: 2, badRows: 0 });
  });

  it.each([
    [[], /nothing to import: give files or --recorded/],
    [['/nonexistent.csv'], /no such file: \/nonexistent\.csv/],
    [['x.csv', '--max-bad-rows', '-1'], /--max-bad-rows must be an integer >= 0/],
    [['x.csv', '--timeframe', '7h'], /--timeframe must be a timeframe such as 1m, 5m, 1h, 1d \(got "7h"\)/],
    [['x.csv', '--format', 'xml'], /argument 'xml' is invalid/],
  ])('%j is refused with a clear message', async (args, message) => {
    const c = capture();
    expect(await runCli(['import', ...(args as string[])], c.io)).not.toBe(0);
    expect(c.err()).toMatch(message);
  });

  it('a file whose name does not give the series asks for --symbol and --timeframe', async () => {
    const f = path.join(dir, 'prices.csv');
    writeFileSync(f, 'timestamp,open,high,low,close\n1609459200000,1,2,0.5,1.5\n');
    const c = capture();
    expect(await runCli(['import', f], c.io)).toBe(2);
    expect(c.err()).toContain(`${f}: give --symbol and --timeframe`);
  });
});
