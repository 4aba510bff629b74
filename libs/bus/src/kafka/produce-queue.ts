import type { Message, Producer, TopicMessages } from 'kafkajs';

/** Where the bus's producing goes: one ProduceQueue, or a ProducerPool of worker threads. */
export interface Produce {
  /** Resolves when every message is acknowledged (acks=all); per-key order is kept. */
  send(topic: string, messages: Message[]): Promise<void>;
  /** Resolves once everything queued so far has been sent (or failed). */
  drain(): Promise<void>;
}

/** Per-record overhead assumed when sizing a request (record headers, varints, batch share). */
const RECORD_OVERHEAD = 70;

interface Pending {
  topic: string;
  messages: Message[];
  /** Next message of `messages` not yet handed to a send. */
  cursor: number;
  /** Messages of this entry acknowledged so far. */
  acked: number;
  resolve(): void;
  reject(e: unknown): void;
  failed: boolean;
}

/**
 * Coalesces publishes into produce requests. kafkajs's idempotent producer serialises requests to a
 * broker anyway (one in flight, for its sequence numbers), so instead of queueing N one-record
 * requests behind each other, whatever was published while a request was in flight goes out
 * together in the next one — batching under load, no added latency when idle (Kafka's
 * `linger.ms=0` behaviour). Requests are capped at `maxRequestBytes` (the broker's default
 * record-batch limit is 1 MB), splitting large publishBatch calls; order is FIFO, so per-key order
 * holds. A publish resolves when all of its records are acknowledged (acks=all); on a failure it
 * rejects, and a prefix of a large batch may already be written (Kafka has no atomic multi-request
 * batch without transactions).
 */
export class ProduceQueue implements Produce {
  private readonly queue: Pending[] = [];
  private pumping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly producer: Producer, private readonly maxRequestBytes = 900_000) {}

  send(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, cursor: 0, acked: 0, resolve, reject, failed: false });
      if (!this.pumping) {
        this.pumping = true;
        // Let publishes of the same tick join the first request.
        queueMicrotask(() => void this.pump());
      }
    });
  }

  /** Resolves once everything queued so far has been sent (or failed). */
  drain(): Promise<void> {
    if (!this.pumping && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const { request, parts } = this.nextRequest();
        try {
          await this.producer.sendBatch({ topicMessages: request, acks: -1 });
          for (const [p, n] of parts) {
            p.acked += n;
            if (p.acked === p.messages.length) p.resolve();
          }
        } catch (e) {
          for (const [p] of parts) {
            if (!p.failed) p.reject(e);
            p.failed = true;
          }
        }
        while (this.queue.length > 0 && (this.queue[0].failed || this.queue[0].acked === this.queue[0].messages.length)) this.queue.shift();
      }
    } finally {
      this.pumping = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Takes records from the head of the queue up to the byte cap (at least one record). */
  private nextRequest(): { request: TopicMessages[]; parts: Map<Pending, number> } {
    const byTopic = new Map<string, Message[]>();
    const parts = new Map<Pending, number>();
    let bytes = 0;
    for (const p of this.queue) {
      if (p.failed) continue;
      while (p.cursor < p.messages.length) {
        const m = p.messages[p.cursor];
        const size = recordSize(m);
        if (bytes > 0 && bytes + size > this.maxRequestBytes) return { request: toRequest(byTopic), parts };
        bytes += size;
        p.cursor++;
        parts.set(p, (parts.get(p) ?? 0) + 1);
        let list = byTopic.get(p.topic);
        if (!list) byTopic.set(p.topic, (list = []));
        list.push(m);
      }
    }
    return { request: toRequest(byTopic), parts };
  }
}

function toRequest(byTopic: Map<string, Message[]>): TopicMessages[] {
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

function recordSize(m: Message): number {
  let n = RECORD_OVERHEAD + byteLength(m.key) + byteLength(m.value);
  if (m.headers) for (const k in m.headers) n += k.length + byteLength(m.headers[k] as string | Buffer | undefined);
  return n;
}

function byteLength(v: string | Buffer | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
