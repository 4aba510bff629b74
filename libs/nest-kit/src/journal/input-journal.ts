import type { Repository, Store } from '@atp/storage';
import type { OnEventOptions } from '../adapters/bus/on-event.decorator';

/**
 * `@OnEvent` options of a handler whose effects all go through an {@link InputJournal} (idempotent by
 * key, in submission order): pipelined delivery, so the Kafka bus hands over a partition's fetched
 * records without waiting for each one's commit, the journal writes them in one group commit, and
 * the offsets are still committed in order, each after its own record's commit.
 */
export const JOURNALED: OnEventOptions = Object.freeze({ pipelined: true });

/**
 * {@link JOURNALED} for a service no other one waits for (pnl: reporting): also `background`, so
 * an in-process bus delivers its inputs after the services on the candle -> order path handled
 * theirs (a later turn of the event loop); Kafka delivery is unchanged.
 */
export const JOURNALED_BACKGROUND: OnEventOptions = Object.freeze({ pipelined: true, background: true });

/**
 * The `holdMs` of the pipeline services' journals: longer than execution usually takes to send the
 * marker a held candle waits for (a few ms to tens of ms under load); only reached when it does not come.
 */
export const JOURNAL_HOLD_MS = 100;

/**
 * One journal write's record: a journaled input (its position in the service's processing order
 * and its natural key), or, when the write holds several inputs, all of them (`n`).
 */
export interface JournalRecord {
  /** Zero-padded sequence number: ids sort like `seq`. */
  _id: string;
  /** The (first) input's sequence number. */
  seq: number;
  /** Input kind, e.g. `candle`, `approval`, `fill` (empty in a record of several inputs). */
  kind: string;
  /** Natural id of the input within its kind: event id, client order id, fill id (empty in a record of several inputs). */
  key: string;
  /**
   * The decoded message value as received, JSON-encoded: one string field, where a nested document
   * costs FerretDB v1 about twice the CPU and time per insert (it stores every field with its
   * type; measured ~1.7 vs ~0.9 ms per insert of 4 decision records). Records written before this
   * hold the value itself; both are read. In a record of several inputs: the JSON of their
   * `[kind, key, value]` triples, in sequence order.
   */
  input: unknown;
  /**
   * Present when the record holds the `n` inputs of one write, with sequence numbers `seq` to
   * `seq + n - 1`: one document per write instead of one per input (FerretDB's cost is largely per
   * document: a write of 5 candles ~0.8 vs ~1.1 ms of its CPU, measured).
   */
  n?: number;
}

/**
 * A write of more inputs than this, or whose record of them would exceed {@link BATCH_RECORD_CHARS},
 * stores one record per input instead (documents stay far below MongoDB's 16 MB).
 */
const BATCH_RECORD_INPUTS = 10_000;
const BATCH_RECORD_CHARS = 4_000_000;

/**
 * A service's deterministic core: everything it decides is a function of the inputs applied so
 * far, in journal order. `apply` must not throw for a valid input (a throw is logged and the input
 * yields no outputs, the same on replay); it must not do I/O.
 */
export interface JournalCore<O> {
  apply(kind: string, input: unknown, replaying: boolean): O[];
  /**
   * True when the input, applied now, would only wait for another one (e.g. a candle before
   * execution's marker of its bar): with `holdMs`, the journal then writes it together with the
   * next input that does not wait, instead of in a write of its own. A hint for batching only: a
   * wrong answer costs a write or up to `holdMs` of delay, never a different result. Must be pure.
   */
  waits?(kind: string, input: unknown): boolean;
}

