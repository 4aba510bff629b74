import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { importCandleFile, type ImportCandlesOptions } from './adapters/import-candles';
import { MapSink } from './testing/map-sink';
import type { CandleDoc } from './candle';
import { compileDateFormat, epochToMs, epochUnitOf, parseIsoTime, timestampReader } from './parse/time';
import { JsonArrayScanner } from './parse/json-scanner';
import { splitCsvLine } from './parse/csv';
import { mapCandleColumns } from './parse/columns';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1); // 1609459200000
const dir = mkdtempSync(path.join(tmpdir(), 'md-import-'));
let n = 0;
function file(name: string, text: string | Buffer): string {
  const p = path.join(dir, `${n++}-${name}`);
  writeFileSync(p, text);
  return p;
}
const series = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } as const;
async function imp(p: string, o: Partial<ImportCandlesOptions> = {}) {
  const sink = new MapSink<CandleDoc>();
  const r = await importCandleFile(p, { series, sink, ...o });
  const times = [...sink.docs.values()].map((d) => d.openTime).sort((a, b) => a - b);
  return { r, sink, times };
}

describe('timestamp parsing', () => {
  it('detects epoch units by magnitude and honours an override', () => {
    expect([epochUnitOf(1609459200), epochUnitOf(1609459200000), epochUnitOf(1609459200000000), epochUnitOf(1609459200000000000)]).toEqual(['s', 'ms', 'us', 'ns']);
    expect(epochToMs(1609459200)).toBe(T0);
    expect(epochToMs(1582329602111000)).toBe(1582329602111); // exact: divide, not multiply by 1e-3
    expect(epochToMs(1609459200, 'ms')).toBe(1609459200);
  });
  it('reads ISO 8601 variants, UTC unless an offset is given', () => {
    expect(parseIsoTime('2021-01-01')).toBe(T0);
    expect(parseIsoTime('2021-01-01T00:00:00Z')).toBe(T0);
    expect(parseIsoTime('2021-01-01 01:00:00+01:00')).toBe(T0);
    expect(parseIsoTime('2023-02-02 09:20:00.138000+00:00')).toBe(1675329600138);
    expect(parseIsoTime('2021-02-30 00:00')).toBeNaN();
    expect(parseIsoTime('yesterday')).toBeNaN();
  });
  it('compiles strftime and moment-style custom formats', () => {
    expect(compileDateFormat('%Y-%m-%d %H:%M:%S')('2021-01-01 05:00:00')).toBe(T0 + 5 * H);
    expect(compileDateFormat('DD/MM/YYYY HH:mm')('01/01/2021 05:00')).toBe(T0 + 5 * H);
    expect(compileDateFormat('%d.%m.%Y %I:%M %p')('01.01.2021 12:30 PM')).toBe(T0 + 12.5 * H);
    expect(compileDateFormat('YYYY-MM-DD HH:mm:ss.SSS')('2021-01-01 00:00:00.250')).toBe(T0 + 250);
    expect(compileDateFormat('DD/MM/YYYY HH:mm')('2021-01-01 05:00')).toBeNaN();
    expect(() => compileDateFormat('%H:%M')).toThrow(/year, a month and a day/);
    expect(timestampReader({ dateFormat: '%d/%m/%Y' })('02/01/2021')).toBe(T0 + 24 * H);
  });
});

