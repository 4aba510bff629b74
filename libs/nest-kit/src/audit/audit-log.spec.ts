import { fromStoredRecord, verifyChain, type AuditEntry, type AuditRecord, type StoredAuditRecord } from '@atp/audit';
import { InProcessBus } from '@atp/bus';
import { MemoryStore, type CollectionDef, type Doc, type Repository, type Store } from '@atp/storage';
import { auditCollection, AuditLog } from './audit-log';

const entry = (i: number, kind: AuditEntry['kind'] = 'noop'): AuditEntry => ({ kind, subject: `d${i}`, decision: 'noop', inputs: { i }, refs: [`candle-${i}`], time: 1_000 * i });

/** The documents of a service's audit collection as stored. */
const documents = (store: Store, service: string) => store.repository<StoredAuditRecord>({ name: auditCollection(service), timeField: 'seq' }).range({ order: 'asc' });
/** The records those documents hold. */
const stored = async (store: Store, service: string): Promise<AuditRecord[]> => (await documents(store, service)).map(fromStoredRecord);

/** A memory store that counts `upsertMany` calls and can fail the next one (a database that drops a write). */
class DroppingStore extends MemoryStore {
  failNext = false;
  readonly writes: number[] = [];
  override repository<T extends Doc>(def: CollectionDef<T>): Repository<T> {
    const repo = super.repository(def);
    return Object.assign(Object.create(repo) as Repository<T>, {
      upsertMany: (docs: readonly T[]) => {
        this.writes.push(docs.length);
        if (this.failNext) {
          this.failNext = false;
          return Promise.reject(new Error('write dropped'));
        }
        return repo.upsertMany(docs);
      },
    });
  }
}

/** A memory store whose `upsertMany` calls wait for the gates set with `gate()`, one gate per call in order. */
class GatedStore extends MemoryStore {
  readonly writes: number[] = [];
  private readonly gates: Promise<void>[] = [];
  gate(): { open(): void } {
    let open!: () => void;
    this.gates.push(new Promise<void>((r) => (open = r)));
    return { open };
  }
  override repository<T extends Doc>(def: CollectionDef<T>): Repository<T> {
    const repo = super.repository(def);
    return Object.assign(Object.create(repo) as Repository<T>, {
      upsertMany: async (docs: readonly T[]) => {
        this.writes.push(docs.length);
        const gate = this.gates.shift();
        if (gate) await gate;
        return repo.upsertMany(docs);
      },
    });
  }
}

const turns = async (until: () => boolean) => {
  for (let i = 0; i < 1_000 && !until(); i++) await new Promise((r) => setImmediate(r));
  expect(until()).toBe(true);
};

