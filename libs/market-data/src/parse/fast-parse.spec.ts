import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resolveDataDir } from '../adapters/files';
import { CandleColumns, rowProblem } from './candle-columns';
import { decimalAt } from './decimal-text';
import { OhlcvJsonReader } from './ohlcv-json';

/** Reads `text` in the given chunks; returns the rows (as arrays), the slow elements and the reader. */
function read(chunks: string[], opts: { epochUnit?: 'auto' | 's' | 'ms' } = {}) {
  const cols = new CandleColumns(4);
  const slow: { text: string; line: number; element: number }[] = [];
  const r = new OhlcvJsonReader(cols, (text, line, element) => {
    slow.push({ text, line, element });
    cols.pushError('slow', line, element);
  }, opts);
  for (const c of chunks) r.push(c);
  r.end();
  const rows: number[][] = [];
  for (let i = 0; i < cols.length; i++) rows.push([cols.openTime[i]!, cols.open[i]!, cols.high[i]!, cols.low[i]!, cols.close[i]!, cols.volume[i]!, cols.line[i]!, cols.element[i]!]);
  return { rows, slow, cols, r };
}

describe('OhlcvJsonReader (columnar fast path)', () => {
  // Reference: V8's JSON.parse of the same text. Data: shared/data/binance-spot (NostalgiaForInfinity, GPL-3.0).
  it('reads every recorded candle file bit-identically to JSON.parse, with no slow element', () => {
    const dir = path.join(resolveDataDir(), 'binance-spot');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(8);
    for (const f of files) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      const ref = JSON.parse(text) as number[][];
      const { rows, slow } = read([text.slice(0, 100_003), text.slice(100_003, 2_000_000), text.slice(2_000_000)]);
      expect(slow).toEqual([]);
      expect(rows.length).toBe(ref.length);
      for (let i = 0; i < ref.length; i++) {
        for (let k = 0; k < 6; k++) if (!Object.is(rows[i]![k], ref[i]![k])) throw new Error(`${f} row ${i} col ${k}: ${rows[i]![k]} != ${ref[i]![k]}`);
      }
    }
  });

  it('gives the same rows, slow elements and line numbers for every chunk split', () => {
    const text = [
      '[',
      '[1609459200000, 1.5, 2.25, 1, 2, 10],',
      '[1609462800000,1e2,1.5E2,50,100.0,0],[1609466400000,"2021-01-01",1,1,1,1],',
      '{"t": 1, "s": "a]b,c"},',
      '  [1609470000000, 0.12345678901234567, 2, 0.1, 1, 5],',
      '[1609473600, 1, 2, 0.5, 1],',
      '[1609477200000,1,2,0.5,1,2,3],,',
      '[-0.0, -1, 2, 3, 4, 5]',
      ']',
    ].join('\n');
    const whole = read([text]);
    expect(whole.rows.map((r) => r.slice(6))).toEqual([[2, 1], [3, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7], [8, 8]]);
    expect(whole.slow.map((s) => s.text)).toEqual(['[1609466400000,"2021-01-01",1,1,1,1]', '{"t": 1, "s": "a]b,c"}', '[1609477200000,1,2,0.5,1,2,3]']);
    expect(whole.rows[0]!.slice(0, 6)).toEqual([1609459200000, 1.5, 2.25, 1, 2, 10]);
    expect(whole.rows[1]!.slice(0, 6)).toEqual([1609462800000, 100, 150, 50, 100, 0]);
    expect(whole.rows[4]![1]).toBe(Number('0.12345678901234567')); // 17 digits: Number() fallback
    expect(whole.rows[5]!.slice(0, 6)).toEqual([1609473600000, 1, 2, 0.5, 1, 0]); // seconds -> ms, 5 columns -> volume 0
    expect(Object.is(whole.rows[7]![0], -0)).toBe(true);
    for (let cut = 1; cut < text.length; cut++) {
      for (const cut2 of [cut + 1, cut + 7]) {
        const got = read([text.slice(0, cut), text.slice(cut, cut2), text.slice(cut2)]);
        expect(got.rows.map((r) => r.join('|'))).toEqual(whole.rows.map((r) => r.join('|')));
        expect(got.slow).toEqual(whole.slow);
      }
    }
  });

  it('throws on text outside the array, an empty input and an unterminated array', () => {
    expect(() => read(['x[1]'])).toThrow(/expected a JSON array/);
    expect(() => read(['[[1,1,1,1,1]] [2]'])).toThrow(/text after the JSON array/);
    expect(() => read(['  '])).toThrow(/empty input/);
    expect(() => read(['[[1,1,1,1,1],'])).toThrow(/unterminated/);
    expect(read(['[]']).rows).toEqual([]);
  });

  it('validates rows like checkBar, with alignment', () => {
    const { cols } = read(['[[3600000,1,2,0.5,1,1],[3600000,1,2,3,1,1],[7200001,1,2,0.5,1,1],[10800000,1,2,0.5,1,-1]]'], { epochUnit: 'ms' });
    expect([0, 1, 2, 3].map((i) => rowProblem(cols, i, 3_600_000, '1h'))).toEqual([
      null,
      'high-below-low: high 2 < low 3',
      'misaligned-time: openTime 7200001 not a multiple of 1h',
      'bad-volume: volume -1',
    ]);
  });
});

describe('decimalAt', () => {
  // Reference: Number(text), the engine's correctly rounded conversion.
  it('equals Number(text) bit for bit on prices, volumes and epoch times', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const texts: string[] = ['0', '-0', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456', '9007199254740993', '1e-7', '2.5E+3', '.5', '5.', '000123.4500'];
    for (let i = 0; i < 20_000; i++) {
      const x = rnd() * 10 ** Math.floor(rnd() * 12 - 4);
      texts.push(x.toFixed(Math.floor(rnd() * 12)), String(x), String(Math.round(x * 1e6)));
    }
    for (const t of texts) if (!Object.is(decimalAt(` ${t} `, 0, t.length + 2), Number(t))) throw new Error(`${t}: ${decimalAt(t, 0, t.length)} != ${Number(t)}`);
  });

  it('is NaN for what is not a plain decimal', () => {
    for (const t of ['', '  ', 'abc', '1.2.3', '0x10', 'Infinity', '1e', '--1', '+1', '1,5']) expect(decimalAt(t, 0, t.length)).toBeNaN();
  });
});
