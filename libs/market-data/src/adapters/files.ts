import { createReadStream, statSync } from 'node:fs';
import * as path from 'node:path';
import { createGunzip } from 'node:zlib';

/**
 * File access for the importers (the only I/O of this lib). Files ending in `.gz` are gunzipped
 * on the fly; everything streams, so file size is not bounded by memory.
 */

/** The recorded data directory: `DATA_DIR`, else `<repo>/../shared/data`. Read in place, never copied. */
export function resolveDataDir(): string {
  return process.env.DATA_DIR ?? path.resolve(__dirname, '../../../../../shared/data');
}

export function fileSize(file: string): number {
  return statSync(file).size;
}

/** Text chunks of a file (UTF-8), with the compressed bytes read so far for progress. */
export async function* readChunks(file: string, highWaterMark = 1 << 20): AsyncGenerator<{ text: string; bytesRead: number }> {
  const raw = createReadStream(file, { highWaterMark });
  const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  stream.setEncoding('utf8');
  raw.on('error', (e) => stream.destroy(e));
  for await (const text of stream as AsyncIterable<string>) yield { text, bytesRead: raw.bytesRead };
}

/** Lines of a file with their 1-based numbers (CRLF tolerated; a final line without newline included). */
export async function* readLines(file: string): AsyncGenerator<{ line: string; lineNo: number; bytesRead: number }> {
  let rest = '';
  let lineNo = 0;
  let bytes = 0;
  for await (const { text, bytesRead } of readChunks(file)) {
    bytes = bytesRead;
    let start = 0;
    const buf = rest + text;
    for (;;) {
      const nl = buf.indexOf('\n', start);
      if (nl < 0) break;
      let line = buf.slice(start, nl);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      lineNo++;
      yield { line, lineNo, bytesRead: bytes };
      start = nl + 1;
    }
    rest = buf.slice(start);
  }
  if (rest.length) {
    if (rest.endsWith('\r')) rest = rest.slice(0, -1);
    yield { line: rest, lineNo: lineNo + 1, bytesRead: bytes };
  }
}

/** Lines in batches (one per chunk read): far fewer async steps than one per line for big files. */
export async function* readLineBatches(file: string): AsyncGenerator<{ lines: string[]; firstLineNo: number; bytesRead: number }> {
  let rest = '';
  let lineNo = 1;
  let bytes = 0;
  for await (const { text, bytesRead } of readChunks(file)) {
    bytes = bytesRead;
    const parts = (rest + text).split('\n');
    rest = parts.pop()!;
    for (let i = 0; i < parts.length; i++) if (parts[i]!.endsWith('\r')) parts[i] = parts[i]!.slice(0, -1);
    if (parts.length) {
      yield { lines: parts, firstLineNo: lineNo, bytesRead: bytes };
      lineNo += parts.length;
    }
  }
  if (rest.length) yield { lines: [rest.endsWith('\r') ? rest.slice(0, -1) : rest], firstLineNo: lineNo, bytesRead: bytes };
}