describe('AuditLog', () => {
  it('appends a hash chain to <service>_audit and a new log on the same store continues it (a restart)', async () => {
    const store = new MemoryStore('t');
    const a = new AuditLog({ store, service: 'strategy' });
    expect((await a.append([entry(0), entry(1), entry(2)])).map((r) => r._id)).toEqual(['strategy:000000000000', 'strategy:000000000001', 'strategy:000000000002']);
    const b = new AuditLog({ store, service: 'strategy' });
    expect(await b.head()).toEqual({ chain: 'strategy', nextSeq: 3, lastHash: (await stored(store, 'strategy'))[2]!.hash });
    await b.append([entry(3)]);
    const chain = await stored(store, 'strategy');
    expect(chain.map((r) => r.seq)).toEqual([0, 1, 2, 3]);
    expect(verifyChain(chain).issues).toEqual([]);
  });

  it('stores each record compactly (chain, seq, time and one JSON body) and reads back the records it appended', async () => {
    const store = new MemoryStore('t');
    const log = new AuditLog({ store, service: 'risk' });
    const appended = await log.append([{ ...entry(0, 'approval'), ids: ['e0'], causes: [{ kind: 'intent', id: 'd0' }], versions: { risk: '1' }, origin: 'stop' }, entry(1)]);
    const docs = await documents(store, 'risk');
    expect(docs.map((d) => Object.keys(d).sort())).toEqual([['_id', 'body', 'chain', 'seq', 'time'], ['_id', 'body', 'chain', 'seq', 'time']]);
    expect(docs.map((d) => [d._id, d.chain, d.seq, d.time])).toEqual([['risk:000000000000', 'risk', 0, 0], ['risk:000000000001', 'risk', 1, 1_000]]);
    expect(await stored(store, 'risk')).toEqual(appended);
    expect(await log.query({ id: 'e0' })).toEqual([appended[0]]);
    expect(await log.query({ from: 1_000, to: 2_000 })).toEqual([appended[1]]);
  });

  it('continues a chain stored in the full record shape (written before the compact one)', async () => {
    const store = new MemoryStore('t');
    const old = await new AuditLog({ store: new MemoryStore('o'), service: 'pnl' }).append([entry(0), entry(1)]);
    await store.repository<AuditRecord>({ name: auditCollection('pnl'), timeField: 'seq' }).upsertMany(old);
    const log = new AuditLog({ store, service: 'pnl' });
    expect(await log.append([entry(1), entry(2)])).toHaveLength(1);
    const chain = await stored(store, 'pnl');
    expect(chain.slice(0, 2)).toEqual(old);
    expect(chain.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(verifyChain(chain).issues).toEqual([]);
  });

  it('skips entries already recorded (a reprocessed input), before and after a restart', async () => {
    const store = new MemoryStore('t');
    const a = new AuditLog({ store, service: 'risk' });
    await a.append([entry(0), entry(1)]);
    expect(await a.append([entry(1), entry(0)])).toEqual([]);
    expect(await new AuditLog({ store, service: 'risk' }).append([entry(0), entry(2)])).toHaveLength(1);
    expect((await stored(store, 'risk')).map((r) => r.subject)).toEqual(['d0', 'd1', 'd2']);
  });

  it('serialises concurrent appends into one contiguous chain', async () => {
    const store = new MemoryStore('t');
    const log = new AuditLog({ store, service: 'execution' });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append([entry(2 * i), entry(2 * i + 1)])));
    const chain = await stored(store, 'execution');
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(verifyChain(chain).issues).toEqual([]);
  });

  it('rejects when the write fails, and the retry re-appends at the same position (no gap)', async () => {
    const store = new DroppingStore('t');
    const log = new AuditLog({ store, service: 'pnl' });
    await log.append([entry(0)]);
    store.failNext = true;
    await expect(log.append([entry(1)])).rejects.toThrow('write dropped');
    const [retried] = await log.append([entry(1)]);
    expect(retried!.seq).toBe(1);
    expect(verifyChain(await stored(store, 'pnl')).issues).toEqual([]);
  });

  it('queries by id (subject, ids, causes, refs) and by event time, and lists the logs on a bus', async () => {
    const bus = new InProcessBus();
    const store = new MemoryStore('t');
    const log = AuditLog.for({ name: 'risk', store, bus });
    AuditLog.for({ name: 'strategy', store: new MemoryStore('s'), bus });
    await log.append([entry(0), entry(1), { kind: 'approval', subject: 'o1', ids: ['d1'], causes: [{ kind: 'intent', id: 'd1' }], decision: 'approved', time: 1_000 }]);
    expect((await log.query({ id: 'd1' })).map((r) => r.key)).toEqual(['noop:d1', 'approval:o1']);
    expect((await log.query({ id: 'candle-0' })).map((r) => r.key)).toEqual(['noop:d0']);
    expect((await log.query({ from: 500, to: 1_001 })).map((r) => r.key)).toEqual(['noop:d1', 'approval:o1']);
    expect((await log.query({ from: 0, limit: 1 })).map((r) => r.key)).toEqual(['noop:d0']);
    expect(AuditLog.inProcess(bus).map((l) => l.service)).toEqual(['risk', 'strategy']);
    expect(AuditLog.inProcess(new InProcessBus())).toEqual([]);
    await bus.close();
  });
});

describe('AuditLog group commit', () => {
  it('writes the appends of one job with one upsertMany, each caller getting its own records', async () => {
    const store = new DroppingStore('t');
    const log = new AuditLog({ store, service: 'pnl' });
    await log.start();
    const results = await Promise.all([log.append([entry(0)]), log.append([entry(1), entry(0)]), log.append([entry(2)])]);
    expect(results.map((r) => r.map((x) => x.seq))).toEqual([[0], [1], [2]]);
    expect(store.writes).toEqual([3]);
    expect(verifyChain(await stored(store, 'pnl')).issues).toEqual([]);
  });
});

