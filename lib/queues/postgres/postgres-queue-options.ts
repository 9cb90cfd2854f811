import type { Pool } from 'pg';
import { DeliveryQueueError } from '../../errors';
import { checkOptionsObject, countOf, durationMs, type OptionScope } from '../../options';
import { resolveConnectionOptions } from './postgres-connection-options';

export interface PostgresQueueOptions {
  /**
   * A `pg.Pool` of the application, on its own database: the queue's tables live beside the app's, in
   * their own schema. The pool stays the caller's: `close()` does not end it. Give `pool` or
   * `connectionString`, not both.
   */
  pool?: Pool;
  /**
   * Where the database is (`postgres://user:password@host:5432/app`): the queue makes a pool of its own
   * and ends it in `close()`. Give `pool` or `connectionString`, not both.
   */
  connectionString?: string;
  /** With `connectionString`: the most connections the queue's own pool opens. Default: 10. */
  poolSize?: number;
  /**
   * The schema that holds the queue's tables, created (with its tables) when it does not exist. Lower
   * case letters, digits and `_`. Default: `'hookspec'`.
   */
  schema?: string;
  /**
   * How many finished messages (every delivery delivered, exhausted, disabled or cancelled) stay readable
   * through `getMessage()`, `redeliver()` and the history; the ones that finished longest ago are deleted
   * first. Default: 10000.
   */
  retainFinished?: number;
  /**
   * The longest a watching worker waits before it looks at the tables on its own. New work is announced
   * with NOTIFY, which the server does not keep for a listener that is reconnecting; this is the safety
   * net, and also how a worker learns that another process finished the last delivery. Default: 5000.
   */
  pollIntervalMs?: number;
}

/** The options with every default filled in. */
export interface ResolvedPostgresQueueOptions {
  readonly pool?: Pool;
  readonly connectionString?: string;
  readonly poolSize: number;
  readonly schema: string;
  readonly retainFinished: number;
  readonly pollIntervalMs: number;
}

const KNOWN: readonly (keyof PostgresQueueOptions)[] = [
  'pool',
  'connectionString',
  'poolSize',
  'schema',
  'retainFinished',
  'pollIntervalMs',
];

const scope: OptionScope = {
  where: 'new PostgresQueue(options)',
  fail: (code, message) => new DeliveryQueueError(code, message),
};

/** Checks the options at construction, so that a queue that cannot work fails before any message is accepted. */
export function resolvePostgresQueueOptions(options: PostgresQueueOptions): ResolvedPostgresQueueOptions {
  checkOptionsObject(options, KNOWN, scope, '{ pool } or { connectionString: process.env.DATABASE_URL }');
  const connection = resolveConnectionOptions(options, scope, 'the queue');
  return {
    ...connection,
    retainFinished: countOf(options.retainFinished, 10_000, 'retainFinished', scope),
    pollIntervalMs: durationMs(options.pollIntervalMs, 5_000, 'pollIntervalMs', scope),
  };
}
