import { DeliveryQueueError } from '../../errors';
import { checkOptionsObject, countOf, describe, durationMs, oneOf, type OptionScope } from '../../options';
import { checkSqliteDatabase, type SqliteDatabase } from './check-sqlite-database';

/** How hard SQLite pushes each commit to the disk (`PRAGMA synchronous`, in WAL mode). */
export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';

/**
 * The app's open better-sqlite3 `Database`, described by the members the queue checks (the declarations
 * of `hookspec/sqlite` name no better-sqlite3 type, so that an app compiles without its type package).
 */
export type SqliteQueueDatabase = SqliteDatabase;

/** What both kinds of SqliteQueue take. */
interface SqliteQueueCommonOptions {
  /**
   * How many finished messages (no delivery pending) stay readable through `getMessage()`, `redeliver()`
   * and the history; the ones that finished longest ago are deleted first (`prune()` deletes on demand).
   * Default: 10000.
   */
  retainFinished?: number;
  /**
   * How often, in milliseconds, an open queue checks whether another process (a producer with
   * `worker: false`, another worker) has written to the file, so that its worker looks at once. The
   * check reads one counter and costs next to nothing. Default: 1000.
   */
  pollIntervalMs?: number;
}

/** A queue in a file of its own, which it opens, configures and closes. */
export interface SqliteQueueFileOptions extends SqliteQueueCommonOptions {
  /** The database file; created, with its schema, when it does not exist. Several processes may share it. */
  path: string;
  /**
   * `FULL` syncs the write-ahead log on every commit, so an accepted message survives a power loss as well
   * as a crash. `NORMAL` survives a crash or `kill -9` of the process, but a power loss may lose the last
   * commits. `OFF` leaves syncing to the operating system. Default: `'FULL'`.
   */
  synchronous?: SqliteSynchronous;
  database?: never;
}

/**
 * A queue in the app's own database, which gives it the transactional outbox: `send(payload, { tx: db })`
 * writes the message in the app's open transaction.
 */
export interface SqliteQueueDatabaseOptions extends SqliteQueueCommonOptions {
  /**
   * The app's open better-sqlite3 connection. The queue creates its tables in it and uses it as the app
   * configured it (journal mode, `synchronous`, busy timeout: WAL is advised when other processes share
   * the file); `close()` leaves it open. Its own work waits while a transaction of the app is open on the
   * connection, so that a rollback never takes it along (see docs/queues.md).
   */
  database: SqliteQueueDatabase;
  path?: never;
  synchronous?: never;
}

/** A file the queue opens (`path`), or the app's own connection (`database`): exactly one of the two. */
export type SqliteQueueOptions = SqliteQueueFileOptions | SqliteQueueDatabaseOptions;

/** The options with every default filled in; `path` is the file either way, for messages. */
export type ResolvedSqliteQueueOptions = {
  readonly path: string;
  readonly retainFinished: number;
  readonly pollIntervalMs: number;
} & (
  | { readonly database?: undefined; readonly synchronous: SqliteSynchronous }
  /** The app's connection, whose `synchronous` the queue leaves as it is. */
  | { readonly database: SqliteQueueDatabase; readonly synchronous?: undefined }
);

const SYNCHRONOUS: readonly SqliteSynchronous[] = ['FULL', 'NORMAL', 'OFF'];
const KNOWN: readonly string[] = ['path', 'synchronous', 'retainFinished', 'pollIntervalMs', 'database'];

const scope: OptionScope = {
  where: 'new SqliteQueue(options)',
  fail: (code, message) => new DeliveryQueueError(code, message),
};

/** Checks the options at construction, so that a queue that cannot work fails before any message is accepted. */
export function resolveSqliteQueueOptions(options: SqliteQueueOptions): ResolvedSqliteQueueOptions {
  checkOptionsObject(options, KNOWN, scope, "{ path: './webhooks.db' }");
  const { path, database } = options;
  if (path !== undefined && database !== undefined) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: give either path (a file the queue opens) or database (your open better-sqlite3 ` +
        'connection, for the transactional outbox), not both.',
    );
  }
  const common = {
    retainFinished: countOf(options.retainFinished, 10_000, 'retainFinished', scope),
    pollIntervalMs: durationMs(options.pollIntervalMs, 1_000, 'pollIntervalMs', scope),
  };
  if (database !== undefined) {
    const connection = checkSqliteDatabase(database, scope, 'queue');
    if (options.synchronous !== undefined) {
      throw scope.fail(
        'invalid-option',
        `${scope.where}: synchronous is your connection's own setting when you give database; set it there, ` +
          "e.g. db.pragma('synchronous = FULL'), and leave it out of the options.",
      );
    }
    return { path: connection.name, database: connection, ...common };
  }
  if (typeof path !== 'string' || path.trim() === '') {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: path must be the database file's path, e.g. './webhooks.db'; got ${describe(path)}. ` +
        'Or give database: your open better-sqlite3 connection, for the transactional outbox.',
    );
  }
  if (path === ':memory:' || path.startsWith('file::memory:')) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: path ':memory:' would keep the queue in this process's memory, which is not durable and ` +
        'cannot be shared with another process; give a file path, or use MemoryQueue.',
    );
  }
  return {
    path,
    synchronous: oneOf(options.synchronous, 'FULL', SYNCHRONOUS, 'synchronous (upper case)', scope),
    ...common,
  };
}
