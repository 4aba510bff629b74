import { MemoryStore } from '@atp/storage';
import { InputJournal, type InputJournalOptions, type JournalCore } from './input-journal';

/** A core that sums numbers and emits the running total every time it reaches a multiple of 10. */
class Summer implements JournalCore<string> {
  total = 0;
  applied: string[] = [];
  apply(kind: string, input: unknown): string[] {
    if (kind === 'bad') throw new Error('boom');
    this.total += (input as { n: number }).n;
    this.applied.push(String((input as { n: number }).n));
    return this.total % 10 === 0 ? [`total=${this.total}`] : [];
  }
}

function journal(store: MemoryStore, core: Summer, published: string[], failPublish = { on: false }) {
  return new InputJournal<string>({
    store,
    collection: 'test_journal',
    core,
    publish: async (o) => {
      if (failPublish.on) throw new Error('broker down');
      published.push(...o);
    },
    onCoreError: () => undefined,
  });
}

/** A journal that notes, in `events`, each persist and publish of its outputs in order; `opts` sets the mode under test. */
function notingJournal(store: MemoryStore, core: Summer, events: string[], opts: Partial<InputJournalOptions<string>>) {
  return new InputJournal<string>({
    store,
    collection: 'test_journal',
    core,
    persist: async (o) => void events.push(`persist ${o.join(',')}`),
    publish: async (o) => void events.push(`publish ${o.join(',')}`),
    ...opts,
  });
}

