import { describe, type OptionScope } from '../../options';

/**
 * An open better-sqlite3 `Database`, described by the members the queue and the store check: the declarations of
 * `hookspec/sqlite` name no better-sqlite3 type, so that an app compiles without its type package.
 */
export interface SqliteDatabase {
  readonly name: string;
  readonly open: boolean;
  readonly readonly: boolean;
  /** better-sqlite3's own flag: whether a transaction is open on the connection. */
  readonly inTransaction: boolean;
  prepare(source: string): unknown;
  transaction(fn: (...args: never[]) => unknown): unknown;
  exec(source: string): unknown;
}

/**
 * Checks a `database` option given to a SqliteQueue or a SqliteEndpointStore (`what` names which, for the
 * message): an open, writable better-sqlite3 connection outside any transaction. Both create their tables
 * at once, and created inside the app's transaction they would vanish with its rollback.
 */
export function checkSqliteDatabase(database: unknown, scope: OptionScope, what: 'queue' | 'store'): SqliteDatabase {
  const connection = database as Partial<SqliteDatabase> | null;
  if (
    typeof connection?.prepare !== 'function' ||
    typeof connection.transaction !== 'function' ||
    typeof connection.inTransaction !== 'boolean'
  ) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: database must be an open better-sqlite3 Database, got ${describe(database)}.`,
    );
  }
  if (connection.open !== true || connection.readonly === true) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: database is ${connection.open !== true ? 'closed' : 'read-only'}; give an open, writable connection.`,
    );
  }
  if (connection.inTransaction) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: database is inside a transaction; create the ${what} outside your transactions (at ` +
        'startup), since it creates its tables at once and a rollback would take them away.',
    );
  }
  return connection as SqliteDatabase;
}
