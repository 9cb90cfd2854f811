// hookspec/sqlite's declarations name no better-sqlite3 type: it compiles where only the queue's runtime
// package is missing.
import { SqliteEndpointStore, SqliteQueue } from 'hookspec/sqlite';
import type { SqliteDatabase, SqliteSynchronous } from 'hookspec/sqlite';

const synchronous: SqliteSynchronous = 'FULL';

export const queue = (): SqliteQueue => new SqliteQueue({ path: './webhooks.db', synchronous });

export const endpoints = (database?: SqliteDatabase): SqliteEndpointStore =>
  new SqliteEndpointStore(database ? { database } : { path: './webhooks.db' });