describe('InputJournal', () => {
  it('journals before applying, dedupes by kind and key, and groups concurrent inputs in one commit', async () => {
    const store = new MemoryStore('j1');
    const core = new Summer();
    const out: string[] = [];
    const j = journal(store, core, out);
    await j.start();
    await Promise.all([j.submit('n', 'a', { n: 4 }), j.submit('n', 'b', { n: 6 }), j.submit('n', 'a', { n: 4 })]);
    expect(core.total).toBe(10);
    expect(out).toEqual(['total=10']);
    await j.submit('n', 'b', { n: 6 }); // redelivered: not applied again, its outputs re-published
    expect(core.total).toBe(10);
    expect(out).toEqual(['total=10', 'total=10']);
    expect(j.size).toBe(2);
    // The two inputs of the first write are one record.
    const records = await store.repository<{ _id: string; seq: number; n?: number; input: unknown }>({ name: 'test_journal', timeField: 'seq' }).range({ order: 'asc' });
    expect(records).toEqual([{ _id: '000000000000', seq: 0, kind: '', key: '', n: 2, input: '[["n","a",{"n":4}],["n","b",{"n":6}]]' }]);
  });

  it('replays records of several inputs, of one input and of values as documents, in sequence order; skips records covered by an earlier one of several inputs', async () => {
    const store = new MemoryStore('j-batch');
    const repo = store.repository<{ _id: string; seq: number; kind: string; key: string; input: unknown; n?: number }>({ name: 'test_journal', timeField: 'seq' });
    await repo.upsertMany([
      { _id: '000000000000', seq: 0, kind: 'n', key: 'old', input: { n: 1 } },
      { _id: '000000000001', seq: 1, kind: '', key: '', n: 3, input: '[["n","b",{"n":2}],["n","c",{"n":3}],["n","d",{"n":4}]]' },
      // Left behind by a write of one record per input whose outcome was unknown, retried as the record above.
      { _id: '000000000002', seq: 2, kind: 'n', key: 'stale', input: '{"n":100}' },
      { _id: '000000000004', seq: 4, kind: 'n', key: 'e', input: '{"n":5}' },
    ]);
    const core = new Summer();
    const out: string[] = [];
    const j = journal(store, core, out);
    expect(await j.start()).toBe(5);
    expect(core.applied).toEqual(['1', '2', '3', '4', '5']);
    expect(j.size).toBe(5);
    await j.submit('n', 'c', { n: 3 }); // seen in the record of several inputs: a duplicate
    expect(core.applied).toEqual(['1', '2', '3', '4', '5']);
    await Promise.all([j.submit('n', 'f', { n: 6 }), j.submit('n', 'g', { n: 7 })]);
    expect(core.total).toBe(28);
    expect((await repo.range({ order: 'asc' })).at(-1)).toEqual({ _id: '000000000005', seq: 5, kind: '', key: '', n: 2, input: '[["n","f",{"n":6}],["n","g",{"n":7}]]' });
    // A gap is still refused.
    await repo.upsertMany([{ _id: '000000000009', seq: 9, kind: 'n', key: 'h', input: '{"n":1}' }]);
    await expect(journal(store, new Summer(), []).start()).rejects.toThrow('sequence gap at 7 (found 9)');
  });

  it('stores each input as one JSON string and replays it, as well as records written with the value itself', async () => {
    const store = new MemoryStore('j-json');
    const repo = store.repository<{ _id: string; seq: number; kind: string; key: string; input: unknown }>({ name: 'test_journal', timeField: 'seq' });
    // A record as journals wrote them before: the value as a document.
    await repo.upsertMany([{ _id: '000000000000', seq: 0, kind: 'n', key: 'old', input: { n: 2 } }]);
    const j1 = journal(store, new Summer(), []);
    expect(await j1.start()).toBe(1);
    await j1.submit('n', 'new', { n: 8, note: 'x', nested: { a: [1, '2'] } });
    expect((await repo.range({ order: 'asc' })).map((r) => r.input)).toEqual([{ n: 2 }, '{"n":8,"note":"x","nested":{"a":[1,"2"]}}']);
    const core = new Summer();
    const out: string[] = [];
    expect(await journal(store, core, out).start()).toBe(2);
    expect(core.total).toBe(10);
    expect(core.applied).toEqual(['2', '8']);
  });

  it('every submit is acknowledged through `acknowledge`: after the input is processed and what it waits for, and refused when that fails', async () => {
    const store = new MemoryStore('j-ack');
    const core = new Summer();
    const out: string[] = [];
    const events: string[] = [];
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    let fail = false;
    const j = new InputJournal<string>({
      store,
      collection: 'test_journal',
      core,
      publish: async (o) => void out.push(...o),
      acknowledge: async (processed) => {
        await processed;
        events.push(`processed total=${core.total}`);
        await gate;
        if (fail) throw new Error('audit write failed');
      },
      onCoreError: () => undefined,
    });
    await j.start();
    const acked = j.submit('n', 'a', { n: 10 }).then(() => events.push('acknowledged'));
    await j.idle();
    await new Promise((r) => setImmediate(r));
    expect(out).toEqual(['total=10']); // published before the acknowledgement
    expect(events).toEqual(['processed total=10']);
    release();
    await acked;
    expect(events).toEqual(['processed total=10', 'acknowledged']);
    fail = true;
    gate = Promise.resolve();
    await expect(j.submit('n', 'b', { n: 5 })).rejects.toThrow('audit write failed');
  });

  it('a restarted service replays its journal and resumes with the same state and outputs', async () => {
    const store = new MemoryStore('j2');
    const fail = { on: false };
    const out1: string[] = [];
    const j1 = journal(store, new Summer(), out1, fail);
    await j1.start();
    await j1.submit('n', 'a', { n: 3 });
    fail.on = true; // published nothing: the handler fails, the bus will redeliver
    await expect(j1.submit('n', 'b', { n: 7 })).rejects.toThrow(/broker down/);

    const core = new Summer();
    const out2: string[] = [];
    const j2 = journal(store, core, out2);
    expect(await j2.start()).toBe(2);
    expect(core.total).toBe(10);
    await j2.submit('n', 'b', { n: 7 }); // the redelivery: recognised, outputs re-published
    expect(out2).toEqual(['total=10']);
    await j2.submit('n', 'c', { n: 5 });
    expect(core.applied).toEqual(['3', '7', '5']);
  });

  it('a core failure is logged and yields nothing, the same on replay', async () => {
    const store = new MemoryStore('j3');
    const errors: string[] = [];
    const core = new Summer();
    const j = new InputJournal<string>({ store, collection: 'test_journal', core, publish: async () => undefined, onCoreError: (k, key) => errors.push(`${k}:${key}`) });
    await j.start();
    await j.submit('bad', 'x', {});
    await j.submit('n', 'y', { n: 1 });
    expect(errors).toEqual(['bad:x']);
    expect(core.total).toBe(1);
  });

  it('without durability it writes and replays nothing, and still dedupes', async () => {
    const store = new MemoryStore('j4');
    const core = new Summer();
    const out: string[] = [];
    const j = new InputJournal<string>({ store, collection: 'test_journal', core, durable: false, publish: async (o) => void out.push(...o) });
    expect(await j.start()).toBe(0);
    await Promise.all([j.submit('n', 'a', { n: 4 }), j.submit('n', 'b', { n: 6 }), j.submit('n', 'a', { n: 4 })]);
    expect(core.total).toBe(10);
    expect(out).toEqual(['total=10']);
    expect(await store.repository<{ _id: string; seq: number }>({ name: 'test_journal', timeField: 'seq' }).count()).toBe(0);
  });
  it('a failed journal write applies nothing, and the redelivered input (also one given twice in the batch) is new, once', async () => {
    const store = new MemoryStore('j-fail');
    let failNext = true;
    const repository = store.repository.bind(store);
    store.repository = ((o: Parameters<MemoryStore['repository']>[0]) => {
      const r = repository(o);
      const upsertMany = r.upsertMany.bind(r);
      r.upsertMany = (docs: readonly never[]) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('store down'));
        }
        return upsertMany(docs);
      };
      return r;
    }) as MemoryStore['repository'];
    const core = new Summer();
    const out: string[] = [];
    const j = journal(store, core, out);
    await j.start();
    const failed = await Promise.allSettled([j.submit('n', 'a', { n: 4 }), j.submit('n', 'a', { n: 4 }), j.submit('n', 'b', { n: 6 })]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(core.applied).toEqual([]);
    await Promise.all([j.submit('n', 'a', { n: 4 }), j.submit('n', 'a', { n: 4 }), j.submit('n', 'b', { n: 6 })]);
    expect(core.applied).toEqual(['4', '6']);
    expect(out).toEqual(['total=10']);
    expect(j.size).toBe(2);
  });

  it('microtask window: publishes before the derived documents are written (next turn), the next batch does not wait for that write, the acknowledgement does', async () => {
    const store = new MemoryStore('j-micro');
    const core = new Summer();
    const events: string[] = [];
    const j = notingJournal(store, core, events, { durable: false, batchWindow: 'microtask' });
    await j.start();
    const acked: string[] = [];
    const first = j.submit('n', 'a', { n: 10 }).then(() => acked.push('a'));
    // Submitted from a later microtask of the same turn: processed in this turn, before the first batch's write.
    const second = Promise.resolve()
      .then(() => undefined)
      .then(() => j.submit('n', 'b', { n: 10 }).then(() => acked.push('b')));
    await new Promise<void>((r) => queueMicrotask(r));
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(events).toEqual(['publish total=10', 'publish total=20']);
    expect(acked).toEqual([]);
    await Promise.all([first, second]);
    expect(events).toEqual(['publish total=10', 'publish total=20', 'persist total=10', 'persist total=20']);
    expect(acked).toEqual(['a', 'b']);
  });

  it('writes the next batch while the previous one publishes, and applies and publishes in order after it', async () => {
    const store = new MemoryStore('j5');
    const core = new Summer();
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const repo = store.repository<{ _id: string; seq: number; key: string }>({ name: 'test_journal', timeField: 'seq' });
    const j = new InputJournal<string>({
      store,
      collection: 'test_journal',
      core,
      publish: async (o) => {
        events.push(`publish ${o.join(',')} applied=${core.applied.join(',')}`);
        if (o.includes('total=10')) await gate; // the first batch's publish hangs
      },
    });
    await j.start();
    const first = j.submit('n', 'a', { n: 10 });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const second = j.submit('n', 'b', { n: 10 });
    // The second input is journaled while the first batch's publish is in flight, but not applied.
    for (let i = 0; i < 20 && (await repo.count()) < 2; i++) await new Promise((r) => setImmediate(r));
    expect((await repo.getMany(['000000000000', '000000000001'])).map((r) => r.key)).toEqual(['a', 'b']);
    expect(core.applied).toEqual(['10']);
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(['publish total=10 applied=10', 'publish total=20 applied=10,10']);
    await j.idle();
  });
  describe('write-behind', () => {
    /** The journal's own repository (its writes are replaced below to hold or fail them). */
    const repoOf = (j: InputJournal<string>) => (j as unknown as { repo: { upsertMany: (d: readonly never[]) => Promise<unknown> } }).repo;
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };

    it('publishes while the journal write is in flight; acknowledges only once it is stored; a failed write is retried with the same records, nothing applied twice', async () => {
      const store = new MemoryStore('j-wb');
      const core = new Summer();
      const out: string[] = [];
      const j = new InputJournal<string>({ store, collection: 'test_journal', core, writeBehind: true, publish: async (o) => void out.push(...o) });
      await j.start();
      // Writes hang until open(), and the first attempt fails.
      let open!: () => void;
      const hang = new Promise<void>((r) => (open = r));
      const repo = store.repository<{ _id: string; seq: number; key: string; n?: number }>({ name: 'test_journal', timeField: 'seq' });
      const inner = repoOf(j);
      const upsertMany = inner.upsertMany.bind(inner);
      let failOnce = true;
      let attempts = 0;
      inner.upsertMany = async (docs: readonly never[]) => {
        attempts++;
        await hang;
        if (failOnce) {
          failOnce = false;
          throw new Error('store down');
        }
        return upsertMany(docs);
      };
      const acked: string[] = [];
      const a = j.submit('n', 'a', { n: 4 }).then(() => acked.push('a'));
      const b = j.submit('n', 'b', { n: 6 }).then(() => acked.push('b'));
      await turns(3);
      // Applied and published before anything is stored; not acknowledged.
      expect(core.applied).toEqual(['4', '6']);
      expect(out).toEqual(['total=10']);
      expect(acked).toEqual([]);
      expect(await repo.count()).toBe(0);
      // A redelivery meanwhile is a duplicate (re-published), acknowledged only with the first delivery's write.
      const again = j.submit('n', 'a', { n: 4 }).then(() => acked.push('a again'));
      await turns(3);
      expect(core.applied).toEqual(['4', '6']);
      expect(acked).toEqual([]);
      const errors = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        open(); // the first attempt fails, the retry (after a pause) stores the same record
        await Promise.all([a, b, again]);
      } finally {
        errors.mockRestore();
      }
      expect(attempts).toBe(2);
      expect(acked.sort()).toEqual(['a', 'a again', 'b']);
      expect(core.applied).toEqual(['4', '6']);
      const stored = await repo.getMany(['000000000000']);
      expect(stored.map((r) => [r.seq, r.n])).toEqual([[0, 2]]);
      // A restart replays exactly those inputs.
      const core2 = new Summer();
      const j2 = new InputJournal<string>({ store, collection: 'test_journal', core: core2, writeBehind: true, publish: async () => undefined });
      expect(await j2.start()).toBe(2);
      expect(core2.applied).toEqual(['4', '6']);
    });

    it('writes the derived documents only once the inputs are journaled, in batch order; the next batch is applied once the previous one is published', async () => {
      const store = new MemoryStore('j-wb-persist');
      const core = new Summer();
      const events: string[] = [];
      const j = notingJournal(store, core, events, { writeBehind: true });
      await j.start();
      const opens: (() => void)[] = [];
      const inner = repoOf(j);
      const upsertMany = inner.upsertMany.bind(inner);
      inner.upsertMany = async (docs: readonly never[]) => {
        await new Promise<void>((r) => opens.push(r));
        return upsertMany(docs);
      };
      const a = j.submit('n', 'a', { n: 10 });
      await turns(3);
      const b = j.submit('n', 'b', { n: 10 });
      await turns(3);
      // Both applied and published while the first write hangs (the second is chained behind it); nothing persisted.
      expect(events).toEqual(['publish total=10', 'publish total=20']);
      expect(opens).toHaveLength(1);
      opens.shift()!();
      await turns(3);
      expect(events).toEqual(['publish total=10', 'publish total=20', 'persist total=10']);
      expect(opens).toHaveLength(1);
      opens.shift()!();
      await Promise.all([a, b]);
      expect(events).toEqual(['publish total=10', 'publish total=20', 'persist total=10', 'persist total=20']);
    });
  });

  describe('holding inputs the core says wait (holdMs)', () => {
    /** Summer whose kind `w` inputs wait for another input. */
    class Waiter extends Summer {
      waits(kind: string): boolean {
        return kind === 'w';
      }
    }
    /** A memory store whose journal writes are noted (the keys of each upsertMany). */
    function noting(name: string): { store: MemoryStore; writes: string[][] } {
      const store = new MemoryStore(name);
      const writes: string[][] = [];
      const repository = store.repository.bind(store);
      store.repository = ((o: Parameters<MemoryStore['repository']>[0]) => {
        const r = repository(o);
        const upsertMany = r.upsertMany.bind(r);
        r.upsertMany = (docs: readonly never[]) => {
          // The inputs' keys (a record of several inputs holds [kind, key, value] triples).
          writes.push(docs.flatMap((d: { key: string; n?: number; input: unknown }) => (d.n === undefined ? [d.key] : (JSON.parse(d.input as string) as [string, string][]).map((t) => t[1]))));
          return upsertMany(docs);
        };
        return r;
      }) as MemoryStore['repository'];
      return { store, writes };
    }
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };

    it('writes a waiting input with the next input that does not wait: one write, applied and acknowledged in submission order', async () => {
      const { store, writes } = noting('j-hold');
      const core = new Waiter();
      const out: string[] = [];
      const j = new InputJournal<string>({ store, collection: 'test_journal', core, holdMs: 10_000, publish: async (o) => void out.push(...o) });
      await j.start();
      const acked: string[] = [];
      const a = j.submit('w', 'a', { n: 4 }).then(() => acked.push('a'));
      await turns(5);
      expect(writes).toEqual([]); // held: not written, not applied
      expect(core.applied).toEqual([]);
      const b = j.submit('n', 'b', { n: 6 }).then(() => acked.push('b'));
      await Promise.all([a, b]);
      expect(writes).toEqual([['a', 'b']]);
      expect(core.applied).toEqual(['4', '6']);
      expect(out).toEqual(['total=10']);
      expect(acked).toEqual(['a', 'b']);
      // Replayed in the same order from the journal.
      const again = new Waiter();
      expect(await new InputJournal<string>({ store, collection: 'test_journal', core: again, holdMs: 10_000, publish: async () => undefined }).start()).toBe(2);
      expect(again.applied).toEqual(['4', '6']);
    });

    it('writes held inputs on their own once holdMs passed without another input, and idle() waits for them', async () => {
      const { store, writes } = noting('j-hold-expiry');
      const core = new Waiter();
      const j = new InputJournal<string>({ store, collection: 'test_journal', core, holdMs: 30, publish: async () => undefined });
      await j.start();
      const t0 = performance.now();
      const a = j.submit('w', 'a', { n: 1 });
      const b = j.submit('w', 'b', { n: 2 });
      await j.idle();
      expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
      await Promise.all([a, b]);
      expect(writes).toEqual([['a', 'b']]);
      expect(core.applied).toEqual(['1', '2']);
      // A redelivered held input is a duplicate like any other.
      await j.submit('w', 'a', { n: 1 });
      expect(core.applied).toEqual(['1', '2']);
    });

    it('holds nothing without durability (nothing to save) or without holdMs', async () => {
      for (const opts of [{ durable: false, holdMs: 10_000 }, {}]) {
        const { store, writes } = noting('j-nohold');
        const core = new Waiter();
        const j = new InputJournal<string>({ store, collection: 'test_journal', core, publish: async () => undefined, ...opts });
        await j.start();
        const t0 = performance.now();
        await j.submit('w', 'a', { n: 1 });
        expect(performance.now() - t0).toBeLessThan(1_000);
        expect(core.applied).toEqual(['1']);
        expect(writes).toEqual(opts.durable === false ? [] : [['a']]);
      }
    });
  });
});