export interface InputJournalOptions<O> {
  store: Store;
  /** Collection of the journal, owned by the service, e.g. `execution_journal`. */
  collection: string;
  core: JournalCore<O>;
  /** Writes documents derived from new outputs (orders, fills, equity points), while they are published. */
  persist?: (outputs: O[]) => Promise<void>;
  /** Publishes outputs; must preserve their order per key. */
  publish: (outputs: O[]) => Promise<void>;
  /**
   * What else an input's acknowledgement waits for once it is journaled, applied and its outputs
   * published, e.g. `AuditLog.acknowledged` when `publish` is `AuditLog.alongside(...)`: the audit
   * records of its outputs stored. Applied to every `submit`.
   */
  acknowledge?: (processed: Promise<void>) => Promise<void>;
  /** Outputs of this many recent inputs of each kind are kept to re-publish them when their input is redelivered (default 20,000). */
  cacheInputs?: number;
  /** Inputs per group commit (default 5,000). */
  maxBatch?: number;
  /**
   * How long a group commit collects inputs: `turn` (default) until the event loop's next turn, so
   * inputs delivered meanwhile by other partitions and topics join (fewer, larger writes to a
   * remote store); `microtask` only the inputs submitted in the current job (lowest latency, for
   * an in-memory store).
   */
  batchWindow?: 'turn' | 'microtask';
  /**
   * False: nothing is written or replayed (the core's state lives and dies with the process), the
   * rest is unchanged — dedupe, ordering, publishing before acknowledging. For in-memory stores,
   * where a journal only grows. Default true.
   */
  durable?: boolean;
  /**
   * With a durable journal and a core that has `waits`: how long inputs the core says wait may be
   * held for the next input that does not (one journal write for both), ms. 0 (default): never held.
   */
  holdMs?: number;
  /**
   * Durable journals: apply the inputs and publish their outputs while their journal write is in
   * flight (write-behind), instead of after it (default false: write-ahead). An input is still
   * acknowledged only once its journal write, its outputs' publishing, the derived documents and
   * what `acknowledge` adds are done, so nothing is committed on the bus before it is journaled;
   * what changes is that the outputs may go out before the write lands, taking the store's round
   * trip off the path from an input to its outputs. The writes are chained in sequence order, and
   * a failed one is retried (the same records, the same sequence numbers: idempotent) until it is
   * stored — the core has applied those inputs, so they are never given up or applied again.
   * After a crash the inputs whose write had not landed are redelivered (never acknowledged) and
   * applied anew after the journal's replay: for cores whose outputs do not depend on the order
   * in which inputs of different topics arrive (the pipeline services: markers and barriers gate
   * every decision on the inputs it needs), the same outputs with the same ids (consumers dedupe).
   * The derived documents (`persist`) of a batch are written only once its inputs are journaled,
   * in batch order, so they never reflect an input a restart would not replay; the next batch is
   * applied once the previous one's outputs are published (execution records a client order id as
   * submitted only once its approval is journaled: never twice after a restart).
   */
  writeBehind?: boolean;
  /** Receives core failures (default: stderr JSON line). */
  onCoreError?: (kind: string, key: string, err: unknown) => void;
}

