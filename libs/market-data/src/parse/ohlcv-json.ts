import type { CandleColumns } from './candle-columns';
import { epochToMs, type EpochUnit } from './time';

/** 10^k for k = 0..22: exactly representable doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const INCOMPLETE = -2;
const SLOW = -1;

/**
 * Streaming reader of a freqtrade / ccxt candle array `[[openTime, o, h, l, c, v], ...]` straight
 * into {@link CandleColumns}: a character scanner with no per-row object, string or array.
 *
 * Numbers are read from their digits: a mantissa of at most 15 digits with at most 22 fraction
 * digits is divided once by an exact power of ten, which is correctly rounded and so equals
 * `Number(text)` bit for bit (Clinger's fast path); longer mantissas and exponents fall back to
 * `Number(text)`. Any element that is not a plain numeric row of 5 or 6 numbers (date strings,
 * objects, nulls, extra columns, malformed JSON) is handed whole to `slow(text, line, element)`,
 * in file order, for the general parser and its error report. `line` is where the element starts
 * (1-based), `element` its 1-based index. Epoch times are converted to ms (`epochUnit`, default by
 * magnitude, as {@link epochToMs}).
 *
 * Throws a SyntaxError (with the line) on text outside the top-level array; `end()` throws when
 * the array is empty input or unterminated.
 */
export class OhlcvJsonReader {
  /** 0 before `[`, 1 expecting an element, 2 after an element, 3 after the closing `]`. */
  private state = 0;
  private carry = '';
  private line = 1;
  private pos = 0;
  /** Elements seen (fast and slow). */
  elements = 0;
  private readonly unit: EpochUnit;

  constructor(
    private readonly out: CandleColumns,
    private readonly slow: (text: string, line: number, element: number) => void,
    opts: { epochUnit?: EpochUnit; fastRows?: boolean } = {},
  ) {
    this.unit = opts.epochUnit ?? 'auto';
    this.fast = opts.fastRows ?? true;
  }

  /** false: every element goes to `slow` (e.g. a column mapping reorders the row). */
  private readonly fast: boolean;

  /** Parses what `chunk` completes; an element cut by the chunk's end waits for the next chunk. */
  push(chunk: string): void {
    const s = this.carry.length > 0 ? this.carry + chunk : chunk;
    this.carry = '';
    const n = s.length;
    let p = 0;
    let line = this.line;
    let state = this.state;
    while (p < n) {
      const ch = s.charCodeAt(p);
      if (ch === 32 || ch === 10 || ch === 13 || ch === 9) {
        if (ch === 10) line++;
        p++;
        continue;
      }
      if (state === 1) {
        if (ch === 91 && this.fast) {
          const end = this.fastRow(s, p, line);
          if (end >= 0) {
            // fastRow counted the row's newlines into this.line.
            line = this.line;
            p = end;
            state = 2;
            continue;
          }
          if (end === INCOMPLETE) {
            this.carry = s.slice(p);
            break;
          }
        } else if (ch === 93) {
          state = 3;
          p++;
          continue;
        } else if (ch === 44) {
          p++; // an empty element (`[1,,2]`): skipped, as JSON.parse-free scanners do
          continue;
        }
        const end = this.slowElement(s, p, line);
        if (end < 0) {
          this.carry = s.slice(p);
          break;
        }
        line = this.line;
        p = end;
        state = 2;
        continue;
      }
      if (state === 2) {
        if (ch === 44) state = 1;
        else if (ch === 93) state = 3;
        else throw new SyntaxError(`expected , or ] after element ${this.elements} on line ${line}`);
        p++;
        continue;
      }
      if (state === 0) {
        if (ch !== 91) throw new SyntaxError(`expected a JSON array, got ${JSON.stringify(s[p])} on line ${line}`);
        state = 1;
        p++;
        continue;
      }
      throw new SyntaxError(`text after the JSON array on line ${line}`);
    }
    this.line = line;
    this.state = state;
  }

  /** Throws if the input was empty or the array was not closed. */
  end(): void {
    if (this.state === 0) throw new SyntaxError('empty input: expected a JSON array');
    if (this.state !== 3) throw new SyntaxError('unterminated JSON array');
  }

