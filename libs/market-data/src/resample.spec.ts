import { Resampler, resample, resampleBars } from './resample';
import type { Candle } from './candle';

const M5 = 300_000;
const H = 3_600_000;

/** Twelve 5m bars of one hour; values chosen by hand so the expected 1h bar is obvious. */
function hour(start: number, skip: number[] = []): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < 12; i++) {
    if (skip.includes(i)) continue;
    out.push({ openTime: start + i * M5, open: 100 + i, high: 110 + i + (i === 7 ? 50 : 0), low: 90 - (i === 3 ? 40 : 0), close: 101 + i, volume: 1 + i });
  }
  return out;
}

describe('resampling', () => {
  it('aggregates open first, high max, low min, close last, volume sum', () => {
    const r = resample(hour(0), '5m', '1h');
    expect(r).toEqual([{ candle: { openTime: 0, open: 100, high: 167, low: 50, close: 112, volume: 78 }, status: 'closed', sourceBars: 12, expectedBars: 12 }]);
  });

  it('emits a target bar as closed as soon as its last source bar arrives (streaming)', () => {
    const s = new Resampler('5m', '1h');
    const bars = hour(H);
    for (let i = 0; i < 11; i++) expect(s.push(bars[i]!)).toEqual([]);
    const out = s.push(bars[11]!);
    expect(out).toHaveLength(1);
    expect(out[0]!.status).toBe('closed');
    expect(s.flush()).toEqual([]);
  });

  it('never emits an incomplete period as closed: a gap makes it partial, flush makes it partial', () => {
    const s = new Resampler('5m', '1h');
    const out: ReturnType<Resampler['push']> = [];
    for (const b of [...hour(0, [5]), ...hour(H).slice(0, 3)]) out.push(...s.push(b));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ status: 'partial', sourceBars: 11, expectedBars: 12 });
    const f = s.flush();
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ status: 'partial', sourceBars: 3, candle: { openTime: H } });
  });

  it('drops partial periods when asked to', () => {
    const r = resample([...hour(0, [0]), ...hour(H)], '5m', '1h', { emitPartial: false });
    expect(r.map((x) => [x.candle.openTime, x.status])).toEqual([[H, 'closed']]);
  });

  it('chains 5m -> 1h -> 1d with partial-ness carried through', () => {
    const day: Candle[] = [];
    for (let h = 0; h < 24; h++) day.push(...hour(h * H, h === 13 ? [2] : []));
    const hours = resample(day, '5m', '1h');
    expect(hours.filter((x) => x.status === 'partial').map((x) => x.candle.openTime)).toEqual([13 * H]);
    const days = resampleBars(hours, '1h', '1d');
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ status: 'partial', sourceBars: 24 });
    const full = resampleBars(resample(day.filter((c) => c.openTime < 13 * H || c.openTime >= 14 * H).concat(hour(13 * H)).sort((a, b) => a.openTime - b.openTime), '5m', '1h'), '1h', '1d');
    expect(full[0]).toMatchObject({ status: 'closed', candle: { openTime: 0, open: 100, close: 112, high: 167, low: 50, volume: 78 * 24 } });
  });

  it('rejects unsorted, misaligned or incompatible input', () => {
    const s = new Resampler('5m', '1h');
    s.push(hour(0)[1]!);
    expect(() => s.push(hour(0)[0]!)).toThrow(RangeError);
    expect(() => s.push({ ...hour(0)[2]!, openTime: 2 * M5 + 1 })).toThrow(RangeError);
    expect(() => new Resampler('1h', '5m')).toThrow(RangeError);
    expect(() => new Resampler('1h', '90m')).toThrow(RangeError);
  });
});