describe('CSV, JSON and column helpers', () => {
  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b,c","d""e",')).toEqual(['a', 'b,c', 'd"e', '']);
    expect(splitCsvLine('1;2;3', ';')).toEqual(['1', '2', '3']);
  });
  it('scans a JSON array across arbitrary chunk boundaries', () => {
    const text = '[\n[1,2,3],\n{"a":"]}[,","b":[1,{"c":2}]},\n"x\\"y", 4]';
    for (let cut = 1; cut < text.length; cut++) {
      const s = new JsonArrayScanner();
      const els = [...s.push(text.slice(0, cut)), ...s.push(text.slice(cut))];
      s.end();
      expect(els.map((e) => JSON.parse(e.text))).toEqual([[1, 2, 3], { a: ']}[,', b: [1, { c: 2 }] }, 'x"y', 4]);
      expect(els.map((e) => e.line)).toEqual([2, 3, 4, 4]);
    }
  });
  it('auto-maps header names, preferring the base volume among several', () => {
    const m = mapCandleColumns(['unix', 'date', 'symbol', 'open', 'high', 'low', 'close', 'Volume USDT', 'Volume BTC', 'tradecount'], {}, 'BTC');
    expect(m).toEqual({ ok: true, columns: { time: 0, open: 3, high: 4, low: 5, close: 6, volume: 8 } });
    expect(mapCandleColumns(['Date', 'Open', 'High', 'Low', 'Close', 'Volume'])).toEqual({ ok: true, columns: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 } });
    expect(mapCandleColumns(['when', 'o', 'h', 'l', 'px'])).toEqual({ ok: false, missing: ['time', 'close'] });
  });
});

