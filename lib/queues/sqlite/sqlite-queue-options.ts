import { DeliveryQueueError } from '../../errors';
import { checkOptionsObject, countOf, describe, durationMs, oneOf, type OptionScope } from '../../options';

/** How hard SQLite pushes each commit to the disk (`PRAGMA synchronous`, in WAL mode). */
export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';

export interface SqliteQueueOptions {
  /** The database file; created, with its schema, when it does not exist. Several processes may share it. */
  path: string;
  /**
   * `FULL` syncs the write-ahead log on every commit, so an accepted message survives a power loss as well
   * as a crash. `NORMAL` survives a crash or `kill -9` of the process, but a power loss may lose the last
   * commits. `OFF` leaves syncing to the operating system. Default: `'FULL'`.
   */
  synchronous?: SqliteSynchronous;
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

/** The options with every default filled in. */
export interface ResolvedSqliteQueueOptions {
  readonly path: string;
  readonly synchronous: SqliteSynchronous;
  readonly retainFinished: number;
  readonly pollIntervalMs: number;
}

const SYNCHRONOUS: readonly SqliteSynchronous[] = ['FULL', 'NORMAL', 'OFF'];
const KNOWN: readonly (keyof SqliteQueueOptions)[] = ['path', 'synchronous', 'retainFinished', 'pollIntervalMs'];

const scope: OptionScope = {
  where: 'new SqliteQueue(options)',
  fail: (code, message) => new DeliveryQueueError(code, message),
};

/** Checks the options at construction, so that a queue that cannot work fails before any message is accepted. */
export function resolveSqliteQueueOptions(options: SqliteQueueOptions): ResolvedSqliteQueueOptions {
  checkOptionsObject(options, KNOWN, scope, "{ path: './webhooks.db' }");
  const { path } = options;
  if (typeof path !== 'string' || path.trim() === '') {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: path must be the database file's path, e.g. './webhooks.db'; got ${describe(path)}.`,
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
    retainFinished: countOf(options.retainFinished, 10_000, 'retainFinished', scope),
    pollIntervalMs: durationMs(options.pollIntervalMs, 1_000, 'pollIntervalMs', scope),
  };
}
