import type { Pool } from 'pg';
import { describe, positiveInteger, type OptionScope } from '../../options';

/** A schema name used unquoted-safe: PostgreSQL folds unquoted names to lower case, and quoting stays simple. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Where the queue or the endpoint store connects, and the schema its tables live in, once checked. */
export interface ResolvedConnectionOptions {
  readonly pool?: Pool;
  readonly connectionString?: string;
  readonly poolSize: number;
  readonly schema: string;
}

/**
 * Checks what `PostgresQueue` and `PostgresEndpointStore` share: exactly one of `pool` and
 * `connectionString` (never echoed: it holds a password), `poolSize` only for a pool of their own, and a
 * plain schema name. `owner` names what makes its own pool in the messages ("the queue", "the store").
 */
export function resolveConnectionOptions(
  options: { pool?: unknown; connectionString?: unknown; poolSize?: unknown; schema?: unknown },
  scope: OptionScope,
  owner: string,
): ResolvedConnectionOptions {
  const { pool, connectionString } = options;
  if ((pool === undefined) === (connectionString === undefined)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where} needs exactly one of pool (a pg.Pool of your app) and connectionString ` +
        `(${owner} then makes its own pool); got ${pool === undefined ? 'neither' : 'both'}.`,
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
      `${scope.where}: poolSize sizes ${owner}'s own pool, made from connectionString; with your pool, set max on it.`,
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
    ...(connectionString === undefined ? {} : { connectionString: connectionString as string }),
    poolSize: positiveInteger(options.poolSize, 10, 'poolSize', scope),
    schema,
  };
}