describe('user candle files', () => {
  const rows = (times: number[], fmt: (t: number) => string) => times.map((t, i) => `${fmt(t)},${100 + i},${110 + i},${90 + i},${105 + i},${1.5 + i}`);
  const times = [0, 1, 2, 3].map((i) => T0 + i * H);

  it('CryptoDataDownload style: banner line, header, reversed order, two volume columns', async () => {
    const text = [
      'https://www.CryptoDataDownload.com',
      'unix,date,symbol,open,high,low,close,Volume BTC,Volume USDT,tradecount',
      ...[...times].reverse().map((t, i) => `${t},${new Date(t).toISOString()},BTC/USDT,100,110,90,105,${i + 1},${(i + 1) * 100},7`),
    ].join('\n');
    const { r, sink, times: got } = await imp(file('cdd.csv', text), { base: 'BTC' });
    expect(r.badRows).toEqual([]);
    expect(r.skippedLines).toBe(2);
    expect(got).toEqual(times);
    expect(r.report.outOfOrder).toHaveLength(3); // reversed file, still imported
    expect(sink.docs.get(`binance:BTC/USDT:1h:${times[3]}`)!.volume).toBe(1); // Volume BTC, not USDT
  });

  it.each([
    ['ISO strings', (t: number) => new Date(t).toISOString(), {}],
    ['ISO with space and offset', (t: number) => new Date(t + 2 * H).toISOString().replace('T', ' ').replace('Z', '+02:00'), {}],
    ['custom %Y-%m-%d %H:%M:%S', (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', ' '), { dateFormat: '%Y-%m-%d %H:%M:%S' }],
    ['custom DD/MM/YYYY HH:mm', (t: number) => { const d = new Date(t); return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()} ${String(d.getUTCHours()).padStart(2, '0')}:00`; }, { dateFormat: 'DD/MM/YYYY HH:mm' }],
    ['epoch seconds', (t: number) => String(t / 1000), {}],
    ['epoch milliseconds', (t: number) => String(t), {}],
    ['epoch microseconds', (t: number) => String(t * 1000), {}],
    ['epoch seconds, unit forced', (t: number) => String(t / 1000), { epochUnit: 's' as const }],
  ])('timestamps as %s', async (_name, fmt, o) => {
    const text = ['timestamp,open,high,low,close,volume', ...rows(times, fmt)].join('\r\n') + '\r\n';
    const { r, times: got } = await imp(file('t.csv', text), o);
    expect(r.badRows).toEqual([]);
    expect(got).toEqual(times);
  });

  it('header-less positional CSV, semicolon-delimited', async () => {
    const { r, times: got } = await imp(file('p.csv', rows(times, String).map((l) => l.replace(/,/g, ';')).join('\n')));
    expect(r.badRows).toEqual([]);
    expect(got).toEqual(times);
  });

  it('an explicit column mapping for unusual names', async () => {
    const text = ['Zeit,Eroeffnung,Hoch,Tief,Schluss,Umsatz', ...rows(times, String)].join('\n');
    const { r, sink } = await imp(file('de.csv', text), { columns: { time: 'Zeit', open: 'Eroeffnung', high: 'Hoch', low: 'Tief', close: 'Schluss', volume: 'Umsatz' } });
    expect(r.badRows).toEqual([]);
    expect(sink.docs.get(`binance:BTC/USDT:1h:${times[1]}`)).toMatchObject({ open: 101, high: 111, low: 91, close: 106, volume: 2.5 });
  });

  it('bad rows are reported with file, line and reason; the rest imports', async () => {
    const text = [
      'date,open,high,low,close,volume', // 1
      `${T0},100,110,90,105,1`, // 2 ok
      `${T0 + H},100,80,90,85,1`, // 3 high < low
      `${T0 + 2 * H},abc,110,90,105,1`, // 4 NaN open
      'not-a-date,100,110,90,105,1', // 5
      '', // 6 blank
      `${T0 + 3 * H},0,110,90,105,1`, // 7 non-positive
      `${T0 + 4 * H + 60_000},100,110,90,105,1`, // 8 misaligned for 1h
      `${T0 + 5 * H},100,110,90,120,1`, // 9 close > high
      `${T0 + 6 * H},100,110,90,105`, // 10 ok, no volume field -> NaN volume -> bad
      `${T0 + 7 * H},100,110,90,105,2`, // 11 ok
    ].join('\n');
    const p = file('bad.csv', text);
    const { r, times: got } = await imp(p);
    expect(got).toEqual([T0, T0 + 7 * H]);
    expect(r.badRows.map((b) => [b.line, b.reason.split(':')[0]])).toEqual([
      [3, 'high-below-low'],
      [4, 'non-finite-price'],
      [5, 'unreadable timestamp "not-a-date"'],
      [7, 'non-positive-price'],
      [8, 'misaligned-time'],
      [9, 'close-outside-range'],
      [10, 'bad-volume'],
    ]);
    expect(r.badRows.every((b) => b.file === p)).toBe(true);
    expect(r.rows).toBe(9);
  });

  it('freqtrade JSON (gzipped, multi-line), with a bad element reported by line and element', async () => {
    const text = `[\n[${T0},1,2,0.5,1.5,10],\n[${T0 + H},1,2,0.5,"x",10],\n[${T0 + 2 * H},1,2,0.5,1.5,10]\n]`;
    const { r, times: got } = await imp(file('c.json.gz', gzipSync(text)));
    expect(got).toEqual([T0, T0 + 2 * H]);
    expect(r.badRows).toEqual([{ file: expect.any(String), line: 3, element: 2, reason: expect.stringContaining('non-finite-price') }]);
  });

  it('JSON array of objects with ISO dates', async () => {
    const text = JSON.stringify(times.map((t) => ({ date: new Date(t).toISOString(), open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 })));
    const { r, times: got } = await imp(file('o.json', text));
    expect(r.badRows).toEqual([]);
    expect(got).toEqual(times);
  });

  it('re-importing is idempotent and duplicates within a file collapse to one bar', async () => {
    const text = ['timestamp,open,high,low,close,volume', ...rows(times, String), rows([times[1]!], String)[0]!].join('\n');
    const p = file('dup.csv', text);
    const sink = new MapSink<CandleDoc>();
    const a = await importCandleFile(p, { series, sink });
    expect(a.report.duplicates).toEqual([times[1]]);
    expect(sink.docs.size).toBe(4);
    const b = await importCandleFile(p, { series, sink });
    expect(b.written).toEqual({ inserted: 0, modified: 0, unchanged: 4 });
  });

  it('streams a file larger than one read chunk with progress', async () => {
    const many = Array.from({ length: 30_000 }, (_, i) => T0 + i * H);
    const p = file('big.csv', ['timestamp,open,high,low,close,volume', ...rows(many, String)].join('\n'));
    const progress: number[] = [];
    const { r } = await imp(p, { batchSize: 7000, onProgress: (x) => progress.push(x.rowsWritten) });
    expect(r.candles).toBe(30_000);
    expect(progress).toEqual([7000, 14000, 21000, 28000, 30000, 30000]);
  });
});
