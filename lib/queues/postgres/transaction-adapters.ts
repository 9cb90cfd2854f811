/*
 * What `send(payload, { tx })` is given for the transaction of an ORM that has no pg-style
 * `query(text, values)`. Each adapter takes only the few members it calls, as a structural type (the
 * package's types never name an ORM's, so users of another ORM need none of them installed), imports
 * nothing of the ORM, and refuses, before anything is written, what it can tell is not a transaction.
 * A pg client, and TypeORM's EntityManager and QueryRunner, need no adapter: see postgres-transaction.ts.
 */
import { postgresTransaction, refuseTransaction, type PostgresTransaction } from './postgres-transaction';
import { toQuestionMarks } from './question-mark-placeholders';

/** What `prismaTx()` uses of a Prisma interactive transaction client. */
export interface PrismaTransactionClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<unknown>;
}

/**
 * The transaction client of a Prisma interactive transaction (`prisma.$transaction(async (tx) => …)`),
 * for `send(payload, { tx: prismaTx(tx) })`: the message is written with `tx.$executeRawUnsafe`, on the
 * transaction's connection. The PrismaClient itself is refused: each of its queries runs on its own.
 *
 * @example
 * await prisma.$transaction(async (tx) => {
 *   await tx.order.create({ data: order });
 *   await client.send(event, { tx: prismaTx(tx) });
 * });
 */
export function prismaTx(tx: PrismaTransactionClient): PostgresTransaction {
  const where = 'prismaTx()';
  if (typeof tx?.$executeRawUnsafe !== 'function') {
    throw refuseTransaction(where, 'tx is not a Prisma transaction client (it has no $executeRawUnsafe)');
  }
  // A transaction client has none of $connect/$disconnect/$on/$use/$extends; the PrismaClient has them all.
  if (typeof (tx as { $disconnect?: unknown }).$disconnect === 'function') {
    throw refuseTransaction(
      where,
      'tx is the PrismaClient, not the transaction client that prisma.$transaction(async (tx) => …) gives, and its queries run outside your transaction',
    );
  }
  return postgresTransaction((text, values) => Promise.resolve(tx.$executeRawUnsafe(text, ...values)));
}

/** A statement as Kysely executes it: what `CompiledQuery.raw(sql, parameters)` makes. */
export interface KyselyCompiledQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
  readonly query: {
    readonly kind: 'RawNode';
    readonly sqlFragments: readonly string[];
    readonly parameters: readonly never[];
  };
  readonly queryId: { readonly queryId: string };
}

/** What `kyselyTx()` uses of a Kysely `Transaction`. */
export interface KyselyTransaction {
  readonly isTransaction: boolean;
  executeQuery(query: KyselyCompiledQuery): PromiseLike<unknown>;
}

let queries = 0;

/**
 * A Kysely `Transaction` (`db.transaction().execute(async (trx) => …)`, or a controlled transaction),
 * for `send(payload, { tx: kyselyTx(trx) })`: the message is written with `trx.executeQuery` on the
 * transaction's connection, as a raw compiled query (Kysely's `CompiledQuery.raw`, made here, as
 * Kysely is not imported). A `Kysely` instance that is not a transaction is refused.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('orders').values(order).execute();
 *   await client.send(event, { tx: kyselyTx(trx) });
 * });
 */
export function kyselyTx(trx: KyselyTransaction): PostgresTransaction {
  const where = 'kyselyTx()';
  if (typeof trx?.executeQuery !== 'function') {
    throw refuseTransaction(where, 'trx is not a Kysely Transaction (it has no executeQuery)');
  }
  if (trx.isTransaction !== true) {
    throw refuseTransaction(
      where,
      'trx is a Kysely instance, not the Transaction of db.transaction().execute(async (trx) => …), and its queries run outside your transaction',
    );
  }
  return postgresTransaction((text, values) => {
    queries += 1;
    const compiled: KyselyCompiledQuery = Object.freeze({
      sql: text,
      parameters: Object.freeze([...values]),
      query: Object.freeze({ kind: 'RawNode', sqlFragments: Object.freeze([text]), parameters: Object.freeze([]) }),
      // Plugins key what they keep per query by this object: one per statement.
      queryId: Object.freeze({ queryId: `hookspec-${queries}` }),
    });
    return Promise.resolve(trx.executeQuery(compiled));
  });
}

/** What `knexTx()` uses of a Knex transaction. */
export interface KnexTransaction {
  readonly isTransaction?: boolean;
  raw(sql: string, bindings: readonly unknown[]): PromiseLike<unknown>;
}

/**
 * A Knex transaction (`knex.transaction(async (trx) => …)`, or `await knex.transaction()`), for
 * `send(payload, { tx: knexTx(trx) })`: the message is written with `trx.raw`, its `$n` placeholders
 * rewritten as Knex's `?` bindings (values are always bound, never put in the text). The Knex instance
 * itself is refused.
 *
 * @example
 * await knex.transaction(async (trx) => {
 *   await trx('orders').insert(order);
 *   await client.send(event, { tx: knexTx(trx) });
 * });
 */
export function knexTx(trx: KnexTransaction): PostgresTransaction {
  const where = 'knexTx()';
  if (typeof trx?.raw !== 'function') {
    throw refuseTransaction(where, 'trx is not a Knex transaction (it has no raw)');
  }
  if (trx.isTransaction !== true) {
    throw refuseTransaction(
      where,
      'trx is a Knex instance, not the trx of knex.transaction(async (trx) => …), and its queries run outside your transaction',
    );
  }
  return postgresTransaction((text, values) => {
    const { sql, bindings } = toQuestionMarks(text, values);
    return Promise.resolve(trx.raw(sql, bindings));
  });
}

/** A statement as Drizzle builds one: what its `sql` template's `toQuery()` answers. */
export interface DrizzleSql {
  toQuery(config: unknown): { readonly sql: string; readonly params: readonly unknown[] };
}

/** What `drizzleTx()` uses of a Drizzle transaction. */
export interface DrizzleTransaction {
  rollback(): unknown;
  execute(query: { getSQL(): DrizzleSql } | string): PromiseLike<unknown>;
}

/**
 * A Drizzle transaction on PostgreSQL (`db.transaction(async (tx) => …)`, through drizzle-orm/pg-core's
 * `execute()`, which its PostgreSQL drivers share; tested with node-postgres), for `send(payload, { tx: drizzleTx(tx) })`: the message is
 * written with `tx.execute` on the transaction's connection, its values bound as parameters (a query
 * object of the shape Drizzle's `sql` template makes, built here, as Drizzle is not imported). A
 * Drizzle database that is not a transaction is refused.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.insert(orders).values(order);
 *   await client.send(event, { tx: drizzleTx(tx) });
 * });
 */
export function drizzleTx(tx: DrizzleTransaction): PostgresTransaction {
  const where = 'drizzleTx()';
  if (typeof tx?.execute !== 'function') {
    throw refuseTransaction(where, 'tx is not a Drizzle transaction (it has no execute)');
  }
  // Only a transaction can be rolled back by hand: the database has no rollback().
  if (typeof tx.rollback !== 'function') {
    throw refuseTransaction(
      where,
      'tx is a Drizzle database, not the tx of db.transaction(async (tx) => …), and its queries run outside your transaction',
    );
  }
  return postgresTransaction((text, values) => {
    const statement: DrizzleSql = { toQuery: () => ({ sql: text, params: [...values] }) };
    return Promise.resolve(tx.execute({ getSQL: () => statement }));
  });
}
