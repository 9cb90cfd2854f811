import { PrismaPg } from '@prisma/adapter-pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import createKnex from 'knex';
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import { DataSource, EntitySchema, type QueryRunner } from 'typeorm';
import type { OutboxTransaction } from '../../lib';
import { drizzleTx, knexTx, kyselyTx, prismaTx } from '../../lib/queues/postgres';
import { generatePrismaClient } from '../support/prisma-client';

/** The business row written with the webhook. */
export interface Order {
  id: string;
  total: number;
}

/** Thrown inside a transaction's callback to roll it back, as an application's failure would. */
class Rollback extends Error {
  constructor(readonly result: unknown) {
    super('rolled back by the spec');
  }
}

/**
 * One way an application holds its transaction: `transaction()` runs one with the ORM's own API, writes
 * the order with the ORM, then calls `send` with what `send(payload, { tx })` is given for it; it
 * commits, or rolls back by throwing inside (the ORM's own rollback). `refused`: what is not a
 * transaction, each to be refused by send({ tx }) before anything is written.
 */
export interface OrmUnderTest {
  transaction<T>(order: Order, send: (tx: OutboxTransaction) => Promise<T>, end: 'commit' | 'rollback'): Promise<T>;
  /** `says`: what the refusal's message must name. */
  readonly refused: readonly { readonly what: string; readonly tx: () => OutboxTransaction; readonly says: RegExp }[];
  close(): Promise<void>;
}

/**
 * Runs a transaction whose callback ends with `finish(result)`: for a rollback, that throws, and the ORM
 * rolls back; either way `settle` answers the result.
 */
async function settle<T>(end: 'commit' | 'rollback', run: (finish: (result: T) => T) => Promise<T>): Promise<T> {
  try {
    return await run((result) => {
      if (end === 'rollback') throw new Rollback(result);
      return result;
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
}

export function pgClient(connectionString: string): OrmUnderTest {
  const pool = new Pool({ connectionString, max: 2 });
  pool.on('error', () => {});
  return {
    async transaction(order, send, end) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO orders (id, total) VALUES ($1, $2)', [order.id, order.total]);
        const result = await send(client);
        await client.query(end === 'commit' ? 'COMMIT' : 'ROLLBACK');
        return result;
      } finally {
        client.release();
      }
    },
    refused: [{ what: 'the pg Pool', tx: () => pool, says: /pg Pool.*outside/ }],
    close: () => pool.end(),
  };
}

const OrderEntity = new EntitySchema<Order>({
  name: 'Order',
  tableName: 'orders',
  columns: { id: { type: 'text', primary: true }, total: { type: 'integer' } },
});

/**
 * TypeORM, as a Nest app holds it: the EntityManager that DataSource.transaction() gives, or a
 * QueryRunner after startTransaction().
 */
export async function typeorm(url: string, hold: 'manager' | 'queryRunner'): Promise<OrmUnderTest> {
  const dataSource = await new DataSource({ type: 'postgres', url, entities: [OrderEntity], poolSize: 3 }).initialize();
  const idle: QueryRunner[] = [];
  const notStarted = () => {
    const runner = dataSource.createQueryRunner();
    idle.push(runner);
    return runner;
  };
  const close = async () => {
    await Promise.all(idle.splice(0).map((runner) => runner.release()));
    await dataSource.destroy();
  };
  if (hold === 'manager') {
    return {
      transaction: (order, send, end) =>
        settle(end, (finish) =>
          dataSource.transaction(async (manager) => {
            await manager.save(OrderEntity, order);
            return finish(await send(manager));
          }),
        ),
      refused: [
        { what: 'the root EntityManager', tx: () => dataSource.manager, says: /root EntityManager.*outside/ },
        { what: 'the EntityManager of an idle QueryRunner', tx: () => notStarted().manager, says: /no active/ },
      ],
      close,
    };
  }
  return {
    async transaction(order, send, end) {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await runner.manager.save(OrderEntity, order);
        const result = await send(runner);
        if (end === 'commit') await runner.commitTransaction();
        else await runner.rollbackTransaction();
        return result;
      } finally {
        await runner.release();
      }
    },
    refused: [
      { what: 'the DataSource', tx: () => dataSource, says: /DataSource.*outside/ },
      { what: 'a QueryRunner before startTransaction()', tx: () => notStarted(), says: /startTransaction/ },
    ],
    close,
  };
}

