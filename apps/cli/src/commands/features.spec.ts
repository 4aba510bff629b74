// `atp features` on the recorded Binance BTC/USDT 1h candles (../shared/data/binance-spot; source
// iterativv/NostalgiaForInfinity, GPL-3.0). Reference values: the batch indicators of
// @atp/indicators (TA-Lib 0.4.0 parity, see its tests) on the same series.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { columnNames, computeFeatureSet, computeIndicator, featureSet, type OhlcvSeries } from '@atp/indicators';
import { dataDir, loadRecordedOhlcv } from '@atp/testing';
import { runCli, type CliIo } from '../index';

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const FILE = path.join(dataDir(), 'binance-spot', 'BTC_USDT-1h.json');
function series(rows: number[][]): OhlcvSeries {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]!);
  return { openTime: col(0), open: col(1), high: col(2), low: col(3), close: col(4), volume: col(5) };
}

/** Parses the CSV; checks every cell against the batch values: empty exactly where NaN, else the same double. */
function expectCsvEquals(csv: string, s: OhlcvSeries, expected: Record<string, Float64Array>, columns: string[]): void {
  const lines = csv.trimEnd().split('\n');
  expect(lines[0]).toBe(['open_time', ...columns].join(','));
  expect(lines).toHaveLength(s.openTime.length + 1);
  const bad: string[] = [];
  for (let i = 0; i < s.openTime.length; i++) {
    const cells = lines[i + 1]!.split(',');
    if (Number(cells[0]) !== s.openTime[i]) bad.push(`row ${i}: time`);
    columns.forEach((c, k) => {
      const want = expected[c]![i]!;
      const got = cells[k + 1]!;
      if (Number.isNaN(want) ? got !== '' : got === '' || Number(got) !== want) bad.push(`row ${i} ${c}: "${got}" vs ${want}`);
    });
  }
  expect(bad.slice(0, 10)).toEqual([]);
}

describe('atp features', () => {
  const rows = loadRecordedOhlcv('BTC', '1h');
  const s = series(rows);
  let tmp: string;
  beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atp-features-'))));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('--help explains the verb and its options', async () => {
    const r = await cli(['features', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--data', '--set', '--indicators', '--out', '--format', '--columns', '--date-format', '--timeframe']) expect(r.out).toContain(o);
    expect((await cli(['--help'])).out).toMatch(/^\s+features\s/m);
  });

  it('--set default-v1 --out FILE: header, one row per bar, empty cells exactly during warm-up, values equal the batch indicators', async () => {
    const out = path.join(tmp, 'f.csv');
    const r = await cli(['features', '--data', FILE, '--set', 'default-v1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`${rows.length} rows`);
    const columns = featureSet('default-v1').specs.flatMap((sp) => columnNames(sp));
    const csv = fs.readFileSync(out, 'utf8');
    expectCsvEquals(csv, s, computeFeatureSet('default-v1', s), columns);
    // warm-up: sma_50 is empty on exactly its first 49 rows
    const k = columns.indexOf('sma_50') + 1;
    const empties = csv.trimEnd().split('\n').slice(1).map((l) => l.split(',')[k] === '');
    expect(empties.indexOf(false)).toBe(49);
    expect(empties.filter(Boolean)).toHaveLength(49);
  });

  it('--indicators rsi:14,macd:12:26:9,bbands:20:2 to stdout', async () => {
    const r = await cli(['features', '--data', FILE, '--indicators', 'rsi:14,macd:12:26:9,bbands:20:2']);
    expect(r.code).toBe(0);
    const expected: Record<string, Float64Array> = {};
    const columns: string[] = [];
    for (const spec of ['rsi:14', 'macd:12:26:9', 'bbands:20:2']) {
      const cols = columnNames(spec);
      columns.push(...cols);
      Object.values(computeIndicator(spec, s)).forEach((a, i) => (expected[cols[i]!] = a));
    }
    expect(columns).toEqual(['rsi_14', 'macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9', 'bb_upper_20_2_2', 'bb_middle_20_2_2', 'bb_lower_20_2_2']);
    expectCsvEquals(r.out, s, expected, columns);
    const second = r.out.split('\n');
    expect(second[14]!.split(',')[1]).toBe(''); // rsi:14 lookback 14: rows 0..13 empty
    expect(second[15]!.split(',')[1]).not.toBe('');
  });

  it('reads a vendor CSV with --columns and --date-format (same values as the JSON file)', async () => {
    const n = 200;
    const pad = (x: number) => String(x).padStart(2, '0');
    const fmt = (ms: number) => {
      const d = new Date(ms);
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    };
    const file = path.join(tmp, 'vendor.csv');
    fs.writeFileSync(file, ['Close,Date,High,Low,Open,Vol', ...rows.slice(0, n).map((r) => `${r[4]},${fmt(r[0]!)},${r[2]},${r[3]},${r[1]},${r[5]}`)].join('\n'));
    const r = await cli(['features', '--data', file, '--timeframe', '1h', '--format', 'csv', '--columns', 'time=Date,open=Open,high=High,low=Low,close=Close,volume=Vol', '--date-format', 'YYYY-MM-DD HH:mm', '--indicators', 'atr:14,obv']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const sub = series(rows.slice(0, n));
    expectCsvEquals(r.out, sub, { atr_14: computeIndicator('atr:14', sub)['atr']!, obv: computeIndicator('obv', sub)['obv']! }, ['atr_14', 'obv']);
  });

  it.each([
    [['--data', FILE], /either --set <name> or --indicators <list>/],
    [['--data', FILE, '--set', 'default-v1', '--indicators', 'rsi'], /either --set/],
    [['--data', FILE, '--set', 'nope'], /unknown feature set "nope"/],
    [['--data', FILE, '--indicators', 'rsi:0'], /rsi/],
    [['--data', FILE, '--indicators', 'sma:5,sma:5'], /column sma_5 appears twice/],
    [['--data', path.join(os.tmpdir(), 'x.csv'), '--indicators', 'rsi'], /--timeframe is required/],
    [['--data', FILE, '--indicators', 'rsi', '--columns', 'when=0'], /--columns/],
  ])('usage error %#: exit 2 with a message', async (args, msg) => {
    const r = await cli(['features', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
  });
});
