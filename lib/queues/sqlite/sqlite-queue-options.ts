import { DeliveryQueueError } from '../../errors';

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
   * How many finished messages (every delivery delivered, exhausted or disabled) stay readable through
   * `getMessage()` and `redeliver()`; the ones that finished longest ago are deleted first. Default: 10000.
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
/** The longest timer Node can set. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

const invalid = (message: string): DeliveryQueueError =>
  new DeliveryQueueError('invalid-options', `new SqliteQueue(options): ${message}`);

/** Checks the options at construction, so that a queue that cannot work fails before any message is accepted. */
export function resolveSqliteQueueOptions(options: SqliteQueueOptions): ResolvedSqliteQueueOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalid("needs an options object with a file path, e.g. { path: './webhooks.db' }.");
  }
  const { path, synchronous = 'FULL', retainFinished = 10_000, pollIntervalMs = 1_000 } = options;
  if (typeof path !== 'string' || path.trim() === '') {
    throw invalid("path must be the database file's path, e.g. './webhooks.db'; got " + describe(path) + '.');
  }
  if (path === ':memory:' || path.startsWith('file::memory:')) {
    throw invalid(
      "path ':memory:' would keep the queue in this process's memory, which is not durable and cannot be shared " +
        'with another process; give a file path, or use MemoryQueue.',
    );
  }
  if (!SYNCHRONOUS.includes(synchronous)) {
    throw invalid(`synchronous must be one of 'FULL', 'NORMAL' or 'OFF' (upper case); got ${describe(synchronous)}.`);
  }
  if (!(Number.isInteger(retainFinished) && retainFinished >= 0)) {
    throw invalid(
      `retainFinished must be a whole number of messages, 0 or more (e.g. 10000); got ${describe(retainFinished)}.`,
    );
  }
  if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs > 0 && pollIntervalMs <= MAX_INTERVAL_MS)) {
    throw invalid(
      `pollIntervalMs must be a positive number of milliseconds up to ${MAX_INTERVAL_MS} (e.g. 1000); ` +
        `got ${describe(pollIntervalMs)}.`,
    );
  }
  return { path, synchronous, retainFinished, pollIntervalMs };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
