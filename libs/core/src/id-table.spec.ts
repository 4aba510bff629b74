import { IdTable } from './id-table';

describe('IdTable', () => {
  it('answers get / has / set / size as a Map does over growth, replaced values and ids of equal content', () => {
    let seed = 3;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const ref = new Map<string, number>();
    const t = new IdTable<number>();
    const ids: string[] = [];
    for (let step = 0; step < 30000; step++) {
      const op = rnd();
      if (op < 0.35 || ids.length === 0) {
        // a new id (short ones from a small alphabet repeat: those are replacements)
        let id = '';
        const short = rnd() < 0.3;
        const n = 1 + Math.floor(rnd() * (short ? 4 : 30));
        for (let k = 0; k < n; k++) id += 'aZ0-_'[Math.floor(rnd() * 5)];
        if (!short) id += step.toString(36);
        ids.push(id);
        ref.set(id, step);
        t.set(id, step);
      } else if (op < 0.5) {
        const id = ids[Math.floor(rnd() * ids.length)]!;
        ref.set(id, -step);
        t.set(id, -step);
      } else {
        // held ids as other string objects of the same content, and ids never set
        const id = rnd() < 0.7 ? [...ids[Math.floor(rnd() * ids.length)]!].join('') : `new-${step}`;
        expect(t.get(id)).toBe(ref.get(id));
        expect(t.has(id)).toBe(ref.has(id));
      }
      expect(t.size).toBe(ref.size);
    }
    expect(t.size).toBeGreaterThan(4000); // grown many times past its first 1024 slots
    for (const [k, v] of ref) expect(t.get(k)).toBe(v);
    // ids() lists them as a Map's keys: in first-set order, a replaced value keeping its place
    expect(t.ids()).toEqual([...ref.keys()]);
  });
  it('keeps ids apart whose hashes share the slot bits, and the empty id', () => {
    const t = new IdTable<string>();
    const ids = ['', 'a', 'b', ...Array.from({ length: 3000 }, (_, i) => `o${i.toString(36)}-0-x`)];
    for (const id of ids) t.set(id, `v${id}`);
    for (const id of ids) expect(t.get(id)).toBe(`v${id}`);
    expect(t.has('c')).toBe(false);
    expect(t.size).toBe(ids.length);
  });
  it('keeps ids apart whose hashes share both the first slot bits and the 16-bit tag (a miss reads tags only)', () => {
    // FNV-1a as the table hashes: ids grouped by (tag, home slot in a 1024-slot table)
    const fnv = (s: string) => {
      let h = 0x811c9dc5 | 0;
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
      return h;
    };
    const groups = new Map<string, string[]>();
    for (let i = 0; i < 400_000; i++) {
      const id = `f${i}`;
      const h = fnv(id);
      const k = `${(h >>> 16) | 1}:${h & 1023}`;
      const g = groups.get(k);
      if (g) g.push(id);
      else groups.set(k, [id]);
    }
    const clashing = [...groups.values()].filter((g) => g.length > 1).slice(0, 200).flat();
    expect(clashing.length).toBeGreaterThan(100);
    const t = new IdTable<number>();
    clashing.forEach((id, i) => {
      expect(t.has(id)).toBe(false);
      t.set(id, i);
    });
    clashing.forEach((id, i) => expect(t.get(id)).toBe(i));
    // an id of a clashing group that was never set is a miss
    const absent = [...groups.values()].filter((g) => g.length > 2).map((g) => g[g.length - 1]!).filter((id) => !clashing.includes(id));
    for (const id of absent.slice(0, 20)) expect(t.has(id)).toBe(false);
  });
});
