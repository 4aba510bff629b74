import { Worker } from 'node:worker_threads';
import type { Message } from 'kafkajs';
import type { BusLogger, BusLogLevel } from '../logging';
import type { Produce } from './produce-queue';
import { fixRequestQueueSpin } from './request-queue-fix';

/** What a pool worker needs to build its kafkajs producer (plain data: it crosses a thread). */
export interface ProducerPoolOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Worker threads, each with its own idempotent kafkajs producer (>= 1; KafkaBus uses 1 for producerWorker). */
  readonly threads: number;
  /** Largest produce request a worker builds, bytes (the broker's default record-batch limit is 1 MB). */
  readonly maxRequestBytes?: number;
}

interface Pending {
  /** Workers that have not acknowledged their part yet. */
  remaining: number;
  resolve(): void;
  reject(e: unknown): void;
  done: boolean;
}

type FromWorker =
  | { type: 'ready' }
  | { type: 'start-failed'; error: string }
  | { type: 'ack'; id: number }
  | { type: 'fail'; id: number; error: string }
  | { type: 'log'; level: string; namespace: string; message: string; fields: Record<string, unknown> }
  | { type: 'closed' };

/**
 * The worker's code: one idempotent kafkajs producer (the bus's settings: acks=all, one request in
 * flight, no topic auto-creation, kafkajs's murmur2 DefaultPartitioner memoised per key, unlimited
 * retries, TCP_NODELAY) behind the same coalescing queue as ProduceQueue: whatever arrived while a
 * request was in flight goes out together in the next one, capped at `maxRequestBytes`, FIFO.
 * Plain CommonJS evaluated in the worker, so it runs the same under ts-node/swc, jest and compiled JS.
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const { Kafka, Partitioners, logLevel } = require(workerData.kafkajs);
// kafkajs's idle RequestQueue spin, fixed as in the main thread (request-queue-fix.ts)
(${String(fixRequestQueueSpin)})(require(require('node:path').join(require('node:path').dirname(workerData.kafkajs), 'src/network/requestQueue')).prototype);
const post = (m) => parentPort.postMessage(m);
const LEVELS = { [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug' };
const kafka = new Kafka({
  clientId: workerData.clientId,
  brokers: workerData.brokers,
  connectionTimeout: workerData.connectionTimeoutMs,
  requestTimeout: workerData.requestTimeoutMs,
  retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, log }) => {
    const { message, timestamp, logger, stack, ...fields } = log;
    const text = String(message);
    if (namespace === 'Connection' && text.startsWith('Response ')) return;
    post({ type: 'log', level: LEVELS[level] || 'warn', namespace: 'kafkajs' + (namespace ? '.' + namespace : ''), message: text, fields: JSON.parse(JSON.stringify(fields)) });
  },
  socketFactory: ({ host, port, onConnect }) => {
    const s = net.connect({ host, port }, onConnect);
    s.setKeepAlive(true, 60000);
    s.setNoDelay(true);
    return s;
  },
});
const memoised = () => {
  const k = Partitioners.DefaultPartitioner();
  const cache = new Map();
  return (args) => {
    const key = args.message.key;
    if (args.message.partition !== undefined && args.message.partition !== null) return args.message.partition;
    if (typeof key !== 'string') return k(args);
    const id = args.topic + '\u0000' + args.partitionMetadata.length + '\u0000' + key;
    let p = cache.get(id);
    if (p === undefined) {
      p = k(args);
      if (cache.size >= 50000) cache.clear();
      cache.set(id, p);
    }
    return p;
  };
};
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: memoised, retry: { retries: Number.MAX_SAFE_INTEGER } });
const cap = workerData.maxRequestBytes;
const queue = [];
let pumping = false;
let closing = false;
const buf = (v) => (v === null || v === undefined || typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength));
const len = (v) => (v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
function size(m) {
  let n = 70 + len(m.key) + len(m.value);
  if (m.headers) for (const h in m.headers) n += h.length + len(m.headers[h]);
  return n;
}
// The messages of a packed send (see packMessages): values are views of one transferred buffer.
function unpack(p) {
  const values = Buffer.from(p.values);
  const out = new Array(p.keys.length);
  let o = 0;
  let h = 0;
  for (let i = 0; i < out.length; i++) {
    const len = p.lengths[i];
    let value = null;
    if (len >= 0) {
      value = values.subarray(o, o + len);
      o += len;
    }
    let headers;
    const n = p.headerCounts[i];
    if (n >= 0) {
      headers = {};
      for (let j = 0; j < n; j++, h += 2) headers[p.headers[h]] = p.headers[h + 1];
    }
    out[i] = headers === undefined ? { key: p.keys[i], value } : { key: p.keys[i], value, headers };
  }
  return out;
}
async function pump() {
  try {
    while (queue.length > 0) {
      const byTopic = new Map();
      const parts = new Map();
      let bytes = 0;
      fill: for (const p of queue) {
        if (p.failed) continue;
        while (p.cursor < p.messages.length) {
          const m = p.messages[p.cursor];
          const s = size(m);
          if (bytes > 0 && bytes + s > cap) break fill;
          bytes += s;
          p.cursor++;
          parts.set(p, (parts.get(p) || 0) + 1);
          let list = byTopic.get(p.topic);
          if (!list) byTopic.set(p.topic, (list = []));
          list.push(m);
        }
      }
      try {
        await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), acks: -1 });
        for (const [p, n] of parts) {
          p.acked += n;
          if (p.acked === p.messages.length) post({ type: 'ack', id: p.id });
        }
      } catch (e) {
        for (const [p] of parts) {
          if (!p.failed) post({ type: 'fail', id: p.id, error: (e && e.message) || String(e) });
          p.failed = true;
        }
      }
      while (queue.length > 0 && (queue[0].failed || queue[0].acked === queue[0].messages.length)) queue.shift();
    }
  } finally {
    pumping = false;
    if (closing && queue.length === 0) finish();
  }
}
async function finish() {
  await producer.disconnect().catch(() => undefined);
  post({ type: 'closed' });
  process.exit(0);
}
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    closing = true;
    if (!pumping && queue.length === 0) finish();
    return;
  }
  let messages = m.messages;
  if (m.packed) messages = unpack(m.packed);
  else {
    for (const x of messages) {
      x.value = buf(x.value);
      if (x.headers) for (const h in x.headers) x.headers[h] = buf(x.headers[h]);
    }
  }
  queue.push({ id: m.id, topic: m.topic, messages, cursor: 0, acked: 0, failed: false });
  if (!pumping) {
    pumping = true;
    queueMicrotask(pump);
  }
});
producer.connect().then(() => post({ type: 'ready' }), (e) => post({ type: 'start-failed', error: (e && e.message) || String(e) }));
`;

/**
 * Produce through several kafkajs producers, each in its own worker thread. One kafkajs producer is
 * CPU-bound in its record encoding (~40-45k small records/s on one core here); the pool spreads
 * that work over cores. Messages are encoded by the caller (the bus validates and serialises on its
 * own thread) and routed to a worker by key (see `route`), so every record of a key goes through one producer:
 * per-key order holds, as Kafka's per-partition order does with one producer (messages without a
 * key go to the first worker). A `send` resolves when every worker acknowledged its part (acks=all)
 * and rejects with the first failure; as with ProduceQueue, a prefix may already be written.
 */
