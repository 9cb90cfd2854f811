// hookspec/sqlite's declarations name no better-sqlite3 type: it compiles where only the queue's runtime
// package is missing.
import { SqliteQueue } from 'hookspec/sqlite';
import type { SqliteSynchronous } from 'hookspec/sqlite';

const synchronous: SqliteSynchronous = 'FULL';

export const queue = (): SqliteQueue => new SqliteQueue({ path: './webhooks.db', synchronous });
