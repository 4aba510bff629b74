/**
 * Configuration of the MongoDB adapter: one validated, frozen object (STYLE.md habit 5). A bad
 * value stops start-up with a {@link StorageConfigError} naming the setting (`MONGO_URL` for the
 * connection string); credentials in the connection string never appear in a message.
 */

/** The environment variable services read the connection string from. */
export const MONGO_URL_SETTING = 'MONGO_URL';

export interface MongoStoreConfig {
  /** Connection string (`mongodb://` or `mongodb+srv://`), from MONGO_URL. May hold credentials. */
  url: string;
  /** The database: one per service; a replay run names its own. [A-Za-z0-9_-], at most 63 characters. */
  dbName: string;
  /** How long start-up (and each operation) waits to find a server, ms. Default 4,000. */
  serverSelectionTimeoutMS?: number;
  /**
   * Documents per write command in `upsertMany`. Default {@link DEFAULT_UPSERT_BATCH}. On FerretDB
   * replaceOne batches are capped at 32 (see FERRETDB_MAX_UPDATES_PER_COMMAND).
   */
  upsertBatchSize?: number;
  /**
   * Write batches of one `upsertMany` in flight at once. Default 1: FerretDB's SQLite backend
   * serialises writers and slows down sharply with more (see bench/src/storage.ts).
   */
  upsertConcurrency?: number;
  /**
   * How `upsertMany` writes (both report the same counts, see MongoRepository):
   * - `replace`: unordered `bulkWrite` of `replaceOne` upserts, counts from the BulkWriteResult;
   * - `insert-first`: `insertMany` (unordered), then only for the `_id`s that already existed,
   *   fetch them, count the identical ones as unchanged and `replaceOne` the others;
   * - `auto` (default): `insert-first` on FerretDB, `replace` on MongoDB. FerretDB v1 runs every
   *   update of a bulkWrite as its own query and SQLite transaction (~1.5 ms per document here, 0.16x
   *   the rate of insertMany, which writes a batch in one transaction) and its `_id` look-up is a
   *   table scan; see bench/src/storage.ts.
   */
  upsertMode?: UpsertMode;
  /** Shown in the server's logs and `currentOp`, e.g. the service name. */
  appName?: string;
}

export type UpsertMode = 'auto' | 'replace' | 'insert-first';

export type ValidMongoStoreConfig = Readonly<Required<Omit<MongoStoreConfig, 'appName'>> & Pick<MongoStoreConfig, 'appName'>>;

/** Measured with bench/src/storage.ts on FerretDB v1 (SQLite): see the bench notes. */
export const DEFAULT_UPSERT_BATCH = 1_000;
export const DEFAULT_UPSERT_CONCURRENCY = 1;
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 4_000;

/** A configuration value that prevents start-up. `setting` names it (e.g. MONGO_URL). */
export class StorageConfigError extends Error {
  override readonly name = 'StorageConfigError';
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting} ${detail}`);
  }
}

/** Validates and freezes the adapter's configuration. Throws StorageConfigError. */
export function validateMongoStoreConfig(config: MongoStoreConfig): ValidMongoStoreConfig {
  const { url, dbName, appName } = config ?? ({} as MongoStoreConfig);
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StorageConfigError(MONGO_URL_SETTING, 'is not set: give the MongoDB connection string, e.g. mongodb://127.0.0.1:27017/');
  }
  const trimmed = url.trim();
  if (!/^mongodb(\+srv)?:\/\/./i.test(trimmed)) {
    throw new StorageConfigError(MONGO_URL_SETTING, `must be a mongodb:// or mongodb+srv:// connection string, got "${maskMongoUrl(trimmed)}"`);
  }
  if (typeof dbName !== 'string' || !/^[A-Za-z0-9_-]{1,63}$/.test(dbName)) {
    throw new StorageConfigError('dbName', `must be 1-63 characters of [A-Za-z0-9_-], got ${JSON.stringify(dbName)}`);
  }
  const int = (key: keyof MongoStoreConfig, fallback: number, min: number, max: number): number => {
    const v = config[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new StorageConfigError(key, `must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
    return v;
  };
  if (appName !== undefined && (typeof appName !== 'string' || appName.length === 0 || appName.length > 128)) {
    throw new StorageConfigError('appName', 'must be a string of 1-128 characters');
  }
  const upsertMode = config.upsertMode ?? 'auto';
  if (upsertMode !== 'auto' && upsertMode !== 'replace' && upsertMode !== 'insert-first') {
    throw new StorageConfigError('upsertMode', `must be "auto", "replace" or "insert-first", got ${JSON.stringify(upsertMode)}`);
  }
  return Object.freeze({
    url: trimmed,
    dbName,
    serverSelectionTimeoutMS: int('serverSelectionTimeoutMS', DEFAULT_SERVER_SELECTION_TIMEOUT_MS, 100, 120_000),
    upsertBatchSize: int('upsertBatchSize', DEFAULT_UPSERT_BATCH, 1, 100_000),
    upsertConcurrency: int('upsertConcurrency', DEFAULT_UPSERT_CONCURRENCY, 1, 64),
    upsertMode,
    appName,
  });
}

/**
 * Reads the connection string from an environment (`MONGO_URL`) and validates the whole config.
 * Throws StorageConfigError naming MONGO_URL when it is missing or malformed.
 */
export function mongoStoreConfigFromEnv(env: Readonly<Record<string, string | undefined>>, rest: Omit<MongoStoreConfig, 'url'>): ValidMongoStoreConfig {
  return validateMongoStoreConfig({ ...rest, url: env[MONGO_URL_SETTING] ?? '' });
}

/**
 * The connection string with its credentials masked: `mongodb://user:****@host/`. A user-info
 * part without a ':' may itself be a secret (a token) and is masked whole.
 */
export function maskMongoUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  const start = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const at = url.lastIndexOf('@');
  if (at < start) return url;
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(':');
  const masked = colon >= 0 ? `${userinfo.slice(0, colon)}:****` : '****';
  return `${url.slice(0, start)}${masked}@${url.slice(at + 1)}`;
}

/** Removes the credentials of `url` from a message (e.g. a driver error that quotes the URL). */
export function redactCredentials(message: string, url: string): string {
  const schemeEnd = url.indexOf('://');
  const start = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const at = url.lastIndexOf('@');
  let out = message.split(url).join(maskMongoUrl(url));
  if (at < start) return out;
  const userinfo = url.slice(start, at);
  const colon = userinfo.indexOf(':');
  const secrets = new Set<string>([userinfo]);
  if (colon >= 0) {
    const password = userinfo.slice(colon + 1);
    secrets.add(password);
    try {
      secrets.add(decodeURIComponent(password));
    } catch {
      // not percent-encoded: the raw form is enough
    }
  }
  // Longest first, so a password inside the user-info is masked as part of it.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 3) out = out.split(secret).join('****');
  }
  return out;
}
