import * as net from 'node:net';
import { maskMongoUrl, mongoStoreConfigFromEnv, StorageConfigError, validateMongoStoreConfig } from './mongo-config';
import { MongoStore } from './mongo-store';

/** A local port with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failure(p: Promise<unknown>): Promise<StorageConfigError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(StorageConfigError);
    return e as StorageConfigError;
  }
  throw new Error('expected a StorageConfigError');
}

describe('MongoStore configuration', () => {
  it('masks credentials in connection strings', () => {
    expect(maskMongoUrl('mongodb://admin:hunter2@db:27017/x?authSource=admin')).toBe('mongodb://admin:****@db:27017/x?authSource=admin');
    expect(maskMongoUrl('mongodb+srv://u:p%40ss@cluster0.example.net/')).toBe('mongodb+srv://u:****@cluster0.example.net/');
    expect(maskMongoUrl('mongodb://s3cr3t-token@db/')).toBe('mongodb://****@db/');
    expect(maskMongoUrl('mongodb://127.0.0.1:27018/')).toBe('mongodb://127.0.0.1:27018/');
  });

  it('validates and freezes, with defaults', () => {
    const cfg = validateMongoStoreConfig({ url: ' mongodb://127.0.0.1:27018/ ', dbName: 'features' });
    expect(cfg).toEqual({ url: 'mongodb://127.0.0.1:27018/', dbName: 'features', serverSelectionTimeoutMS: 4000, upsertBatchSize: 1000, upsertConcurrency: 1, upsertMode: 'auto', appName: undefined });
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(() => validateMongoStoreConfig({ url: 'mongodb://h/', dbName: 'bad name' })).toThrow(/^dbName must be/);
    expect(() => validateMongoStoreConfig({ url: 'mongodb://h/', dbName: 'x', upsertBatchSize: 0 })).toThrow(/^upsertBatchSize must be/);
    expect(() => validateMongoStoreConfig({ url: 'mongodb://h/', dbName: 'x', upsertMode: 'fast' as never })).toThrow(/^upsertMode must be/);
  });

  it('names MONGO_URL when it is missing', () => {
    expect(() => mongoStoreConfigFromEnv({}, { dbName: 'pnl' })).toThrow(/^MONGO_URL is not set/);
    expect(mongoStoreConfigFromEnv({ MONGO_URL: 'mongodb://127.0.0.1:27018/' }, { dbName: 'pnl' }).url).toBe('mongodb://127.0.0.1:27018/');
  });

  it('fails at once on a malformed URI, naming MONGO_URL and not leaking the password', async () => {
    for (const url of ['http://admin:hunter2@db:27017/', 'admin:hunter2@db', 'mongodb://admin:hunter2@db:notaport/', 'mongodb://admin:hunter2@/']) {
      const started = Date.now();
      const e = await failure(MongoStore.connect({ url, dbName: 'x' }));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(e.setting).toBe('MONGO_URL');
      expect(e.message).toMatch(/^MONGO_URL /);
      expect(e.message).not.toContain('hunter2');
      expect(String(e.stack)).not.toContain('hunter2');
    }
  });

  it('fails fast when no server answers, naming MONGO_URL and not leaking the password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const e = await failure(MongoStore.connect({ url: `mongodb://admin:hunter2@127.0.0.1:${port}/?authSource=admin`, dbName: 'x', serverSelectionTimeoutMS: 1000 }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5000);
    expect(e.setting).toBe('MONGO_URL');
    expect(e.message).toMatch(/^MONGO_URL does not lead to a usable MongoDB server/);
    expect(e.message).toContain(`mongodb://admin:****@127.0.0.1:${port}/`);
    expect(e.message).toMatch(/ECONNREFUSED/);
    expect(e.message).not.toContain('hunter2');
  });

  it('uses a 4 s server selection timeout by default', async () => {
    const port = await closedPort();
    const started = Date.now();
    await failure(MongoStore.connect({ url: `mongodb://127.0.0.1:${port}/`, dbName: 'x' }));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(3500);
    expect(elapsed).toBeLessThan(8000);
  });
});
