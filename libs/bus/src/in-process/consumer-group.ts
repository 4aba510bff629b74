import type { TSchema } from '@sinclair/typebox';
import { decode, type DecodeResult, type TopicContract } from '@atp/contracts';
import type { BusMessage, Handler } from '../bus';
import { describeError, givesUp, retryDelayMs } from '../retry';
import type { DeadLetterInput } from '../dead-letter';
import { copySnapshot } from './json-copy';
import type { PartitionLog, LogRecord } from './partition-log';

/**
 * The value of a record for a subscriber of `contract`: a record published through the same
 * schema was validated then, and is only copied from its snapshot or parsed from its bytes (afresh
 * per delivery: a handler that mutates its message affects no other group); any other record (raw
 * bytes, another schema) is decoded and validated.
 */
function decodeRecord(contract: TopicContract<TSchema>, rec: LogRecord): DecodeResult<unknown> {
  if (rec.checked !== undefined && rec.checked === contract.schema) {
    if (rec.snapshot !== undefined) return { ok: true, value: copySnapshot(rec.snapshot, rec.plan) };
    if (rec.value !== null) return { ok: true, value: JSON.parse(rec.value.toString('utf8')) as unknown };
  }
  return decode(contract, rec.value);
}

/** What a partition worker needs from the bus around it. */
export interface WorkerHost {
  /** Messages delivered in one synchronous turn before yielding to the event loop. */
  readonly deliveriesPerTurn: number;
  now(): number;
  /** Appends a dead letter to `<topic>.dlq` (synchronously). */
  deadLetter(d: DeadLetterInput): void;
}

/** One subscriber (a `subscribe` or `replay` call) in a consumer group. */
export interface Member {
  readonly contract: TopicContract<TSchema>;
  readonly handler: Handler<unknown>;
  readonly maxAttempts: number;
  readonly retryBackoffMs: number;
  /** Replay end: records produced at or after this time are not delivered. */
  readonly endTime?: number;
  /** SubscribeOptions.pipelined: handlers started in offset order without awaiting the previous one. */
  readonly pipelined: boolean;
  /** SubscribeOptions.background: delivery starts on a later turn (setImmediate), not in a microtask. */
  readonly background: boolean;
  closed: boolean;
}

/** A delivery started by a pipelined worker and not yet taken (acknowledged or failed) in offset order. */
interface Started {
  readonly rec: LogRecord;
  readonly member: Member;
  state: 'pending' | 'ok' | 'failed' | 'undecodable';
  error?: unknown;
  /** Why the record could not be decoded (dead-lettered when taken). */
  decodeError?: { errorKind: DeadLetterInput['errorKind']; reason: string };
  /** Settles with the handler. */
  done?: Promise<void>;
}

/**
 * The ordered queue of one (consumer group, partition): a cursor into the partition's retained log.
 * `next` is the committed position — advanced only when the handler resolved (or the record was
 * dead-lettered), so it is always the first record not yet acknowledged.
 *
 * Delivery runs in a synchronous loop: a handler that returns a non-promise is acknowledged at once
 * and the loop goes on without any timer; a promise is awaited (the partition waits, others do
 * not). A failed attempt parks the partition for the backoff delay, then the same record comes
 * again with `attempt + 1`; later records of the partition wait behind it, which keeps per-key
 * order across retries.
 *
 * A `pipelined` member (as the Kafka bus does it, bus.ts) gets its handlers started in offset order
 * without awaiting the previous one's promise; the outcomes are taken in offset order, and `next`
 * advances past a record only once its handler and every earlier one resolved. At a failure that is
 * retried, nothing after it is acknowledged: the records after it (whose handlers already ran) are
 * delivered again after it, once every started handler settled and the backoff passed.
 */
export class PartitionWorker {
  next: number;
  member: Member | undefined;
  /** The member whose handler is running now, and a promise of that delivery's end. */
  inflightMember: Member | undefined;
  inflight: Promise<void> | undefined;
  private attempt = 1;
  private state: 'idle' | 'scheduled' | 'running' | 'retrying' = 'idle';
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Pipelined: the next offset to start (>= next), the started deliveries not yet taken, and every handler still running. */
  private dispatched = 0;
  private started: Started[] = [];
  private readonly running = new Set<Started>();
  /** Pipelined: a retry is parked (only its timer resumes delivery). */
  private parked = false;

