// Where the test consumer process records what it consumed: MongoDB (FerretDB) through the official
// driver when MONGO_URL is set, else JSON-lines files. Test-only code.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient, type Collection, type Db } from 'mongodb';

/** One delivery as the consumer saw it. */
export interface Delivery {
  key: string;
  partition: number;
  offset: string;
  eventId: string;
  timestamp: number;
  attempt: number;
  traceparent?: string;
  pid: number;
  /** apply mode: false when the idempotent apply found the message already applied (a redelivery). */
  applied?: boolean;
}

/** Per key: the offsets applied (each at most once) and the count of applied side effects. */
export interface LedgerEntry {
  key: string;
  offsets: string[];
  applied: number;
}

export interface ItSink {
  recordDelivery(d: Delivery): Promise<void>;
  /**
   * Applies a message's side effect idempotently: true when it was new, false when this
   * (key, offset) had been applied before. One atomic write: a crash cannot apply half of it.
   */
  apply(key: string, offset: string): Promise<boolean>;
  deliveries(): Promise<Delivery[]>;
  ledger(): Promise<LedgerEntry[]>;
  close(): Promise<void>;
}

export async function openSink(opts: { mongoUrl?: string; name: string; dir?: string }): Promise<ItSink> {
  if (opts.mongoUrl) return MongoSink.open(opts.mongoUrl, opts.name);
  return new FileSink(path.join(opts.dir ?? os.tmpdir(), opts.name));
}

interface LedgerDoc {
  _id: string;
  offsets: string[];
  applied: number;
}

class MongoSink implements ItSink {
  private constructor(private readonly client: MongoClient, private readonly db: Db) {}

  static async open(url: string, name: string): Promise<MongoSink> {
    const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 10_000 });
    return new MongoSink(client, client.db(name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60)));
  }

  private get deliveryCol(): Collection<Delivery> {
    return this.db.collection<Delivery>('deliveries');
  }

  private get ledgerCol(): Collection<LedgerDoc> {
    return this.db.collection<LedgerDoc>('ledger');
  }

  async recordDelivery(d: Delivery): Promise<void> {
    await this.deliveryCol.insertOne({ ...d });
  }

  async apply(key: string, offset: string): Promise<boolean> {
    try {
      // Matches only when this offset is not applied yet; otherwise the upsert collides on _id.
      await this.ledgerCol.updateOne({ _id: key, offsets: { $ne: offset } }, { $push: { offsets: offset }, $inc: { applied: 1 } }, { upsert: true });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }

  async deliveries(): Promise<Delivery[]> {
    return (await this.deliveryCol.find({}, { projection: { _id: 0 } }).toArray()) as Delivery[];
  }

  async ledger(): Promise<LedgerEntry[]> {
    return (await this.ledgerCol.find().toArray()).map((d) => ({ key: d._id, offsets: d.offsets, applied: d.applied }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Files: `deliveries.jsonl` and `ledger.jsonl` (one line per applied offset; one writer at a time). */
class FileSink implements ItSink {
  private readonly seen = new Set<string>();

  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    for (const l of this.readLines('ledger.jsonl')) this.seen.add(`${l.key}\u0000${l.offset}`);
  }

  async recordDelivery(d: Delivery): Promise<void> {
    fs.appendFileSync(path.join(this.dir, 'deliveries.jsonl'), `${JSON.stringify(d)}\n`);
  }

  async apply(key: string, offset: string): Promise<boolean> {
    const id = `${key}\u0000${offset}`;
    if (this.seen.has(id)) return false;
    fs.appendFileSync(path.join(this.dir, 'ledger.jsonl'), `${JSON.stringify({ key, offset })}\n`);
    this.seen.add(id);
    return true;
  }

  async deliveries(): Promise<Delivery[]> {
    return this.readLines('deliveries.jsonl') as unknown as Delivery[];
  }

  async ledger(): Promise<LedgerEntry[]> {
    const byKey = new Map<string, LedgerEntry>();
    for (const l of this.readLines('ledger.jsonl')) {
      const e = byKey.get(String(l.key)) ?? { key: String(l.key), offsets: [], applied: 0 };
      e.offsets.push(String(l.offset));
      e.applied++;
      byKey.set(e.key, e);
    }
    return [...byKey.values()];
  }

  async close(): Promise<void> {
    // appendFileSync leaves nothing open
  }

  /** Complete lines only: a line torn by a SIGKILL is not an applied record. */
  private readLines(file: string): Record<string, unknown>[] {
    const p = path.join(this.dir, file);
    if (!fs.existsSync(p)) return [];
    const out: Record<string, unknown>[] = [];
    for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // torn last line
      }
    }
    return out;
  }
}
