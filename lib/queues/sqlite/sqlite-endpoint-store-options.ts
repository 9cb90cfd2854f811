import { EndpointStoreError } from '../../errors';
import { checkOptionsObject, describe, type OptionScope } from '../../options';
import { checkSqliteDatabase, type SqliteDatabase } from './check-sqlite-database';

/**
 * Where a SqliteEndpointStore keeps its tables: a file it opens itself (`path`), or a connection the app
 * opened (`database`). Either may be the file of a SqliteQueue: the store's tables and schema version are
 * its own.
 */
export type SqliteEndpointStoreOptions =
  | {
      /**
       * The database file; created, with the store's tables, when it does not exist. The store opens it in
       * WAL mode with `synchronous = FULL` and closes it in `close()`. May be a SqliteQueue's file.
       */
      path: string;
      database?: never;
    }
  | {
      /**
       * An open better-sqlite3 connection, outside any transaction: the store creates its tables in it and
       * uses it as it is configured (journal mode, sync level, busy timeout are the app's). Its writes wait
       * for a transaction of the app open on it to end, and fail with `transaction-open` past the busy
       * timeout; its reads do not wait. `close()` leaves it open.
       */
      database: SqliteDatabase;
      path?: never;
    };

/** The options once checked: the connection to open, or the one given. */
export type ResolvedSqliteEndpointStoreOptions =
  | { readonly path: string; readonly database?: undefined }
  | { readonly database: SqliteDatabase; readonly path?: undefined };

const scope: OptionScope = {
  where: 'new SqliteEndpointStore(options)',
  fail: (code, message) => new EndpointStoreError(code, message),
};

/** Checks the options at construction, before the file is opened. */
export function resolveSqliteEndpointStoreOptions(
  options: SqliteEndpointStoreOptions,
): ResolvedSqliteEndpointStoreOptions {
  checkOptionsObject(options, ['path', 'database'], scope, "{ path: './webhooks.db' }");
  const { path, database } = options;
  if ((path === undefined) === (database === undefined)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: give either path (a file the store opens) or database (an open better-sqlite3 connection), ` +
        `not ${path === undefined ? 'neither' : 'both'}.`,
    );
  }
  if (database !== undefined) {
    return { database: checkSqliteDatabase(database, scope, 'store') };
  }
  if (typeof path !== 'string' || path.trim() === '') {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: path must be the database file's path, e.g. './webhooks.db'; got ${describe(path)}.`,
    );
  }
  if (path === ':memory:' || path.startsWith('file::memory:')) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: path ':memory:' would keep the endpoints in this process's memory only; give a file path, ` +
        'or use MemoryEndpointStore.',
    );
  }
  return { path };
}
