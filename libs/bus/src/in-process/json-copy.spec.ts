import { copySnapshot, jsonSnapshot, NOT_PLAIN } from './json-copy';

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
    // and copies of it as well
    expect(keys(copySnapshot(s))).toEqual(keys(roundTrip(v)));
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

  it('copies nesting up to 64 levels', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 63; i++) deep = [deep];
    expect(jsonSnapshot(deep)).toEqual(deep);
  });
});
