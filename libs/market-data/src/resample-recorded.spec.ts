import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { candleFromRow, type Candle } from './candle';
import { resample } from './resample';
import { resolveDataDir } from './adapters/files';

/**
 * 5m -> 1h resampling of the recorded Binance spot candles (shared/data/binance-spot, from
 * iterativv/NostalgiaForInfinity, GPL-3.0) against Binance's own recorded 1h candles: the outside
 * reference is the exchange's aggregation.
 */
const dir = path.join(resolveDataDir(), 'binance-spot');
const load = (f: string): Candle[] => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as number[][]).map(candleFromRow);
const iso = (t: number) => new Date(t).toISOString().slice(0, 16);

/**
 * 1h bars whose 5m constituents are partly missing (exchange maintenance): the resampler emits them
 * as `partial`, never `closed`, with the number of 5m bars it had. Their OHLC still equal Binance's
 * 1h bar: the missing 5m bars are minutes in which nothing traded (the 1h bars at 2020-12-21 14:00
 * and 2021-02-11 03:00 even have volume 0).
 */
const PARTIAL_HOURS: [string, number][] = [
  ['2020-12-21T14:00', 2],
  ['2021-02-11T03:00', 9],
  ['2021-03-06T03:00', 6],
  ['2021-04-20T04:00', 6],
  ['2021-04-25T04:00', 1],
  ['2021-04-25T08:00', 3],
];
/**
 * Hours with all twelve 5m bars present and O/H/L/C identical, but Binance's recorded 1h volume is
 * larger than the sum of the twelve recorded 5m volumes (by 0.9% to 8.3%, the same hours for all
 * four symbols, during the 22-23 April 2021 sell-off). The two files disagree at the source —
 * Binance's 5m and 1h klines for these hours were built from different trade sets — so no
 * resampling of the 5m file can reproduce that volume; the test pins the direction and the hours.
 */
const VOLUME_MISMATCH_HOURS = ['2021-04-22T02:00', '2021-04-23T01:00', '2021-04-23T02:00'];

describe.each(['BTC', 'ETH', 'XRP', 'ADA'])('recorded %s/USDT: resample(5m -> 1h) vs recorded 1h', (base) => {
  const m5 = load(`${base}_USDT-5m.json`);
  const h1 = load(`${base}_USDT-1h.json`);
  const out = resample(m5, '5m', '1h');
  const byTime = new Map(out.map((r) => [r.candle.openTime, r]));

  it('matches exactly (OHLC exact, volume within 1e-9 relative) wherever both are complete', () => {
    let equal = 0;
    const mismatched: string[] = [];
    const partial: [string, number][] = [];
    for (const c of h1) {
      const r = byTime.get(c.openTime);
      expect(r).toBeDefined(); // every recorded hour has at least one 5m bar
      if (r!.status === 'partial') {
        partial.push([iso(c.openTime), r!.sourceBars]);
        // Documented above: values still agree.
        expect([r!.candle.open, r!.candle.high, r!.candle.low, r!.candle.close]).toEqual([c.open, c.high, c.low, c.close]);
        expect(Math.abs(r!.candle.volume - c.volume)).toBeLessThanOrEqual(1e-9 * Math.max(c.volume, 1));
        continue;
      }
      const sameOhlc = r!.candle.open === c.open && r!.candle.high === c.high && r!.candle.low === c.low && r!.candle.close === c.close;
      const relVol = Math.abs(r!.candle.volume - c.volume) / c.volume;
      if (sameOhlc && relVol <= 1e-9) equal++;
      else {
        mismatched.push(iso(c.openTime));
        expect(sameOhlc).toBe(true);
        expect(r!.candle.volume).toBeLessThan(c.volume);
        expect(relVol).toBeGreaterThan(0.005);
        expect(relVol).toBeLessThan(0.09);
      }
    }
    expect(equal).toBe(5482 - PARTIAL_HOURS.length - VOLUME_MISMATCH_HOURS.length); // 5,473
    expect(partial).toEqual(PARTIAL_HOURS);
    expect(mismatched).toEqual(VOLUME_MISMATCH_HOURS);
  });

  it('the only resampled hour absent from the 1h file is the 5m tail, emitted as partial', () => {
    const h1Times = new Set(h1.map((c) => c.openTime));
    const extra = out.filter((r) => !h1Times.has(r.candle.openTime));
    expect(extra.map((r) => [iso(r.candle.openTime), r.status])).toEqual([['2021-07-17T21:00', 'partial']]);
  });
});
