import { AuditChain, compareRecords, fromStoredRecord, recordMentions, toStoredRecord, verifyChain, type AuditEntry, type AuditRecord, type ChainHead, type StoredAuditRecord } from '@atp/audit';
import type { Bus } from '@atp/bus';
import type { Logger } from '@atp/observability';
import type { Repository, Store } from '@atp/storage';

/** What an audit query asks for: records about or caused by `id`, and/or with event time in [from, to). */
export interface AuditQuery {
  id?: string;
  from?: number;
  to?: number;
  limit?: number;
}

export interface AuditLogOptions {
  store: Store;
  /** Producing service; also the chain id and the collection prefix (`<service>_audit`). */
  service: string;
  logger?: Logger;
}

/** The collection holding a service's audit chain. */
export function auditCollection(service: string): string {
  return `${service}_audit`;
}

/** Audit logs of the services sharing one in-process bus (the embedded host): the gateway's in-process view. */
const byBus = new WeakMap<Bus, Map<string, AuditLog>>();

/**
 * A service's audit chain in its own collection `<service>_audit` (`_id` = `<chain>:<seq>`; each
 * record stored in the compact shape of `toStoredRecord`: chain, seq, time and one JSON body), one
 * call per published batch: `publish: audit.around(toEntries, publish)`, or, to keep the chain's
 * writes off the path to the next service, `publish: audit.alongside(toEntries, publish)` with
 * every input acknowledged through `audit.acknowledged(...)`: an input still counts as processed
 * only once the records of what it caused are stored.
 *
 * - The head (next seq, last hash) and the keys already recorded are loaded from the store on the
 *   first use, so a restarted service continues its chain.
 * - Idempotent: an entry whose kind and subject the chain already holds is skipped, so an input
 *   reprocessed after a restart (its outputs re-published) never forks the chain.
 * - Appends are serialised and grouped: one `upsertMany` per group, the appends of one turn of the
 *   event loop (hashing and writing run after the jobs of the current turn: on the in-process bus
 *   the next service handles a published record first). A failed write rejects every append of
 *   its group (the callers' inputs are retried, and re-appended) and the head is reloaded from
 *   the store.
 */
