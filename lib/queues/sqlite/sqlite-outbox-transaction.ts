import type { SqliteQueueDatabase } from './sqlite-queue-options';

/** The last transaction started through sqliteTransaction() on each connection. */
const lastOn = new WeakMap<SqliteQueueDatabase, Promise<void>>();

/**
 * Runs `work` in a transaction of the app's better-sqlite3 `db`, which may await (`send(payload, { tx: db })`
 * does), as better-sqlite3's own `db.transaction(fn)` cannot: `BEGIN IMMEDIATE`, `await work()`, `COMMIT`,
 * or `ROLLBACK` when `work` throws, rethrowing. Resolves with what `work` resolved with, once committed.
 *
 * A connection holds one transaction at a time: the calls on one `db` run one after another, each
 * starting when the one before has ended, where two `BEGIN`s from concurrent requests would fail
 * ("cannot start a transaction within a transaction"). Code that uses `db` outside these calls while one
 * is open still runs inside it: route the app's writes through here, or through `db.transaction(fn)`
 * functions called inside `work` (better-sqlite3 runs them as savepoints).
 *
 * ```ts
 * const sent = await sqliteTransaction(db, async () => {
 *   insertOrder.run(order.orderId, order.total);
 *   return client.send(order, { tx: db });
 * });
 * ```
 */
export async function sqliteTransaction<T>(db: SqliteQueueDatabase, work: () => Promise<T>): Promise<T> {
  const before = lastOn.get(db);
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  lastOn.set(db, mine);
  try {
    await before;
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = await work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      // A failed statement may have ended the transaction already (SQLite rolls back on some errors).
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  } finally {
    done();
    if (lastOn.get(db) === mine) lastOn.delete(db);
  }
}
