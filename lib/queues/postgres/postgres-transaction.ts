import { DeliveryQueueError } from '../../errors';

/** Runs one statement (`$1…` placeholders) in the caller's transaction. */
export type TransactionStatement = (text: string, values: readonly unknown[]) => Promise<unknown>;

/** What the adapters of this entry make of an ORM's transaction: how to run a statement in it. */
const STATEMENT = Symbol.for('hookspec.postgres.transaction');

/** A caller's transaction made usable by `send(payload, { tx })` (see the adapters). */
export interface PostgresTransaction {
  readonly [STATEMENT]: TransactionStatement;
}

/** Wraps a way of running a statement in the caller's transaction; what every adapter returns. */
export function postgresTransaction(run: TransactionStatement): PostgresTransaction {
  return { [STATEMENT]: run };
}

function refuse(what: string): DeliveryQueueError {
  return new DeliveryQueueError(
    'invalid-transaction',
    `PostgresQueue send(…, { tx }): ${what}. Pass the client your transaction runs on — a pg PoolClient or ` +
      'Client after BEGIN, a TypeORM EntityManager given by DataSource.transaction() — or an adapter of ' +
      'hookspec/postgres (prismaTx, kyselyTx, knexTx, drizzleTx). Nothing was written.',
  );
}

/**
 * How to run a statement in `tx`: an adapter's, or the `query(text, values)` of a pg client. A pool is
 * refused: each of its queries runs on whichever connection is free, outside the caller's transaction.
 */
export function transactionStatement(tx: unknown): TransactionStatement {
  if (typeof tx !== 'object' || tx === null)
    throw refuse(`tx must be an object, got ${tx === null ? 'null' : typeof tx}`);
  const adapted = (tx as Partial<PostgresTransaction>)[STATEMENT];
  if (typeof adapted === 'function') return adapted;
  const candidate = tx as { query?: unknown; totalCount?: unknown };
  if (typeof candidate.totalCount === 'number') {
    throw refuse('tx is a pg Pool, whose queries run outside your transaction');
  }
  if (typeof candidate.query !== 'function') {
    throw refuse('tx has no query(text, values) function and is not an adapter of hookspec/postgres');
  }
  const query = candidate.query as (text: string, values: unknown[]) => Promise<unknown>;
  return (text, values) => query.call(tx, text, [...values]);
}
