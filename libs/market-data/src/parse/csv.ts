/** Small, allocation-light CSV helpers for importers (RFC 4180 quotes, any one-char delimiter). */

/** Splits one CSV line. Quoted fields may contain the delimiter and doubled quotes (`""`). */
export function splitCsvLine(line: string, delimiter = ','): string[] {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < n) {
        const ch = line[i]!;
        if (ch === '"') {
          if (line[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += ch;
        i++;
      }
      out.push(v);
      // skip to the delimiter
      const next = line.indexOf(delimiter, i);
      if (next < 0) break;
      i = next + 1;
      if (i === n) {
        out.push('');
        break;
      }
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, next));
      i = next + 1;
      if (i === n) {
        out.push('');
        break;
      }
    }
  }
  return out;
}

/** The most frequent of `,` `;` tab `|` in a sample line (comma on a tie or when none occur). */
export function detectDelimiter(sample: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const c = sample.split(d).length - 1;
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

const NUMBERISH = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

export function isNumberish(s: string): boolean {
  return NUMBERISH.test(s);
}

/** Lower-cased, trimmed, with quotes removed and runs of space/underscore/dash collapsed to `_`. */
export function normalizeHeader(h: string): string {
  return h.trim().replace(/^"|"$/g, '').toLowerCase().replace(/[\s_\-.]+/g, '_');
}
