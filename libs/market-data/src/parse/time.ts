/**
 * Timestamp parsing for imported files. Every result is Unix epoch milliseconds, UTC
 * (fractional when the source has sub-millisecond precision). Functions return NaN for input
 * they cannot read; callers report the row.
 */

/** Unit of a numeric timestamp; `auto` decides by magnitude (see {@link epochUnitOf}). */
export type EpochUnit = 'auto' | 's' | 'ms' | 'us' | 'ns';

/**
 * Unit of an epoch number by magnitude: below 1e11 seconds (up to year 5138), below 1e14
 * milliseconds (1973..5138), below 1e17 microseconds, else nanoseconds.
 */
export function epochUnitOf(x: number): Exclude<EpochUnit, 'auto'> {
  const a = Math.abs(x);
  if (a < 1e11) return 's';
  if (a < 1e14) return 'ms';
  if (a < 1e17) return 'us';
  return 'ns';
}


export function epochToMs(x: number, unit: EpochUnit = 'auto'): number {
  if (!Number.isFinite(x)) return NaN;
  const u = unit === 'auto' ? epochUnitOf(x) : unit;
  // Multiplying by 1e-3 is inexact (1582329602111000 * 1e-3 = 1582329602111.0002); dividing is exact
  // whenever the result is an integer.
  return u === 's' ? x * 1000 : u === 'ms' ? x : u === 'us' ? x / 1000 : x / 1e6;
}

const ISO_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * ISO 8601 / RFC 3339 and the common variants: `2021-01-01`, `2021-01-01 10:00`,
 * `2021-01-01T10:00:00.123456Z`, `2023-02-02 09:20:00.138000+00:00`. Without an offset the time is
 * taken as UTC (exchange exports are UTC).
 */
export function parseIsoTime(s: string): number {
  const m = ISO_RE.exec(s.trim());
  if (!m) return NaN;
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0) + frac;
  if (!validParts(+m[1]!, +m[2]!, +m[3]!, m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0)) return NaN;
  const z = m[8];
  if (z && z !== 'Z' && z !== 'z' && z !== 'UTC' && z !== 'GMT') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

function validParts(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= dim;
}

type Field = 'Y' | 'y' | 'm' | 'b' | 'd' | 'H' | 'I' | 'M' | 'S' | 'f' | 'p' | 'z';

/** strftime directives and their moment/dayjs-style aliases. */
const STRFTIME: Record<string, { field: Field; re: string }> = {
  '%Y': { field: 'Y', re: '(\\d{4})' },
  '%y': { field: 'y', re: '(\\d{2})' },
  '%m': { field: 'm', re: '(\\d{1,2})' },
  '%b': { field: 'b', re: '([A-Za-z]{3})' },
  '%d': { field: 'd', re: '(\\d{1,2})' },
  '%H': { field: 'H', re: '(\\d{1,2})' },
  '%I': { field: 'I', re: '(\\d{1,2})' },
  '%M': { field: 'M', re: '(\\d{2})' },
  '%S': { field: 'S', re: '(\\d{2})' },
  '%f': { field: 'f', re: '(\\d{1,9})' },
  '%p': { field: 'p', re: '([AaPp][Mm])' },
  '%z': { field: 'z', re: '(Z|[+-]\\d{2}:?\\d{2})' },
};
const MOMENT: [string, string][] = [
  ['YYYY', '%Y'], ['YY', '%y'], ['MMM', '%b'], ['MM', '%m'], ['DD', '%d'], ['HH', '%H'], ['hh', '%I'],
  ['mm', '%M'], ['ss', '%S'], ['SSSSSS', '%f'], ['SSS', '%f'], ['A', '%p'], ['Z', '%z'],
];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Compiles a date format into a parser. Accepts strftime directives (`%Y-%m-%d %H:%M:%S`,
 * `%d/%m/%Y %H:%M`, `%f` fraction, `%p` AM/PM, `%z` offset) or moment/dayjs tokens
 * (`DD/MM/YYYY HH:mm`, `YYYY-MM-DD HH:mm:ss.SSS`, `A`, `Z`). Times without an offset are UTC.
 * Throws on a format with no year, month or day.
 */
export function compileDateFormat(format: string): (s: string) => number {
  let f = format;
  if (!f.includes('%')) {
    // Translate moment tokens left to right, longest first, leaving other characters literal.
    let out = '';
    let i = 0;
    outer: while (i < f.length) {
      for (const [tok, rep] of MOMENT) {
        if (f.startsWith(tok, i)) {
          out += rep;
          i += tok.length;
          continue outer;
        }
      }
      out += f[i] === '%' ? '%%' : f[i];
      i++;
    }
    f = out;
  }
  const fields: Field[] = [];
  let re = '^';
  for (let i = 0; i < f.length; i++) {
    const ch = f[i]!;
    if (ch === '%' && i + 1 < f.length) {
      const d = STRFTIME[f.slice(i, i + 2)];
      if (d) {
        fields.push(d.field);
        re += d.re;
        i++;
        continue;
      }
    }
    re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  re += '$';
  if (!fields.includes('d') || !(fields.includes('m') || fields.includes('b')) || !(fields.includes('Y') || fields.includes('y'))) {
    throw new Error(`date format ${JSON.stringify(format)} needs a year, a month and a day`);
  }
  const rx = new RegExp(re);
  return (s: string) => {
    const m = rx.exec(s.trim());
    if (!m) return NaN;
    let Y = 1970, mo = 1, d = 1, H = 0, M = 0, S = 0, ms = 0, pm: boolean | null = null, off = 0;
    for (let k = 0; k < fields.length; k++) {
      const v = m[k + 1]!;
      switch (fields[k]) {
        case 'Y': Y = +v; break;
        case 'y': Y = 2000 + +v; break;
        case 'm': mo = +v; break;
        case 'b': { const i = MONTHS.indexOf(v.toLowerCase()); if (i < 0) return NaN; mo = i + 1; break; }
        case 'd': d = +v; break;
        case 'H': case 'I': H = +v; break;
        case 'M': M = +v; break;
        case 'S': S = +v; break;
        case 'f': ms = Number(`0.${v}`) * 1000; break;
        case 'p': pm = v.toLowerCase() === 'pm'; break;
        case 'z': {
          if (v !== 'Z') {
            const digits = v.slice(1).replace(':', '');
            off = (v[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
          }
          break;
        }
      }
    }
    if (pm !== null) {
      if (H < 1 || H > 12) return NaN;
      H = (H % 12) + (pm ? 12 : 0);
    }
    if (!validParts(Y, mo, d, H, M, S)) return NaN;
    return Date.UTC(Y, mo - 1, d, H, M, S) + ms - off;
  };
}

const NUMERIC_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface TimestampOptions {
  /** A date format (see {@link compileDateFormat}); when set, only that format is accepted. */
  dateFormat?: string;
  /** Unit of numeric timestamps (default `auto`, by magnitude). */
  epochUnit?: EpochUnit;
}

/**
 * Makes a timestamp reader: with `dateFormat`, that format only; otherwise a number is an epoch in
 * `epochUnit` (auto by magnitude) and anything else is read as ISO 8601.
 */
export function timestampReader(opts: TimestampOptions = {}): (raw: string) => number {
  if (opts.dateFormat) return compileDateFormat(opts.dateFormat);
  const unit = opts.epochUnit ?? 'auto';
  return (raw: string) => {
    const s = raw.trim();
    if (NUMERIC_RE.test(s)) return epochToMs(Number(s), unit);
    return parseIsoTime(s);
  };
}