  constructor(
    private readonly host: WorkerHost,
    readonly group: string,
    readonly topic: string,
    readonly partition: number,
    private readonly log: PartitionLog,
    start: number,
  ) {
    this.next = start;
  }

  /** Called after an append or a membership change: schedules a drain if there is work. */
  wake(): void {
    if (this.state !== 'idle' || this.stopped || !this.member || this.parked) return;
    if (Math.max(this.next, this.dispatched) >= this.log.end) return;
    this.state = 'scheduled';
    if (this.member.background) setImmediate(this.run);
    else queueMicrotask(this.run);
  }

  /** Stops for good (bus closed): cancels a pending retry; an in-flight handler still finishes. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private readonly run = (): void => {
    if (this.parked) return;
    this.state = 'running';
    if (this.member?.pipelined) return this.pump();
    let budget = this.host.deliveriesPerTurn;
    for (;;) {
      const m = this.member;
      if (!m || this.stopped) return this.idle();
      // A group without members does not hold retention back: resume at the log start, as
      // Kafka's auto.offset.reset=earliest does when the committed offset is out of range.
      if (this.next < this.log.start) this.next = this.log.start;
      const rec = this.log.get(this.next);
      if (!rec) return this.idle();
      if (m.endTime !== undefined && rec.timestamp >= m.endTime) return this.idle();
      if (budget-- <= 0) {
        this.state = 'scheduled';
        setImmediate(this.run);
        return;
      }
      const decoded = decodeRecord(m.contract, rec);
      if (!decoded.ok) {
        this.host.deadLetter(this.deadLetterInput(rec, decoded.errorKind, decoded.reason, 1));
        this.ack();
        continue;
      }
      const msg: BusMessage<unknown> = {
        topic: this.topic,
        partition: this.partition,
        offset: String(this.next),
        key: rec.key,
        value: decoded.value,
        headers: rec.headers,
        timestamp: rec.timestamp,
        attempt: this.attempt,
      };
      this.inflightMember = m;
      let result: Promise<void> | void;
      try {
        result = m.handler(msg);
      } catch (e) {
        if (this.failed(e, rec, m)) continue;
        return;
      }
      if (result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function') {
        this.inflight = Promise.resolve(result).then(
          () => {
            this.ack();
            this.run();
          },
          (e: unknown) => {
            if (this.failed(e, rec, m)) this.run();
          },
        );
        return;
      }
      this.ack();
    }
  };

  /** Pipelined delivery: starts handlers up to the log end (or the turn's budget), taking outcomes as they settle. */
  private pump(): void {
    let budget = this.host.deliveriesPerTurn;
    for (;;) {
      const m = this.member;
      if (!m || this.stopped) return this.idle();
      if (this.next < this.log.start) this.next = this.log.start;
      if (this.dispatched < this.next) this.dispatched = this.next;
      const offset = this.dispatched;
      const rec = this.log.get(offset);
      if (!rec) return this.idle();
      if (m.endTime !== undefined && rec.timestamp >= m.endTime) return this.idle();
      if (budget-- <= 0) {
        this.state = 'scheduled';
        setImmediate(this.run);
        return;
      }
      this.dispatched++;
      const s: Started = { rec, member: m, state: 'pending' };
      this.started.push(s);
      const decoded = decodeRecord(m.contract, rec);
      if (!decoded.ok) {
        s.state = 'undecodable';
        s.decodeError = { errorKind: decoded.errorKind, reason: decoded.reason };
      } else {
        const msg: BusMessage<unknown> = {
          topic: this.topic,
          partition: this.partition,
          offset: String(offset),
          key: rec.key,
          value: decoded.value,
          headers: rec.headers,
          timestamp: rec.timestamp,
          attempt: offset === this.next ? this.attempt : 1,
        };
        let result: Promise<void> | void = undefined;
        try {
          result = m.handler(msg);
        } catch (e) {
          s.state = 'failed';
          s.error = e;
        }
        if (s.state === 'pending') {
          if (result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function') {
            this.running.add(s);
            s.done = Promise.resolve(result).then(
              () => this.settled(s, 'ok'),
              (e: unknown) => this.settled(s, 'failed', e),
            );
            continue;
          }
          s.state = 'ok';
        }
      }
      if (!this.take()) return;
    }
  }