/** The models of the generated Prisma client, as the specs use them. */
interface PrismaTransactionClientOf {
  order: { create(args: { data: Order }): Promise<unknown> };
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}
interface GeneratedPrisma extends PrismaTransactionClientOf {
  $transaction<T>(work: (tx: PrismaTransactionClientOf) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
}

/** Prisma 7: a client generated now (see generatePrismaClient), on @prisma/adapter-pg. */
export async function prisma(connectionString: string): Promise<OrmUnderTest> {
  const generated = generatePrismaClient('model Order {\n  id    String @id\n  total Int\n  @@map("orders")\n}');
  const { PrismaClient } = (await import(generated.entry)) as {
    PrismaClient: new (options: { adapter: PrismaPg }) => GeneratedPrisma;
  };
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString, max: 3 }) });
  return {
    transaction: (order, send, end) =>
      settle(end, (finish) =>
        client.$transaction(async (tx) => {
          await tx.order.create({ data: order });
          return finish(await send(prismaTx(tx)));
        }),
      ),
    refused: [
      { what: 'prismaTx(the PrismaClient)', tx: () => prismaTx(client), says: /PrismaClient.*outside/ },
      { what: 'the PrismaClient without prismaTx()', tx: () => client, says: /pass prismaTx/ },
    ],
    async close() {
      await client.$disconnect();
      generated.remove();
    },
  };
}

interface KyselyTables {
  orders: Order;
}

export function kysely(connectionString: string): OrmUnderTest {
  const pool = new Pool({ connectionString, max: 3 });
  pool.on('error', () => {});
  const db = new Kysely<KyselyTables>({ dialect: new PostgresDialect({ pool }) });
  return {
    transaction: (order, send, end) =>
      settle(end, (finish) =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('orders').values(order).execute();
          return finish(await send(kyselyTx(trx)));
        }),
      ),
    refused: [
      { what: 'kyselyTx(the Kysely instance)', tx: () => kyselyTx(db), says: /Kysely instance.*outside/ },
      { what: 'the Kysely instance without kyselyTx()', tx: () => db, says: /pass kyselyTx/ },
    ],
    close: () => db.destroy(),
  };
}

export function knex(connectionString: string): OrmUnderTest {
  const db = createKnex({ client: 'pg', connection: connectionString, pool: { min: 0, max: 3 } });
  return {
    transaction: (order, send, end) =>
      settle(end, (finish) =>
        db.transaction(async (trx) => {
          await trx('orders').insert(order);
          return finish(await send(knexTx(trx)));
        }),
      ),
    refused: [
      { what: 'knexTx(the Knex instance)', tx: () => knexTx(db), says: /Knex instance.*outside/ },
      { what: 'the Knex instance without knexTx()', tx: () => db, says: /pass knexTx/ },
    ],
    close: () => db.destroy(),
  };
}

const orders = pgTable('orders', { id: text('id').primaryKey(), total: integer('total').notNull() });

export function drizzleOrm(connectionString: string): OrmUnderTest {
  const pool = new Pool({ connectionString, max: 3 });
  pool.on('error', () => {});
  const db = drizzle({ client: pool });
  return {
    transaction: (order, send, end) =>
      settle(end, (finish) =>
        db.transaction(async (tx) => {
          await tx.insert(orders).values(order);
          return finish(await send(drizzleTx(tx)));
        }),
      ),
    refused: [
      // The database's type has no rollback(): the refusal is of a value that only compiles through a cast.
      { what: 'drizzleTx(the database)', tx: () => drizzleTx(db as never), says: /Drizzle database.*outside/ },
      { what: 'the Drizzle database without drizzleTx()', tx: () => db, says: /pass drizzleTx/ },
    ],
    close: () => pool.end(),
  };
}