export class ProducerPool implements Produce {
  private readonly pending = new Map<number, Pending>();
  private readonly routes = new Map<string, number>();
  private readonly keysPerWorker: number[];
  private nextId = 1;
  private broken: Error | undefined;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    private readonly workers: readonly Worker[],
    private readonly log: BusLogger,
  ) {
    this.keysPerWorker = workers.map(() => 0);
  }

  /** Starts the workers and connects their producers; rejects (and stops them) if one cannot. */
  static async start(opts: ProducerPoolOptions, log: BusLogger): Promise<ProducerPool> {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`ProducerPool needs >= 1 thread, got ${opts.threads}`);
    const workerData = {
      kafkajs: require.resolve('kafkajs'),
      brokers: [...opts.brokers],
      clientId: opts.clientId,
      connectionTimeoutMs: opts.connectionTimeoutMs,
      requestTimeoutMs: opts.requestTimeoutMs,
      maxRequestBytes: opts.maxRequestBytes ?? 900_000,
    };
    const workers = Array.from({ length: opts.threads }, (_, i) => new Worker(WORKER_SOURCE, { eval: true, workerData: { ...workerData, clientId: `${opts.clientId}-p${i}` }, stdout: false, stderr: false }));
    const pool = new ProducerPool(workers, log);
    const ready = workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          w.on('message', (m: FromWorker) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'start-failed') reject(new Error(`producer thread ${i}: ${m.error}`));
            else pool.onMessage(m);
          });
          w.once('error', (e) => {
            reject(e);
            pool.fail(new Error(`producer thread ${i} failed: ${(e as Error).message}`));
          });
          w.once('exit', (code) => {
            reject(new Error(`producer thread ${i} exited with ${code} before it was ready`));
            pool.fail(new Error(`producer thread ${i} exited (code ${code})`));
          });
        }),
    );
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.allSettled(workers.map((w) => w.terminate()));
      throw e;
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  send(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    if (this.broken) return Promise.reject(this.broken);
    const n = this.workers.length;
    const groups: Message[][] = Array.from({ length: n }, () => []);
    for (const m of messages) groups[this.route(m.key, n)]!.push(m);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { remaining: 0, resolve, reject, done: false };
      for (let w = 0; w < n; w++) {
        if (groups[w]!.length === 0) continue;
        p.remaining++;
        const packed = packMessages(groups[w]!);
        if (packed) this.workers[w]!.postMessage({ type: 'send', id, topic, packed }, [packed.values]);
        else this.workers[w]!.postMessage({ type: 'send', id, topic, messages: groups[w] });
      }
      this.pending.set(id, p);
    });
  }

  /** Resolves once everything sent so far was acknowledged (or failed). */
  drain(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** Lets the workers finish their queues, disconnects their producers and ends the threads. */
  async close(timeoutMs = 10_000): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => void w.terminate().then(() => resolve()), timeoutMs);
            timer.unref();
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.postMessage({ type: 'close' });
          }),
      ),
    );
    this.fail(new Error('producer pool closed'));
  }

  /**
   * The worker of a key, fixed for the pool's life (per-key order): a new key goes to the worker
   * with the fewest keys (a handful of `exchange:symbol` keys spreads evenly); past 50,000 keys new
   * ones are hashed (FNV-1a), still one worker per key.
   */
  private route(key: Message['key'], n: number): number {
    if (typeof key !== 'string') return 0;
    let w = this.routes.get(key);
    if (w === undefined) {
      if (this.routes.size < 50_000) {
        w = 0;
        for (let i = 1; i < n; i++) if (this.keysPerWorker[i]! < this.keysPerWorker[w]!) w = i;
        this.keysPerWorker[w]!++;
        this.routes.set(key, w);
      } else {
        let h = 0x811c9dc5;
        for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
        w = (h >>> 0) % n;
      }
    }
    return w;
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'log') {
      this.log({ ...m.fields, level: m.level as BusLogLevel, namespace: m.namespace, message: m.message });
      return;
    }
    if (m.type !== 'ack' && m.type !== 'fail') return;
    const p = this.pending.get(m.id);
    if (!p || p.done) return;
    if (m.type === 'fail') {
      p.done = true;
      this.pending.delete(m.id);
      p.reject(new Error(m.error));
    } else if (--p.remaining === 0) {
      p.done = true;
      this.pending.delete(m.id);
      p.resolve();
    }
    this.maybeIdle();
  }

  /** A worker died (or the pool closed): every pending send rejects, later ones too. */
  private fail(e: Error): void {
    this.broken ??= e;
    for (const p of this.pending.values()) {
      if (!p.done) {
        p.done = true;
        p.reject(e);
      }
    }
    this.pending.clear();
    this.maybeIdle();
  }

  private maybeIdle(): void {
    if (this.pending.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }
}

