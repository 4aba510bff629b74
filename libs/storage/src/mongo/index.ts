export { MongoStore } from './mongo-store';
export { MongoRepository } from './mongo-repository';
export {
  DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
  DEFAULT_UPSERT_BATCH,
  DEFAULT_UPSERT_CONCURRENCY,
  maskMongoUrl,
  MONGO_URL_SETTING,
  mongoStoreConfigFromEnv,
  StorageConfigError,
  validateMongoStoreConfig,
  type MongoStoreConfig,
  type ValidMongoStoreConfig,
} from './mongo-config';
