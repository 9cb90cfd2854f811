import type { Pool } from 'pg';
import { EndpointStoreError } from '../../errors';
import { checkOptionsObject, describe, positiveInteger, type OptionScope } from '../../options';
import { SCHEMA_NAME } from './postgres-queue-options';

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
export interface ResolvedPostgresEndpointStoreOptions {
  readonly pool?: Pool;
  readonly connectionString?: string;
  readonly poolSize: number;
  readonly schema: string;
}

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
  const { connectionString } = options;
  const pool = options.pool as unknown;
  if ((pool === undefined) === (connectionString === undefined)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where} needs exactly one of pool (a pg.Pool of your app) and connectionString ` +
        `(the store then makes its own pool); got ${pool === undefined ? 'neither' : 'both'}.`,
    );
  }
  if (pool !== undefined && typeof (pool as Partial<Pool> | null)?.connect !== 'function') {
    throw scope.fail('invalid-option', `${scope.where}: pool must be a pg.Pool; got ${describe(pool)}.`);
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString.trim() === '')) {
    // Never echo the value: a connection string holds a password.
    throw scope.fail(
      'invalid-option',
      `${scope.where}: connectionString must be a non-empty string such as 'postgres://user@host:5432/app'.`,
    );
  }
  if (pool !== undefined && options.poolSize !== undefined) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: poolSize sizes the store's own pool, made from connectionString; with your pool, set max on it.`,
    );
  }
  const schema = options.schema ?? 'hookspec';
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: schema must be lower case letters, digits and _, starting with a letter or _ ` +
        `(at most 63), e.g. 'hookspec'; got ${describe(schema)}.`,
    );
  }
  return {
    ...(pool === undefined ? {} : { pool: pool as Pool }),
    ...(connectionString === undefined ? {} : { connectionString }),
    poolSize: positiveInteger(options.poolSize, 10, 'poolSize', scope),
    schema,
  };
}