  /**
   * A row `[n, n, n, n, n(, n)]` at `p`: pushes it and returns the position after its `]` (and
   * sets this.line), SLOW when it is anything else, INCOMPLETE when the text ends first. The
   * character after the row must be `,` `]` or whitespace, else the element goes the slow way.
   */
  private fastRow(s: string, p: number, line: number): number {
    const n = s.length;
    let i = p + 1;
    let nl = 0;
    let t = 0, o = 0, h = 0, l = 0, c = 0, v = 0;
    for (let k = 0; k < 6; k++) {
      let ch = s.charCodeAt(i);
      while (ch === 32 || ch === 10 || ch === 13 || ch === 9) {
        if (ch === 10) nl++;
        ch = s.charCodeAt(++i);
      }
      if (i >= n) return INCOMPLETE;
      const x = this.num(s, i);
      if (x !== x) return this.pos >= n ? INCOMPLETE : SLOW;
      i = this.pos;
      if (i >= n) return INCOMPLETE;
      switch (k) {
        case 0: t = x; break;
        case 1: o = x; break;
        case 2: h = x; break;
        case 3: l = x; break;
        case 4: c = x; break;
        default: v = x;
      }
      ch = s.charCodeAt(i);
      while (ch === 32 || ch === 10 || ch === 13 || ch === 9) {
        if (ch === 10) nl++;
        ch = s.charCodeAt(++i);
      }
      if (i >= n) return INCOMPLETE;
      if (ch === 93) {
        if (k < 4) return SLOW; // fewer than 5 numbers: the general parser reports it
        i++;
        break;
      }
      if (ch !== 44 || k === 5) return SLOW; // not a separator, or more than 6 columns
      i++;
    }
    if (s.charCodeAt(i - 1) !== 93) return SLOW;
    // What follows must end the element; at the end of the text we cannot tell yet.
    let j = i;
    let ch = s.charCodeAt(j);
    while (ch === 32 || ch === 10 || ch === 13 || ch === 9) ch = s.charCodeAt(++j);
    if (j >= n) return INCOMPLETE;
    if (ch !== 44 && ch !== 93) return SLOW;
    const unit = this.unit;
    const ms = unit === 'ms' || (unit === 'auto' && t >= 1e11 && t < 1e14) ? t : epochToMs(t, unit);
    this.elements++;
    this.out.push(ms, o, h, l, c, v, line, this.elements);
    this.line = line + nl;
    return i;
  }

  /**
   * A JSON number at `i`: its value (this.pos after it), or NaN when `i` does not start one.
   * Exact: see the class comment.
   */
  private num(s: string, i: number): number {
    const start = i;
    let ch = s.charCodeAt(i);
    let neg = false;
    if (ch === 45) {
      neg = true;
      ch = s.charCodeAt(++i);
    }
    if (!(ch >= 48 && ch <= 57)) {
      this.pos = i;
      return NaN;
    }
    let m = 0;
    let digits = 0;
    let scale = 0;
    while (ch >= 48 && ch <= 57) {
      m = m * 10 + (ch - 48);
      digits++;
      ch = s.charCodeAt(++i);
    }
    if (ch === 46) {
      ch = s.charCodeAt(++i);
      while (ch >= 48 && ch <= 57) {
        m = m * 10 + (ch - 48);
        digits++;
        scale++;
        ch = s.charCodeAt(++i);
      }
    }
    if (ch === 101 || ch === 69 || digits > 15 || scale > 22) {
      // Exponent or too many digits for the exact fast path: the engine's own conversion.
      while ((ch >= 48 && ch <= 57) || ch === 101 || ch === 69 || ch === 43 || ch === 45 || ch === 46) ch = s.charCodeAt(++i);
      this.pos = i;
      return i >= s.length ? NaN : Number(s.slice(start, i));
    }
    this.pos = i;
    const x = scale === 0 ? m : m / POW10[scale]!;
    return neg ? -x : x;
  }

  /**
   * Any other element at `p`: finds its end (a `,` or `]` outside strings and nesting), hands the
   * text to `slow` and returns the end position (this.line updated), or -1 if the text ends first.
   */
  private slowElement(s: string, p: number, line: number): number {
    const n = s.length;
    let depth = 0;
    let inString = false;
    let escape = false;
    let nl = 0;
    let j = p;
    for (; j < n; j++) {
      const ch = s.charCodeAt(j);
      if (ch === 10) nl++;
      if (inString) {
        if (escape) escape = false;
        else if (ch === 92) escape = true;
        else if (ch === 34) inString = false;
        continue;
      }
      if (ch === 34) inString = true;
      else if (ch === 91 || ch === 123) depth++;
      else if (ch === 93 || ch === 125) {
        if (depth === 0) break;
        depth--;
      } else if (ch === 44 && depth === 0) break;
    }
    if (j >= n) return -1;
    this.elements++;
    this.slow(s.slice(p, j).trim(), line, this.elements);
    this.line = line + nl;
    return j;
  }
}