interface Pending {
  kind: string;
  key: string;
  input: unknown;
  /** Held: the core said it waits for another input (see JournalCore.waits). */
  waits: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const PAD = 12;

/** A batch after its journal write: the new inputs and the duplicates. */
interface Written {
  fresh: Pending[];
  duplicates: Pending[];
}

/**
 * Journal of a service's inputs with group commit: the durable state of services whose
 * domain objects are not serialisable (strategies, the paper exchange) or grow with history (the
 * portfolio's ledger). It gives the bus port's at-least-once delivery exactly-once effects:
 *
 * 1. `submit` (from a bus handler) queues an input; whatever was submitted meanwhile is processed
 *    together: inputs seen before (same kind and key) are duplicates, new ones get the next
 *    sequence numbers and are written to the journal in one `upsertMany` — durable BEFORE the core
 *    acts on them (write-ahead, the default), or, with `writeBehind` (the pipeline services), while
 *    the core acts on them and their outputs go out (still before they are acknowledged);
 * 2. the core applies the new inputs in sequence order, producing outputs;
 * 3. `persist` writes derived documents while `publish` sends the outputs (and re-sends the cached
 *    outputs of duplicates: a redelivered input means its outputs may not have gone out);
 * 4. the handlers' promises resolve: only then does the bus commit their offsets.
 *
 * On restart `start` replays the journal into a fresh core (no publishing), rebuilding its state
 * and the output cache, so a service killed at any point resumes where it stopped: inputs it had
 * not acknowledged come again, are recognised, and their outputs are re-published with the same
 * deterministic ids (consumers dedupe on them). A failed journal write rejects the whole batch
 * (write-ahead: nothing applied, the bus retries) or is retried until stored (write-behind: the
 * core applied those inputs); a failed publish rejects it after applying (the retry is a duplicate
 * and re-publishes).
 */
export class InputJournal<O> {
  private readonly repo: Repository<JournalRecord>;
  /**
   * Keys seen so far, by kind (a key looked up as the message's own id string, whose hash V8 keeps:
   * no `kind + key` string built and hashed per input).
   */
  private readonly seen = new Map<string, Set<string>>();
  /** Outputs of recent inputs (those with outputs), by kind and key, oldest first. */
  private readonly cache = new Map<string, Map<string, O[]>>();
  private readonly cacheInputs: number;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  /** Wakes the run loop while it waits on the last batch's effects (a new input arrived). */
  private wake: (() => void) | undefined;
  private nextSeq = 0;
  private started = false;
  /** Queued inputs that are not held: a batch is due when there is one (or the hold expired). */
  private urgent = 0;
  private readonly holdMs: number;
  private holdTimer: NodeJS.Timeout | undefined;
  private holdExpired = false;
  /** Write-behind: settles once every journal write started so far is stored (writes are chained in sequence order). */
  private writeTail: Promise<void> = Promise.resolve();
  /** Write-behind: settles once the derived documents of every batch so far are written (or failed): they are written in batch order. */
  private persistTail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: InputJournalOptions<O>) {
    this.repo = opts.store.repository<JournalRecord>({ name: opts.collection, timeField: 'seq' });
    this.cacheInputs = opts.cacheInputs ?? 20_000;
    this.maxBatch = opts.maxBatch ?? 5_000;
    this.holdMs = opts.durable !== false && opts.core.waits ? (opts.holdMs ?? 0) : 0;
  }

  /** Inputs journaled so far. */
  get size(): number {
    return this.nextSeq;
  }

  /** Loads and replays the journal into the core. Returns the number of inputs replayed. */
  async start(): Promise<number> {
    if (this.started) throw new Error(`journal ${this.opts.collection} already started`);
    this.started = true;
    if (this.opts.durable === false) return 0;
    await this.repo.init();
    let n = 0;
    for await (const batch of this.repo.iterate({ order: 'asc' }, 5_000)) {
      for (const r of batch) {
        // A record below the next sequence number is covered by the record of several inputs read
        // before it, which a later write put over it (a write whose outcome was unknown, retried with
        // other inputs, leaves its one-per-input records after the first in place): skipped.
        if (r.seq < this.nextSeq) continue;
        if (r.seq !== this.nextSeq) throw new Error(`journal ${this.opts.collection}: sequence gap at ${this.nextSeq} (found ${r.seq})`);
        if (typeof r.n === 'number') {
          const inputs = JSON.parse(r.input as string) as [string, string, unknown][];
          if (inputs.length !== r.n) throw new Error(`journal ${this.opts.collection}: record ${r._id} holds ${inputs.length} inputs, not ${r.n}`);
          for (const [kind, key, input] of inputs) this.replay(kind, key, input);
          n += inputs.length;
        } else {
          this.replay(r.kind, r.key, typeof r.input === 'string' ? JSON.parse(r.input) : r.input);
          n++;
        }
      }
    }
    return n;
  }

  private replay(kind: string, key: string, input: unknown): void {
    this.nextSeq++;
    this.seenOf(kind).add(key);
    this.remember(kind, key, this.apply(kind, key, input, true));
  }

  /** Queues an input; resolves once it is journaled, applied and its outputs are published (and what `acknowledge` adds). */
  submit(kind: string, key: string, input: unknown): Promise<void> {
    if (!this.started) return Promise.reject(new Error(`journal ${this.opts.collection} not started`));
    const processed = this.enqueue(kind, key, input);
    return this.opts.acknowledge ? this.opts.acknowledge(processed) : processed;
  }

