import { copySnapshot, jsonSnapshot, NOT_PLAIN, planned, type CopyPlan } from './json-copy';

/** What the wire gives: the JSON round trip. */
const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;

/** Same value AND same key order at every level (toEqual ignores key order). */
const sameText = (a: unknown, b: unknown) => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

describe('jsonSnapshot', () => {
  const plain: unknown[] = [
    'x',
    '',
    0,
    12.5,
    -3,
    1e300,
    5e-324,
    true,
    false,
    null,
    [],
    {},
    [1, 'a', null, [true, {}]],
    { b: 1, a: '2', 10: 'ten', 2: 'two', nested: { z: [1, { y: null }], x: '' } },
    { eventId: 'e1', tsEvent: 1_609_459_200_000, quantity: '0.001', params: { fast: 2, slow: 3 }, tags: ['a', 'b'] },
    Object.assign(Object.create(null) as object, { k: 'null prototype' }),
    { skipped: undefined, kept: 1 },
  ];

  it.each(plain.map((v) => [JSON.stringify(v), v]))('copies plain JSON data as the round trip gives it: %s', (_, v) => {
    const s = jsonSnapshot(v);
    expect(s).not.toBe(NOT_PLAIN);
    expect(s).toEqual(roundTrip(v));
    sameText(s, roundTrip(v));
    // its keys in the round trip's order, at every level
    const keys = (x: unknown): unknown => (x && typeof x === 'object' ? (Array.isArray(x) ? x.map(keys) : Object.entries(x).map(([k, y]) => [k, keys(y)])) : x);
    expect(keys(s)).toEqual(keys(roundTrip(v)));
    // and copies of it as well, with its plan or without
    expect(keys(copySnapshot(s))).toEqual(keys(roundTrip(v)));
    const p = planned(v)!;
    expect(p).toBeDefined();
    const c = copySnapshot(p.snapshot, p.plan);
    expect(keys(c)).toEqual(keys(roundTrip(v)));
    sameText(c, roundTrip(v));
    expect(c === null || typeof c !== 'object' || Object.getPrototypeOf(c) === Object.getPrototypeOf(roundTrip(v))).toBe(true);
  });

  it('copies through a plan share nothing with the snapshot or with each other, at any depth', () => {
    const v = { a: [1, { b: { c: [2, [3, { d: 'x' }]] } }], e: { f: 1 }, 3: [{ g: true }], flat: 'y' };
    const p = planned(v)!;
    const c1 = copySnapshot(p.snapshot, p.plan) as typeof v;
    const c2 = copySnapshot(p.snapshot, p.plan) as typeof v;
    // every object and array of a copy is a new one
    const objects = (x: unknown, out: object[] = []): object[] => {
      if (x && typeof x === 'object') {
        out.push(x);
        for (const y of Object.values(x)) objects(y, out);
      }
      return out;
    };
    const all = [...objects(p.snapshot), ...objects(c1), ...objects(c2)];
    expect(new Set(all).size).toBe(all.length);
    ((c1.a[1] as { b: { c: unknown[] } }).b.c[1] as unknown[]).push('mutated');
    c1.e.f = 2;
    expect(c2).toEqual(roundTrip(v));
    expect(copySnapshot(p.snapshot, p.plan)).toEqual(roundTrip(v));
  });

  it('plans nested positions only: flat objects copy in one go, by a copier shared by their key list', () => {
    const a = planned({ a: 1, b: 'x', c: null })!.plan!;
    expect(a.nested).toBeNull();
    expect(a.shallow).toBeDefined();
    expect(planned({ a: 2, b: 'y', c: true, d: undefined })!.plan).toBe(a);
    expect(planned({ b: 2, a: 'y', c: true })!.plan).not.toBe(a);
    expect(planned([1, 'x', true])!.plan!.nested).toBeNull();
    expect(planned('x')!.plan).toBeNull();
    const n = planned({ a: 1, n: { b: 2 }, l: [1, [2]] })!.plan!;
    expect(n.nested!.filter((x) => typeof x === 'string' || typeof x === 'number')).toEqual(['n', 'l']);
    const l = n.nested![3] as CopyPlan;
    expect(l.nested![0]).toBe(1);
    expect(planned({ f: () => 1 })).toBeUndefined();
  });

  it('shares nothing with the value: mutating either leaves the other as it was', () => {
    const v = { a: { b: [1, { c: 'x' }] } };
    const s = jsonSnapshot(v) as typeof v;
    (v.a.b[1] as { c: string }).c = 'changed';
    v.a.b.push(3);
    expect(s).toEqual({ a: { b: [1, { c: 'x' }] } });
    const c = copySnapshot(s) as typeof v;
    c.a.b.length = 0;
    expect(s.a.b).toHaveLength(2);
  });

  it('gives NOT_PLAIN for whatever JSON would write differently (so the caller takes the JSON path)', () => {
    class Point {
      x = 1;
    }
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const odd: unknown[] = [
      -0,
      NaN,
      Infinity,
      -Infinity,
      undefined,
      [1, undefined],
      () => 1,
      { f: () => 1 },
      { toJSON: () => 'x' },
      Symbol('s'),
      [Symbol('s')],
      10n,
      new Date(0),
      new Map(),
      new Point(),
      [new Point()],
      { at: new Date(0) },
      JSON.parse('{"__proto__": {"x": 1}}'),
      cyclic,
      deep,
      { n: -0 },
      new String('boxed'),
    ];
    for (const v of odd) expect(jsonSnapshot(v)).toBe(NOT_PLAIN);
  });

  it('copies keys that are no identifiers, and integer-like keys first, through the compiled copier', () => {
    const v = { 'a"b': 1, 'c\\d': 2, '\u2028': 3, '': 4, 10: 'ten', 2: 'two', 'x y': { '"': ['q'] }, constructor: 'c', toString: 't' };
    const p = planned(v)!;
    const c = copySnapshot(p.snapshot, p.plan);
    sameText(c, roundTrip(v));
    expect(Object.keys(c as object)).toEqual(Object.keys(roundTrip(v) as object));
  });

  it('copies objects of more keys than it compiles copiers for key by key', () => {
    const v = { nested: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i % 2 ? i : [String(i)]])) };
    const p = planned(v)!;
    expect((p.plan!.nested![1] as { shallow: unknown }).shallow).toBeUndefined();
    const c = copySnapshot(p.snapshot, p.plan) as typeof v;
    sameText(c, roundTrip(v));
    (c.nested['k0'] as string[]).push('x');
    expect(copySnapshot(p.snapshot, p.plan)).toEqual(roundTrip(v));
  });

  it('copies nesting up to 64 levels', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 63; i++) deep = [deep];
    expect(jsonSnapshot(deep)).toEqual(deep);
  });
});