/**
 * A send's messages as one transferred buffer of values plus flat arrays (see the worker's
 * `unpack`): the structured clone of thousands of small message objects, each with its own buffer
 * view and headers object, cost more than the produce encoding saved by the pool's second thread.
 * Undefined when a message has something this layout does not carry (Buffer keys or headers,
 * repeated headers, an explicit partition or timestamp): those go as they are.
 */
export interface PackedMessages {
  /** The values, back to back. */
  values: ArrayBuffer;
  /** Byte length of each value, -1 for a null value. */
  lengths: Int32Array;
  keys: (string | null)[];
  /** Header count of each message, -1 for no headers object. */
  headerCounts: Int32Array;
  /** Header names and values, flat: name, value, name, value... */
  headers: string[];
}

export function packMessages(messages: readonly Message[]): PackedMessages | undefined {
  const n = messages.length;
  const lengths = new Int32Array(n);
  const headerCounts = new Int32Array(n);
  const keys: (string | null)[] = new Array<string | null>(n);
  const headers: string[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    if (m.partition !== undefined || m.timestamp !== undefined) return undefined;
    const key = m.key ?? null;
    if (key !== null && typeof key !== 'string') return undefined;
    keys[i] = key;
    const v = m.value;
    if (v === null) lengths[i] = -1;
    else if (Buffer.isBuffer(v)) total += lengths[i] = v.length;
    else return undefined;
    if (m.headers === undefined) headerCounts[i] = -1;
    else {
      let c = 0;
      for (const k in m.headers) {
        const hv = m.headers[k];
        if (typeof hv !== 'string') return undefined;
        headers.push(k, hv);
        c++;
      }
      headerCounts[i] = c;
    }
  }
  const values = Buffer.allocUnsafeSlow(total);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const v = messages[i]!.value as Buffer | null;
    if (v !== null) o += v.copy(values, o);
  }
  return { values: values.buffer as ArrayBuffer, lengths, keys, headerCounts, headers };
}