export class AuditLog {
  readonly service: string;
  readonly collection: string;
  private readonly repo: Repository<StoredAuditRecord>;
  private chain: AuditChain | undefined;
  private loading: Promise<AuditChain> | undefined;
  /** Settles when the appends queued so far are written (or failed). */
  private tail: Promise<void> = Promise.resolve();
  /** Queued appends: their entries, or (`alongside` with `lazy`) what builds them when the group is written. */
  private pending: { entries: readonly AuditEntry[] | (() => readonly AuditEntry[]); n: number; resolve: (r: AuditRecord[]) => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  /** Appends so far, and how many of the first ones are written (or failed): groups are written in order. */
  private appended = 0;
  private done = 0;
  /** `acknowledged` calls waiting until the first `upTo` appends are done (ascending). */
  private readonly doneWaiters: { upTo: number; wake: () => void }[] = [];
  /** Failed group writes so far, and the last failure: `acknowledged` refuses an input when one failed after it was submitted. */
  private failures = 0;
  private lastFailure: unknown;

  constructor(private readonly opts: AuditLogOptions) {
    this.service = opts.service;
    this.collection = auditCollection(opts.service);
    this.repo = opts.store.repository<StoredAuditRecord>({ name: this.collection, timeField: 'seq' });
  }

  /** The audit log of a service runtime, registered with its bus so an in-process gateway can query it. */
  static for(rt: { name: string; store: Store; bus: Bus; logger?: Logger }): AuditLog {
    const log = new AuditLog({ store: rt.store, service: rt.name, logger: rt.logger });
    let m = byBus.get(rt.bus);
    if (!m) byBus.set(rt.bus, (m = new Map()));
    m.set(rt.name, log);
    return log;
  }

  /** The audit logs of the services on `bus` in this process, by service name. */
  static inProcess(bus: Bus): AuditLog[] {
    return [...(byBus.get(bus)?.values() ?? [])].sort((a, b) => (a.service < b.service ? -1 : 1));
  }

  /** Loads the chain's head (idempotent). */
  start(): Promise<void> {
    return this.load().then(() => undefined);
  }

  /**
   * Appends the entries not yet recorded; resolves with the new records once they are stored.
   * Appends made while a write is in flight (or in the same turn) are written together, in call
   * order, with one `upsertMany` (group commit: pnl audits fill by fill).
   */
  append(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (entries.length === 0) return Promise.resolve([]);
    return this.enqueue(entries);
  }

  private enqueue(entries: readonly AuditEntry[] | (() => readonly AuditEntry[])): Promise<AuditRecord[]> {
    return new Promise<AuditRecord[]>((resolve, reject) => {
      this.pending.push({ entries, n: ++this.appended, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        this.tail = new Promise<void>((done) => setImmediate(() => void this.flush().finally(done)));
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        try {
          const chain = await this.load();
          const results = group.map((g) => chain.append(typeof g.entries === 'function' ? g.entries() : g.entries));
          const records = results.flat();
          if (records.length > 0) {
            try {
              await this.repo.upsertMany(records.map(toStoredRecord));
            } catch (e) {
              this.chain = undefined; // the head moved past records that may not be stored: reload it
              this.loading = undefined;
              throw e;
            }
          }
          group.forEach((g, i) => g.resolve(results[i]!));
        } catch (e) {
          this.failures++;
          this.lastFailure = e;
          for (const g of group) g.reject(e);
        }
        this.done = group[group.length - 1]!.n;
        while (this.doneWaiters.length > 0 && this.doneWaiters[0]!.upTo <= this.done) this.doneWaiters.shift()!.wake();
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Wraps a publish function so each batch's entries are appended while it is published; both are
   * done before the caller acknowledges its inputs. The published values are not touched.
   */
  around<T>(toEntries: (out: readonly T[]) => AuditEntry[], publish: (out: T[]) => Promise<void>): (out: T[]) => Promise<void> {
    return async (out) => {
      await Promise.all([publish(out), this.append(toEntries(out))]);
    };
  }

  /**
   * Wraps a publish function so each batch's entries are appended, in publish order, WITHOUT the
   * publisher waiting for the write: with it, every input of the publisher must be acknowledged
   * through {@link acknowledged}, which waits for it. The published values are not touched.
   *
   * `lazy`: `toEntries` runs when the group is hashed and written (the next turn of the event loop),
   * not on the publish path — for outputs nothing changes once published whose entries depend on
   * nothing else (not on the publisher's state at that time), and which always make at least one
   * entry (an append of none still costs the inputs' acknowledgements a turn). A throw of
   * `toEntries` then fails the group's write (the inputs are retried) instead of the publish.
   */
  alongside<T>(toEntries: (out: readonly T[]) => AuditEntry[], publish: (out: T[]) => Promise<void>, opts?: { lazy?: boolean }): (out: T[]) => Promise<void> {
    const lazy = opts?.lazy === true;
    return async (out) => {
      const published = publish(out);
      // Observed by `acknowledged` (the failure count), not here.
      (lazy ? this.enqueue(() => toEntries(out)) : this.append(toEntries(out))).catch(() => undefined);
      await published;
    };
  }

  /**
   * {@link alongside} with the entries built lazily (when the group is hashed and written, the next
   * turn) by what `prepare` returns for the batch, called on the publish path right after the
   * publish starts: for outputs whose entries also read the publisher's state, which may change by
   * then (execution's order book), `prepare` reads that state now — cheaply — and the entries are
   * built off the path from the outputs (never changed once published) and what it captured.
   * `prepare` returns undefined for a batch that makes no entries (nothing is appended: its inputs'
   * acknowledgements wait for no write). A throw of the builder fails the group's write (the inputs
   * are retried), a throw of `prepare` the publish.
   */
  alongsidePrepared<T>(prepare: (out: readonly T[]) => (() => readonly AuditEntry[]) | undefined, publish: (out: T[]) => Promise<void>): (out: T[]) => Promise<void> {
    return async (out) => {
      const published = publish(out);
      const build = prepare(out);
      // Observed by `acknowledged` (the failure count), not here.
      if (build !== undefined) this.enqueue(build).catch(() => undefined);
      await published;
    };
  }

  /**
   * The acknowledgement of an input whose outputs are published through {@link alongside}: `done`
   * (the input processed and its outputs published, e.g. the journal's submit), then every audit
   * append made so far stored — not the appends made after it (under a steady stream of inputs the
   * group commit keeps writing, and waiting for all of it would hold back this input's
   * acknowledgement, and on Kafka the next fetch of its partition, behind later inputs' records).
   * Rejects when a write failed after the call (the input is then retried: its outputs re-published
   * and re-appended, idempotently).
   */
  acknowledged<T>(done: Promise<T>): Promise<T> {
    const failures = this.failures;
    // Plain callbacks, no async function: one promise per acknowledgement fewer (one per bus delivery).
    return done.then((v) => {
      const upTo = this.appended;
      if (this.done >= upTo) return this.unlessFailed(failures, v);
      return new Promise<T>((resolve, reject) =>
        this.doneWaiters.push({
          upTo,
          wake: () => {
            try {
              resolve(this.unlessFailed(failures, v));
            } catch (e) {
              reject(e);
            }
          },
        }),
      );
    });
  }

  /** `v`, unless a write failed since the failure count was `failures`. */
  private unlessFailed<T>(failures: number, v: T): T {
    if (this.failures !== failures) throw new Error(`audit ${this.collection}: a write failed: ${(this.lastFailure as Error)?.message ?? String(this.lastFailure)}`);
    return v;
  }

  /** Next seq and last hash. */
  async head(): Promise<ChainHead> {
    return (await this.load()).current;
  }

  /** The whole chain in sequence order. */
  async records(): Promise<AuditRecord[]> {
    await this.tail;
    const all: AuditRecord[] = [];
    for await (const batch of this.repo.iterate({ order: 'asc' }, 5_000)) for (const d of batch) all.push(fromStoredRecord(d));
    return all;
  }

  /** Records about or caused by `q.id` and/or with event time in [from, to), by event time then seq (a scan of the chain). */
  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const out = (await this.records()).filter((r) => (q.id === undefined || recordMentions(r, q.id)) && (q.from === undefined || r.time >= q.from) && (q.to === undefined || r.time < q.to));
    out.sort(compareRecords);
    return q.limit !== undefined ? out.slice(0, q.limit) : out;
  }

  private load(): Promise<AuditChain> {
    if (this.chain) return Promise.resolve(this.chain);
    this.loading ??= (async () => {
      await this.repo.init();
      const chain = new AuditChain(this.service, this.service);
      const stored: AuditRecord[] = [];
      for await (const batch of this.repo.iterate({ order: 'asc' }, 5_000)) {
        for (const d of batch) {
          const r = fromStoredRecord(d);
          chain.adopt(r);
          stored.push(r);
        }
      }
      const check = verifyChain(stored);
      if (check.issues.length) this.opts.logger?.error('audit chain broken in the store: appending after its last record', { collection: this.collection, issues: check.issues.slice(0, 5) });
      this.chain = chain;
      return chain;
    })().catch((e: unknown) => {
      this.loading = undefined; // a store that failed to answer is asked again by the next append
      throw e;
    });
    return this.loading;
  }
}