  private settled(s: Started, state: 'ok' | 'failed', error?: unknown): void {
    this.running.delete(s);
    s.state = state;
    s.error = error;
    if (this.started[0] === s) this.take();
  }

  /**
   * Pipelined: takes the settled deliveries at the head in offset order (acknowledging, or
   * dead-lettering); at a failure to retry, drops the rest (delivered again after it) and parks
   * until every started handler settled and the backoff passed. False when it parked.
   */
  private take(): boolean {
    while (this.started.length > 0) {
      const s = this.started[0]!;
      if (s.state === 'pending') return true;
      this.started.shift();
      if (s.state === 'ok') {
        this.ack();
        continue;
      }
      if (s.state === 'undecodable') {
        this.host.deadLetter(this.deadLetterInput(s.rec, s.decodeError!.errorKind, s.decodeError!.reason, 1));
        this.ack();
        continue;
      }
      if (this.stopped) {
        this.started = [];
        return false;
      }
      if (givesUp(s.error, this.attempt, s.member.maxAttempts)) {
        this.host.deadLetter(this.deadLetterInput(s.rec, 'handler', `handler: ${describeError(s.error)}`, this.attempt));
        this.ack();
        continue;
      }
      const delay = retryDelayMs(this.attempt, s.member.retryBackoffMs);
      this.attempt++;
      this.started = [];
      this.dispatched = this.next;
      this.parked = true;
      this.state = 'retrying';
      void Promise.allSettled([...this.running].map((r) => r.done)).then(() => {
        if (this.stopped) return;
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.parked = false;
          this.run();
        }, delay);
      });
      return false;
    }
    return true;
  }

  /** Resolves when the handlers of `m` running on this partition have finished. */
  async finished(m: Member): Promise<void> {
    const waits: Promise<unknown>[] = [];
    if (this.inflightMember === m && this.inflight) waits.push(this.inflight);
    for (const s of this.running) if (s.member === m && s.done) waits.push(s.done);
    await Promise.all(waits);
  }

  private idle(): void {
    this.state = 'idle';
    this.inflightMember = undefined;
    this.inflight = undefined;
  }

  private ack(): void {
    this.next++;
    this.attempt = 1;
  }

  /** Returns true when the record was dead-lettered (delivery goes on), false when a retry is parked. */
  private failed(err: unknown, rec: LogRecord, m: Member): boolean {
    if (this.stopped) {
      this.idle();
      return false;
    }
    if (givesUp(err, this.attempt, m.maxAttempts)) {
      this.host.deadLetter(this.deadLetterInput(rec, 'handler', `handler: ${describeError(err)}`, this.attempt));
      this.ack();
      return true;
    }
    const delay = retryDelayMs(this.attempt, m.retryBackoffMs);
    this.attempt++;
    this.state = 'retrying';
    this.inflightMember = undefined;
    this.inflight = undefined;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.run();
    }, delay);
    return false;
  }

  private deadLetterInput(rec: LogRecord, errorKind: DeadLetterInput['errorKind'], reason: string, attempts: number): DeadLetterInput {
    return {
      reason,
      errorKind,
      topic: this.topic,
      partition: this.partition,
      offset: String(this.next),
      group: this.group,
      key: rec.key,
      value: rec.value,
      headers: rec.headers,
      attempts,
      failedAt: this.host.now(),
    };
  }
}

/**
 * A consumer group on one physical topic: its members share the partitions (partition p goes to
 * member p mod n, in join order) and its workers keep the committed positions while nobody is
 * subscribed, so a group that comes back resumes where it stopped.
 */
export class ConsumerGroup {
  readonly members: Member[] = [];

  constructor(
    readonly id: string,
    readonly topic: string,
    readonly workers: readonly PartitionWorker[],
  ) {}

  join(m: Member): void {
    this.members.push(m);
    this.rebalance();
  }

  /** Removes a member; resolves when its in-flight deliveries are finished. */
  async leave(m: Member): Promise<void> {
    const i = this.members.indexOf(m);
    if (i >= 0) this.members.splice(i, 1);
    this.rebalance();
    await Promise.all(this.workers.map((w) => w.finished(m)));
  }

  get active(): boolean {
    return this.members.length > 0;
  }

  private rebalance(): void {
    const n = this.members.length;
    for (const w of this.workers) {
      w.member = n ? this.members[w.partition % n] : undefined;
      w.wake();
    }
  }
}