  private enqueue(kind: string, key: string, input: unknown): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waits = this.holdMs > 0 && this.opts.core.waits!(kind, input);
      this.queue.push({ kind, key, input, waits, resolve, reject });
      if (waits) {
        // Held for the next input that does not wait (written together), at most holdMs.
        this.holdTimer ??= setTimeout(() => {
          this.holdTimer = undefined;
          this.holdExpired = true;
          this.kick();
        }, this.holdMs);
        return;
      }
      if (this.holdMs > 0) this.urgent++;
      this.kick();
    });
  }

  /** A batch is due: wakes the run loop, or starts it. */
  private kick(): void {
    if (this.wake) {
      // The run loop waits on the previous batch's effects: let it write this batch meanwhile
      // (on the next turn, so inputs delivered meanwhile join).
      const wake = this.wake;
      this.wake = undefined;
      if (this.opts.batchWindow === 'microtask') queueMicrotask(wake);
      else setImmediate(wake);
    } else if (!this.running) {
      this.running = true;
      // Let inputs delivered meanwhile (other partitions, other topics) join the group commit.
      if (this.opts.batchWindow === 'microtask') queueMicrotask(() => void this.run());
      else setImmediate(() => void this.run());
    }
  }

  /** Whether the queue holds a batch to process now: an input that does not wait, or held ones whose time is up. */
  private due(): boolean {
    return this.queue.length > 0 && (this.urgent > 0 || this.holdExpired || this.holdMs === 0);
  }

  /** Resolves when nothing is queued or in progress. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async run(): Promise<void> {
    // The previous batch's persist/publish (and, write-behind, its journal write), when the next
    // batch's journal write overlaps them (durable only): what the loop waits for before it idles.
    let effects: Promise<void> | undefined;
    // What the next batch's apply waits for: the previous batch's effects (write-behind: its
    // persist and publish only, not its journal write).
    let gate: Promise<void> | undefined;
    try {
      for (;;) {
        if (!this.due()) {
          if (!effects) break;
          // Wait for the effects in flight or for a new input (its journal write overlaps them).
          const current = effects;
          let settled = false;
          await Promise.race([current.then(() => (settled = true)), new Promise<void>((r) => (this.wake = r))]);
          this.wake = undefined;
          if (settled && effects === current) effects = gate = undefined;
          continue;
        }
        const batch = this.queue.splice(0, this.maxBatch);
        if (this.holdMs > 0) this.afterSplice(batch);
        let written: Written;
        let journaled: Promise<void> | undefined;
        if (this.opts.durable === false) {
          // Nothing to write: no promise to wait for (on the in-process bus, every await on the
          // way to the outputs lets the microtasks queued meanwhile run first).
          written = this.dedupe(batch);
          this.commit(written.fresh);
        } else if (this.opts.writeBehind) {
          // The write is started now (after the ones before it) and not awaited here: the inputs
          // are applied and their outputs published meanwhile; their acknowledgement waits for it.
          written = this.dedupe(batch);
          journaled = this.writeChained(written.fresh);
        } else {
          try {
            written = await this.write(batch);
          } catch (e) {
            for (const p of batch) p.reject(e);
            continue;
          }
        }
        // The core acts, and the outputs go out, only once the previous batch's effects are done:
        // the same core state, order of effects and failure handling as one batch at a time.
        if (gate) await gate;
        const { published, done } = this.applyAndPublish(written, journaled);
        // Write-behind: acknowledged once journaled too (a duplicate: once its first delivery is).
        const acked = journaled ? Promise.all([journaled, done]).then(() => undefined) : done;
        const settled = acked.then(
          () => {
            for (const p of batch) p.resolve();
          },
          (e: unknown) => {
            for (const p of batch) p.reject(e);
          },
        );
        // Durable: the next batch's journal write (a store round trip) overlaps these effects.
        if (this.opts.durable === false) await (published === done ? settled : published.catch(() => undefined));
        else {
          effects = settled;
          gate = journaled ? published.then(noop, noop) : settled;
        }
      }
    } finally {
      this.running = false;
      // Held inputs still queued: idle once the hold's run processed them.
      if (this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /**
   * Write-behind: the new inputs get their sequence numbers now and their record is written after
   * every write started before it, retried until stored (see `writeBehind`). Resolves once it and
   * every earlier write are stored: for a batch of duplicates only, once their first deliveries'
   * writes are.
   */
  private writeChained(fresh: readonly Pending[]): Promise<void> {
    if (fresh.length > 0) {
      const records = this.records(this.nextSeq, fresh);
      this.commit(fresh);
      this.writeTail = this.writeTail.then(() => this.storeUntilDone(records));
    }
    return this.writeTail;
  }

  /** Writes a journal record until the store takes it (growing pauses between attempts, up to 5 s). */
  private async storeUntilDone(records: JournalRecord[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.repo.upsertMany(records);
        return;
      } catch (e) {
        process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'journal write failed; retrying', journal: this.opts.collection, seq: records[0]!.seq, attempt, err: String((e as Error)?.message ?? e) })}\n`);
        await new Promise((r) => setTimeout(r, Math.min(5_000, 50 * 2 ** attempt)));
      }
    }
  }

  /** Held-input bookkeeping once `batch` left the queue: what stays is counted again; the hold ends with an empty queue. */
  private afterSplice(batch: readonly Pending[]): void {
    for (const p of batch) if (!p.waits) this.urgent--;
    // Held inputs still queued (a batch cut at maxBatch) keep the expiry; none left: no timer.
    if (this.queue.length === 0) {
      this.holdExpired = false;
      if (this.holdTimer) clearTimeout(this.holdTimer);
      this.holdTimer = undefined;
    }
  }

  /** The keys seen of one kind. */
  private seenOf(kind: string): Set<string> {
    let set = this.seen.get(kind);
    if (set === undefined) this.seen.set(kind, (set = new Set()));
    return set;
  }

  /**
   * The batch's new inputs (in order) and its duplicates (inputs seen before, or earlier in the
   * batch: the first one counts; a duplicate re-publishes cached outputs, and one of this batch has
   * none yet). The new inputs count as seen from now on (`unsee` takes them back when their
   * journal write fails).
   */
  private dedupe(batch: readonly Pending[]): Written {
    const fresh: Pending[] = [];
    const duplicates: Pending[] = [];
    for (const p of batch) {
      const seen = this.seenOf(p.kind);
      if (seen.has(p.key)) {
        duplicates.push(p);
        continue;
      }
      seen.add(p.key);
      fresh.push(p);
    }
    return { fresh, duplicates };
  }

  private unsee(fresh: readonly Pending[]): void {
    for (const p of fresh) this.seen.get(p.kind)?.delete(p.key);
  }

  /** The new inputs get their sequence numbers. */
  private commit(fresh: readonly Pending[]): void {
    this.nextSeq += fresh.length;
  }

  /**
   * Dedupes the batch and writes its new inputs to the journal: durable before the core acts (a
   * journal that is not durable writes nothing: `dedupe` and `commit` at once, without a promise).
   */
  private async write(batch: readonly Pending[]): Promise<Written> {
    const written = this.dedupe(batch);
    const fresh = written.fresh;
    if (fresh.length > 0) {
      try {
        await this.repo.upsertMany(this.records(this.nextSeq, fresh));
      } catch (e) {
        this.unsee(fresh); // not journaled: their redelivery is new
        throw e;
      }
      this.commit(fresh);
    }
    return written;
  }

  /**
   * Applies the journaled inputs in sequence order; persists and publishes their outputs (and
   * re-publishes those of duplicates). `done` settles when both are done (the inputs'
   * acknowledgement waits for it), `published` when the run loop may go on to the next batch.
   *
   * With the `microtask` window (an in-memory store, lowest latency) the outputs are published
   * first and the derived documents written on the next turn of the event loop: on the in-process
   * bus the next services handle the outputs before that write, and the next batch does not wait
   * for it (`published`: the publish only). Otherwise both start together and the next batch
   * waits for both (`published` is `done`).
   */
  private applyAndPublish({ fresh, duplicates }: Written, journaled?: Promise<void>): { published: Promise<void>; done: Promise<void> } {
    const republish: O[] = [];
    for (const p of duplicates) {
      const cached = this.cache.get(p.kind)?.get(p.key);
      if (cached) republish.push(...cached);
    }
    const outputs: O[] = [];
    for (let i = 0; i < fresh.length; i++) {
      const p = fresh[i]!;
      const out = this.apply(p.kind, p.key, p.input, false);
      this.remember(p.kind, p.key, out);
      for (const o of out) outputs.push(o);
    }
    const persist = outputs.length > 0 ? this.opts.persist : undefined;
    const publish = republish.length > 0 || outputs.length > 0 ? () => this.opts.publish(republish.length ? [...republish, ...outputs] : outputs) : undefined;
    if (journaled) {
      // Write-behind: the outputs go out now; the derived documents are written once the inputs
      // are journaled, after the previous batch's (`persistTail`): they never reflect an input a
      // restart would not replay (execution's submission record: a client order id is recorded as
      // submitted only once its approval is journaled). The next batch waits for the publish only.
      const published = publish ? attempt(publish) : Promise.resolve();
      let persisted: Promise<void> | undefined;
      if (persist) {
        persisted = Promise.all([this.persistTail, journaled]).then(() => persist(outputs));
        this.persistTail = persisted.then(noop, noop);
      }
      return { published, done: Promise.all([persisted, published]).then(() => undefined) };
    }
    if (persist && this.opts.batchWindow === 'microtask') {
      const published = publish ? attempt(publish) : Promise.resolve();
      const persisted = new Promise<void>((resolve) => setImmediate(resolve)).then(() => persist(outputs));
      return { published, done: Promise.all([persisted, published]).then(() => undefined) };
    }
    // Derived documents and the outputs go out together: both are done before the inputs are acknowledged.
    const persisted = persist ? attempt(() => persist(outputs)) : undefined;
    const published = publish ? attempt(publish) : undefined;
    const done = Promise.all([persisted, published]).then(() => undefined);
    return { published: done, done };
  }

  /**
   * The records of one write: one holding all its inputs (one document), or one per input for a
   * single input or a very large write. A write whose outcome is unknown is retried from the same
   * sequence number, so its first record's `_id` is always written over; with one record per write
   * nothing else of it can be left behind (see `start` for the one-per-input case).
   */
  private records(seq: number, fresh: readonly Pending[]): JournalRecord[] {
    if (fresh.length > 1 && fresh.length <= BATCH_RECORD_INPUTS) {
      const input = JSON.stringify(fresh.map((p) => [p.kind, p.key, p.input]));
      if (input.length <= BATCH_RECORD_CHARS) return [{ _id: String(seq).padStart(PAD, '0'), seq, kind: '', key: '', input, n: fresh.length }];
    }
    return fresh.map((p, i) => this.record(seq + i, p));
  }

  private record(seq: number, p: Pending): JournalRecord {
    return { _id: String(seq).padStart(PAD, '0'), seq, kind: p.kind, key: p.key, input: JSON.stringify(p.input) };
  }

  private apply(kind: string, key: string, input: unknown, replaying: boolean): O[] {
    try {
      return this.opts.core.apply(kind, input, replaying);
    } catch (e) {
      if (this.opts.onCoreError) this.opts.onCoreError(kind, key, e);
      else process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'journal core failed on an input', journal: this.opts.collection, kind, key, err: String((e as Error)?.stack ?? e) })}\n`);
      return [];
    }
  }

  private remember(kind: string, key: string, out: O[]): void {
    if (out.length === 0) return;
    let cache = this.cache.get(kind);
    if (cache === undefined) this.cache.set(kind, (cache = new Map()));
    cache.set(key, out);
    if (cache.size > this.cacheInputs) cache.delete(cache.keys().next().value as string);
  }
}

function noop(): void {
  // the settled value is not needed
}

/** A function's promise, or its synchronous throw as a rejected one. */
function attempt(f: () => Promise<void>): Promise<void> {
  try {
    return f();
  } catch (e) {
    return Promise.reject(e);
  }
}
