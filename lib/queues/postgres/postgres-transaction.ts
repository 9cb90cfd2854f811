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

const HOW =
  'Pass the transaction your business write runs in: a pg PoolClient or Client after BEGIN, the ' +
  'EntityManager of TypeORM DataSource.transaction() or a QueryRunner after startTransaction(), or an ' +
  'adapter of hookspec/postgres (prismaTx, kyselyTx, knexTx, drizzleTx). Nothing was written.';

/**
 * The refusal of something that is not an open transaction, named by `where` (`send(…, { tx })`, or an
 * adapter), before anything is written.
 */
export function refuseTransaction(where: string, what: string): DeliveryQueueError {
  return new DeliveryQueueError('invalid-transaction', `PostgresQueue ${where}: ${what}. ${HOW}`);
}

/** The members of the objects told apart below; any of them may be absent. */
interface Candidate {
  readonly query?: unknown;
  readonly totalCount?: unknown;
  readonly createQueryRunner?: unknown;
  readonly getRepository?: unknown;
  readonly queryRunner?: { readonly isTransactionActive?: unknown; readonly isReleased?: unknown };
  readonly startTransaction?: unknown;
  readonly isTransactionActive?: unknown;
  readonly isReleased?: unknown;
  readonly $executeRawUnsafe?: unknown;
  readonly executeQuery?: unknown;
  readonly isTransaction?: unknown;
  readonly raw?: unknown;
  readonly execute?: unknown;
  readonly select?: unknown;
}

/**
 * Why `tx` is not a transaction a statement can run in, when that shows without asking the database: a
 * pool or a TypeORM DataSource or root EntityManager (each query on whichever connection is free, outside
 * the caller's transaction), a TypeORM QueryRunner or EntityManager whose transaction is not active, or
 * the transaction of an ORM whose adapter was forgotten.
 */
function notATransaction(tx: Candidate): string | undefined {
  if (typeof tx.totalCount === 'number') return 'tx is a pg Pool, whose queries run outside your transaction';
  if (typeof tx.createQueryRunner === 'function') {
    return 'tx is a TypeORM DataSource, whose queries run outside your transaction';
  }
  if (typeof tx.getRepository === 'function' && typeof tx.query === 'function') {
    if (tx.queryRunner === undefined) {
      return 'tx is the root EntityManager of a TypeORM DataSource (dataSource.manager), whose queries run outside your transaction';
    }
    if (tx.queryRunner.isTransactionActive !== true || tx.queryRunner.isReleased === true) {
      return 'tx is a TypeORM EntityManager whose query runner has no active transaction';
    }
  }
  if (typeof tx.startTransaction === 'function' && typeof tx.isTransactionActive === 'boolean') {
    if (!tx.isTransactionActive || tx.isReleased === true) {
      return 'tx is a TypeORM QueryRunner with no active transaction (call startTransaction() first)';
    }
  }
  if (typeof tx.$executeRawUnsafe === 'function') {
    return "tx is Prisma's (a PrismaClient or a transaction client): pass prismaTx(tx) of hookspec/postgres, with the tx of prisma.$transaction(async (tx) => …)";
  }
  if (typeof tx.executeQuery === 'function' && typeof tx.isTransaction === 'boolean') {
    return "tx is Kysely's (an instance or a Transaction): pass kyselyTx(trx) of hookspec/postgres, with the trx of db.transaction().execute(async (trx) => …)";
  }
  // A Knex instance or transaction is a function with query-builder members.
  if (typeof (tx as unknown) === 'function' && typeof tx.raw === 'function') {
    return "tx is Knex's (an instance or a transaction): pass knexTx(trx) of hookspec/postgres, with the trx of knex.transaction(async (trx) => …)";
  }
  if (typeof tx.execute === 'function' && typeof tx.select === 'function') {
    return "tx is Drizzle's (a database or a transaction): pass drizzleTx(tx) of hookspec/postgres, with the tx of db.transaction(async (tx) => …)";
  }
  return undefined;
}

/**
 * How to run a statement in `tx`: an adapter's, or the `query(text, values)` of a pg client or of a
 * TypeORM EntityManager or QueryRunner in a transaction. What is not a transaction is refused, where
 * that can be told cheaply (see `notATransaction`).
 */
export function transactionStatement(tx: unknown): TransactionStatement {
  const where = 'send(…, { tx })';
  // A Knex transaction is a function: it is let through to be named.
  if ((typeof tx !== 'object' && typeof tx !== 'function') || tx === null) {
    throw refuseTransaction(where, `tx must be an object, got ${tx === null ? 'null' : typeof tx}`);
  }
  const adapted = (tx as Partial<PostgresTransaction>)[STATEMENT];
  if (typeof adapted === 'function') return adapted;
  const candidate = tx as Candidate;
  const refused = notATransaction(candidate);
  if (refused !== undefined) throw refuseTransaction(where, refused);
  if (typeof candidate.query !== 'function') {
    throw refuseTransaction(where, 'tx has no query(text, values) function and is not an adapter of hookspec/postgres');
  }
  const query = candidate.query as (text: string, values: unknown[]) => Promise<unknown>;
  return (text, values) => query.call(tx, text, [...values]);
}
