/*
 * The `hookspec/sqlite` entry: a durable queue in one SQLite file (better-sqlite3, loaded only when used).
 */
export { SqliteQueue } from './sqlite-queue';
export type { SqliteQueueOptions, SqliteSynchronous } from './sqlite-queue-options';
