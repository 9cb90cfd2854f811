import type { MessageRecord } from './delivery-records';
import type { DeliveryQueue, NewDelivery } from './delivery-queue';

/**
 * The caller's open transaction, in a form the queue's outbox can write in. For `PostgresQueue`: a `pg`
 * client (`PoolClient` or `Client`) or a TypeORM `EntityManager`/`QueryRunner` inside a transaction, or
 * what the adapters of `hookspec/postgres` make of a Prisma, Kysely, Knex or Drizzle transaction. For
 * `SqliteQueue` on the app's own database: that better-sqlite3 `Database`, inside a transaction. Each
 * queue checks what it is given and refuses anything else (a pool, a database handle outside a
 * transaction) without writing.
 */
export type OutboxTransaction = object;

/**
 * A message written by `send(payload, { tx })` in the caller's transaction, waiting in the outbox until
 * a worker routes it, after the commit, to the endpoints subscribed at that moment.
 */
export interface OutboxMessage extends MessageRecord {
  /** The endpoints `send(…, { endpointIds })` named; absent: every subscribed endpoint of the owner. */
  readonly endpointIds?: readonly string[];
}

/** Works out one outbox message's deliveries (the client's routing: its endpoints, owners, filters). */
export type RouteOutboxMessage = (message: OutboxMessage) => Promise<readonly NewDelivery[]>;

/**
 * A queue with a transactional outbox: a message is written with the application's own business write,
 * in its transaction, as one row, so it is committed or rolled back with it; matching endpoints and
 * fanning out to deliveries happen after the commit, in `routeOutbox()`, run by the workers.
 */
export interface OutboxQueue {
  /**
   * Writes the message, as one row, in the caller's open transaction `tx`; nothing about it is visible
   * to workers before that transaction commits, and nothing is left of it if it rolls back. Rejects
   * with `DeliveryQueueError('invalid-transaction')`, writing nothing, when `tx` is not a transaction
   * this queue can write in. Other processes' workers are told of the message at commit.
   */
  enqueueInTransaction(tx: OutboxTransaction, message: OutboxMessage): Promise<void>;
  /**
   * Routes committed outbox messages: takes up to `limit` of them, oldest first, asks `route` for each
   * one's deliveries and enqueues them in the same transaction that takes the message out of the outbox,
   * so that of two workers routing at once only one enqueues a message (PostgreSQL skips rows another
   * worker has locked; SQLite lets only the pass whose delete removed the row insert it). A message with
   * no delivery is dropped, as `send()` keeps none. When `route` or the queue fails, the messages not
   * yet taken out stay in the outbox for the next pass. Resolves with how many messages were taken out
   * (0: the outbox is empty).
   */
  routeOutbox(route: RouteOutboxMessage, options: { readonly limit: number }): Promise<number>;
}

/** Whether a queue has a transactional outbox (`send(payload, { tx })`). */
export function hasOutbox(queue: DeliveryQueue): queue is DeliveryQueue & OutboxQueue {
  const candidate = queue as Partial<OutboxQueue>;
  return typeof candidate.enqueueInTransaction === 'function' && typeof candidate.routeOutbox === 'function';
}
