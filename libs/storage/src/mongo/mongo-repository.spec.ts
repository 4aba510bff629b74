import { Double } from 'mongodb';
import { runLimited, sameAsWritten, toBsonDouble } from './mongo-repository';

describe('MongoRepository helpers', () => {
  it('wraps integers in int32 range in a BSON Double; other numbers are doubles already', () => {
    expect(toBsonDouble(2)).toEqual(new Double(2));
    expect(toBsonDouble(-2_147_483_648)).toBeInstanceOf(Double);
    expect(toBsonDouble(2_147_483_648)).toBe(2_147_483_648);
    expect(toBsonDouble(1_609_459_200_000)).toBe(1_609_459_200_000);
    expect(toBsonDouble(0.5)).toBe(0.5);
  });

  it('judges a stored document equal to the written one as the servers do: values and field order', () => {
    const written = { _id: 'a', n: new Double(1), x: 1.5, s: '1.10', at: new Date(5), arr: [new Double(2), { y: null }] };
    expect(sameAsWritten({ _id: 'a', n: 1, x: 1.5, s: '1.10', at: new Date(5), arr: [2, { y: null }] }, written)).toBe(true);
    expect(sameAsWritten({ _id: 'a', x: 1.5, n: 1, s: '1.10', at: new Date(5), arr: [2, { y: null }] }, written)).toBe(false);
    expect(sameAsWritten({ _id: 'a', n: 1, x: 1.5, s: '1.1', at: new Date(5), arr: [2, { y: null }] }, written)).toBe(false);
    expect(sameAsWritten({ _id: 'a', n: 1, x: 1.5, s: '1.10', at: new Date(6), arr: [2, { y: null }] }, written)).toBe(false);
    expect(sameAsWritten({ _id: 'a', n: 1, x: 1.5, s: '1.10', at: new Date(5), arr: [2] }, written)).toBe(false);
    expect(sameAsWritten({ _id: 'a', n: '1', x: 1.5, s: '1.10', at: new Date(5), arr: [2, { y: null }] }, written)).toBe(false);
    expect(sameAsWritten({ _id: 'a', n: 1, x: 1.5, s: '1.10', at: new Date(5), arr: [2, { y: null }], extra: 1 }, written)).toBe(false);
  });

  it('runs at most `limit` tasks at once, keeps result order, and stops starting tasks after a failure', async () => {
    let running = 0;
    let peak = 0;
    const out = await runLimited([5, 1, 3, 2, 4], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);

    const started: number[] = [];
    await expect(
      runLimited([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });
});
