import { MongoClient, type Collection, type Db } from 'mongodb';
import type { CollectionDef, Doc, Repository, Snapshot, SnapshotStore, Store } from '../storage';
import { checkCollectionName } from '../internal/rules';
import { checkId, storableSnapshot } from '../internal/snapshot';
import { maskMongoUrl, MONGO_URL_SETTING, redactCredentials, StorageConfigError, validateMongoStoreConfig, type MongoStoreConfig, type ValidMongoStoreConfig } from './mongo-config';
import { MongoRepository, toBsonDouble, type BsonDoc, type ServerKind } from './mongo-repository';

/** How long `health()` waits for a ping, ms. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * Store on one MongoDB database through the official driver; FerretDB v1 in local tests, MongoDB
 * in compose and Kubernetes. Open it with {@link MongoStore.connect}, which fails fast.
 */
export class MongoStore implements Store {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    readonly config: ValidMongoStoreConfig,
    /** The server's kind, from `buildInfo` at connect (FerretDB reports `ferretdbVersion`). */
    readonly server: ServerKind,
  ) {}

  /** The write path `upsertMany` uses: `config.upsertMode` with `auto` resolved for this server. */
  get upsertMode(): 'replace' | 'insert-first' {
    const mode = this.config.upsertMode;
    if (mode !== 'auto') return mode;
    return this.server === 'ferretdb' ? 'insert-first' : 'replace';
  }

  /**
   * Validates the config, connects and pings the server. Throws StorageConfigError naming
   * MONGO_URL (credentials masked) when the connection string is malformed, or when no server
   * answers within `serverSelectionTimeoutMS` (default 4 s), or authentication fails.
   */
  static async connect(config: MongoStoreConfig): Promise<MongoStore> {
    const cfg = validateMongoStoreConfig(config);
    const where = maskMongoUrl(cfg.url);
    let client: MongoClient;
    try {
      client = new MongoClient(cfg.url, {
        serverSelectionTimeoutMS: cfg.serverSelectionTimeoutMS,
        connectTimeoutMS: cfg.serverSelectionTimeoutMS,
        // Undefined fields are dropped, as the memory store does (never stored as null).
        ignoreUndefined: true,
        appName: cfg.appName,
      });
    } catch (e) {
      throw new StorageConfigError(MONGO_URL_SETTING, `is not a valid MongoDB connection string ("${where}"): ${redactCredentials(messageOf(e), cfg.url)}`);
    }
    let server: ServerKind;
    try {
      await client.connect();
      await client.db(cfg.dbName).command({ ping: 1 });
      const info = await client.db('admin').command({ buildInfo: 1 });
      server = info.ferretdbVersion === undefined ? 'mongodb' : 'ferretdb';
    } catch (e) {
      await client.close().catch(() => undefined);
      throw new StorageConfigError(
        MONGO_URL_SETTING,
        `does not lead to a usable MongoDB server: cannot connect to "${where}" (database ${cfg.dbName}) within ${cfg.serverSelectionTimeoutMS} ms (serverSelectionTimeoutMS): ${redactCredentials(messageOf(e), cfg.url)}`,
      );
    }
    return new MongoStore(client, client.db(cfg.dbName), cfg, server);
  }

  get dbName(): string {
    return this.db.databaseName;
  }

  repository<T extends Doc>(def: CollectionDef<T>): Repository<T> {
    checkCollectionName(def.name);
    return new MongoRepository<T>(this.db.collection<BsonDoc>(def.name), def, {
      upsertBatchSize: this.config.upsertBatchSize,
      upsertConcurrency: this.config.upsertConcurrency,
      upsertMode: this.upsertMode,
      server: this.server,
    });
  }

  snapshots(prefix: string): SnapshotStore {
    const name = `${prefix}snapshots`;
    checkCollectionName(name);
    return new MongoSnapshotStore(this.db.collection<BsonDoc>(name));
  }

  async health(): Promise<{ ok: boolean; detail?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer to ping within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
      });
      await Promise.race([this.db.command({ ping: 1 }), timeout]);
      return { ok: true };
    } catch (e) {
      return { ok: false, detail: `MongoDB at "${maskMongoUrl(this.config.url)}": ${redactCredentials(messageOf(e), this.config.url)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Drops the whole database: for tests and for discarding a finished replay run's namespace. */
  async dropDatabase(): Promise<void> {
    await this.db.dropDatabase();
  }
}

/** Snapshots as documents of the `<prefix>snapshots` collection, `_id` = snapshot id. */
class MongoSnapshotStore implements SnapshotStore {
  constructor(private readonly coll: Collection<BsonDoc>) {}

  async save<S>(snapshot: Snapshot<S>): Promise<void> {
    const s = storableSnapshot(snapshot, this.coll.collectionName, toBsonDouble) as BsonDoc;
    await this.coll.replaceOne({ _id: s._id }, s, { upsert: true });
  }

  async load<S>(id: string): Promise<Snapshot<S> | null> {
    checkId(id, this.coll.collectionName);
    return (await this.coll.findOne({ _id: id })) as Snapshot<S> | null;
  }

  async delete(id: string): Promise<void> {
    checkId(id, this.coll.collectionName);
    await this.coll.deleteOne({ _id: id });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
