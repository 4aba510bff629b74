import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dataDir } from './adapters/data-dir';

export { dataDir };

/** A recorded candle file as `[openTimeMs, o, h, l, c, v]` rows (`binance-spot/<BASE>_USDT-<tf>.json`). */
export function loadRecordedOhlcv(base: string, timeframe: string, dir = dataDir()): number[][] {
  return JSON.parse(readFileSync(path.join(dir, 'binance-spot', `${base}_USDT-${timeframe}.json`), 'utf8')) as number[][];
}

/**
 * The JSON body of a cryptofeed capture file of REST metadata (`ticks/cryptofeed/<EXCHANGE>.0`):
 * its first line is `<url> -> <epoch>: <json>`.
 */
export function loadCryptofeedMetadata(exchange: 'BINANCE' | 'KRAKEN' | 'COINBASE' | 'BITSTAMP', dir = dataDir()): { url: string; receivedAt: number; body: unknown } {
  const text = readFileSync(path.join(dir, 'ticks', 'cryptofeed', `${exchange}.0`), 'utf8');
  const line = text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  const m = /^(\S+) -> ([\d.]+): (.*)$/s.exec(line);
  if (!m) throw new Error(`${exchange}.0: first line is not "<url> -> <epoch>: <json>"`);
  return { url: m[1]!, receivedAt: Number(m[2]) * 1000, body: JSON.parse(m[3]!) };
}
