import type { Pool } from 'pg';
import { EndpointStoreError } from '../../errors';
import { checkOptionsObject, type OptionScope } from '../../options';
import { resolveConnectionOptions, type ResolvedConnectionOptions } from './postgres-connection-options';

export interface PostgresEndpointStoreOptions {
  /**
   * A `pg.Pool` of the application (it may be the one a PostgresQueue uses): the store's tables live
   * beside the app's, in their own schema. The pool stays the caller's: `close()` does not end it. Give
   * `pool` or `connectionString`, not both.
   */
  pool?: Pool;
  /**
   * Where the database is (`postgres://user:password@host:5432/app`): the store makes a pool of its own
   * and ends it in `close()`. Give `pool` or `connectionString`, not both.
   */
  connectionString?: string;
  /** With `connectionString`: the most connections the store's own pool opens. Default: 10. */
  poolSize?: number;
  /**
   * The schema that holds the store's tables, created when it does not exist. It may be (and by default
   * is) a PostgresQueue's schema: the store's tables and their version are its own. Lower case letters,
   * digits and `_`. Default: `'hookspec'`.
   */
  schema?: string;
}

/** The options with every default filled in. */
export type ResolvedPostgresEndpointStoreOptions = ResolvedConnectionOptions;

const KNOWN: readonly (keyof PostgresEndpointStoreOptions)[] = ['pool', 'connectionString', 'poolSize', 'schema'];

const scope: OptionScope = {
  where: 'new PostgresEndpointStore(options)',
  fail: (code, message) => new EndpointStoreError(code, message),
};

/** Checks the options at construction, before any connection is opened. */
export function resolvePostgresEndpointStoreOptions(
  options: PostgresEndpointStoreOptions,
): ResolvedPostgresEndpointStoreOptions {
  checkOptionsObject(options, KNOWN, scope, '{ pool } or { connectionString: process.env.DATABASE_URL }');
  return resolveConnectionOptions(options, scope, 'the store');
}