describe('AuditLog alongside / acknowledged', () => {
  it('publishes without waiting for the write; the acknowledgement waits until the records are stored', async () => {
    const store = new MemoryStore('t');
    const log = new AuditLog({ store, service: 'risk' });
    await log.start();
    const published: number[][] = [];
    const publish = log.alongside((out: readonly number[]) => out.map((i) => entry(i)), async (out: number[]) => void published.push(out));
    let processed = false;
    const input = publish([0, 1]).then(() => (processed = true));
    const ack = log.acknowledged(input);
    await input;
    expect(published).toEqual([[0, 1]]);
    expect(processed).toBe(true);
    expect(await stored(store, 'risk')).toEqual([]); // hashed and written on the next turn
    await ack;
    expect((await stored(store, 'risk')).map((r) => r.subject)).toEqual(['d0', 'd1']);
    expect(verifyChain(await stored(store, 'risk')).issues).toEqual([]);
  });

  it('lazy: builds the entries when the group is written, off the publish; the same records and hashes as eager, in publish order', async () => {
    const eager = new MemoryStore('t');
    const lazy = new MemoryStore('t');
    const logE = new AuditLog({ store: eager, service: 'risk' });
    const logL = new AuditLog({ store: lazy, service: 'risk' });
    let built = 0;
    const toEntries = (out: readonly number[]) => {
      built++;
      return out.map((i) => entry(i));
    };
    const pubE = logE.alongside(toEntries, async () => undefined);
    const pubL = logL.alongside(toEntries, async () => undefined, { lazy: true });
    await logE.acknowledged(Promise.all([pubE([0, 1]), pubE([2])]));
    built = 0;
    const input = Promise.all([pubL([0, 1]), pubL([2])]);
    await input;
    expect(built).toBe(0); // published, entries not built yet
    await logL.acknowledged(input);
    expect(built).toBe(2);
    expect(await stored(lazy, 'risk')).toEqual(await stored(eager, 'risk'));
    // a throw of a lazy toEntries fails that group's write: the inputs' acknowledgements are refused
    const bad = logL.alongside(() => {
      throw new Error('bad entry');
    }, async () => undefined, { lazy: true });
    await expect(logL.acknowledged(bad([3]))).rejects.toThrow('bad entry');
    expect((await stored(lazy, 'risk')).map((r) => r.subject)).toEqual(['d0', 'd1', 'd2']);
  });

  it('alongsidePrepared: prepare runs on the publish, its builder when the group is written; no builder, nothing appended and no wait', async () => {
    const eager = new MemoryStore('t');
    const prepared = new MemoryStore('t');
    const logE = new AuditLog({ store: eager, service: 'execution' });
    const logP = new AuditLog({ store: prepared, service: 'execution' });
    // The entries read state that changes after the publish (`offset`): prepare captures it.
    let offset = 0;
    const pubE = logE.alongside((out: readonly number[]) => out.map((i) => entry(i + offset)), async () => undefined);
    await logE.acknowledged(pubE([0, 1]));
    offset = 10;
    await logE.acknowledged(pubE([2]));
    const calls: string[] = [];
    const pubP = logP.alongsidePrepared(
      (out: readonly number[]) => {
        calls.push(`prepare ${out.join(',')}`);
        if (out.length === 0) return undefined;
        const at = offset;
        return () => {
          calls.push(`build ${out.join(',')}`);
          return out.map((i) => entry(i + at));
        };
      },
      async (out: number[]) => void calls.push(`publish ${out.join(',')}`),
    );
    offset = 0;
    const first = pubP([0, 1]);
    offset = 10;
    const input = Promise.all([first, pubP([2]), pubP([])]);
    offset = 99;
    await input;
    expect(calls).toEqual(['publish 0,1', 'prepare 0,1', 'publish 2', 'prepare 2', 'publish ', 'prepare ']);
    await logP.acknowledged(input);
    expect(calls.slice(6)).toEqual(['build 0,1', 'build 2']);
    expect(await stored(prepared, 'execution')).toEqual(await stored(eager, 'execution'));
    // A batch without entries is acknowledged without an audit write.
    const store = new GatedStore('t');
    const log = new AuditLog({ store, service: 'execution' });
    await log.start();
    await log.acknowledged(log.alongsidePrepared(() => undefined, async () => undefined)([5]));
    expect(store.writes.length).toBe(0);
  });

  it("waits for its own input's records, not for the appends made after it (a group commit still writing)", async () => {
    const store = new GatedStore('t');
    const log = new AuditLog({ store, service: 'strategy' });
    await log.start();
    const publish = log.alongside((out: readonly number[]) => out.map((i) => entry(i)), async () => undefined);
    const first = store.gate();
    const ack1 = log.acknowledged(publish([0]));
    await turns(() => store.writes.length === 1); // d0's write in flight
    const second = store.gate();
    const ack2 = log.acknowledged(publish([1, 2])); // appended meanwhile: the next group
    let acked2 = false;
    void ack2.then(() => (acked2 = true));
    first.open();
    await ack1; // d0 stored; d1, d2 still being written
    await turns(() => store.writes.length === 2);
    expect((await stored(store, 'strategy')).map((r) => r.subject)).toEqual(['d0']);
    expect(acked2).toBe(false);
    second.open();
    await ack2;
    expect((await stored(store, 'strategy')).map((r) => r.subject)).toEqual(['d0', 'd1', 'd2']);
    expect(verifyChain(await stored(store, 'strategy')).issues).toEqual([]);
  });

  it('refuses the acknowledgement when a write failed after the input came; the retry re-appends at the same position', async () => {
    const store = new DroppingStore('t');
    const log = new AuditLog({ store, service: 'execution' });
    await log.append([entry(0)]);
    const publish = log.alongside((out: readonly number[]) => out.map((i) => entry(i)), async () => undefined);
    store.failNext = true;
    await expect(log.acknowledged(publish([1, 2]))).rejects.toThrow('write dropped');
    await expect(log.acknowledged(publish([1, 2]))).resolves.toBeUndefined(); // the input again: re-published, re-appended
    expect((await stored(store, 'execution')).map((r) => [r.seq, r.subject])).toEqual([
      [0, 'd0'],
      [1, 'd1'],
      [2, 'd2'],
    ]);
    expect(verifyChain(await stored(store, 'execution')).issues).toEqual([]);
  });
});
