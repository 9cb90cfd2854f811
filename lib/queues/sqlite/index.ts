/*
 * The `hookspec/sqlite` entry: a durable queue and an endpoint store in one SQLite file (better-sqlite3,
 * loaded only when used).
 */
export { SqliteQueue } from './sqlite-queue';
export type { SqliteQueueOptions, SqliteSynchronous } from './sqlite-queue-options';
export { SqliteEndpointStore } from './sqlite-endpoint-store';
export type { SqliteEndpointStoreOptions, SqliteDatabase } from './sqlite-endpoint-store-options';
