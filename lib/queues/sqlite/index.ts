/*
 * The `hookspec/sqlite` entry: a durable queue and an endpoint store in one SQLite file (better-sqlite3,
 * loaded only when used), or in the app's own database, with the transactional outbox.
 */
export { SqliteQueue } from './sqlite-queue';
export { sqliteTransaction } from './sqlite-outbox-transaction';
export type {
  SqliteQueueDatabase,
  SqliteQueueDatabaseOptions,
  SqliteQueueFileOptions,
  SqliteQueueOptions,
  SqliteSynchronous,
} from './sqlite-queue-options';
export { SqliteEndpointStore } from './sqlite-endpoint-store';
export type { SqliteEndpointStoreOptions } from './sqlite-endpoint-store-options';
export type { SqliteDatabase } from './check-sqlite-database';
