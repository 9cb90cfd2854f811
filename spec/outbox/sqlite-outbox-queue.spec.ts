import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { NewDelivery, OutboxMessage } from '../../lib/delivery';
import { DeliveryQueueError } from '../../lib/errors';
import { SqliteQueue } from '../../lib/queues/sqlite';
import { MIGRATIONS } from '../../lib/queues/sqlite/sqlite-schema';
import { tempDirectory } from '../queues/sqlite/temp-files';

const temp = tempDirectory('sqlite-outbox-queue');
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});
afterAll(() => temp.remove());

const T0 = 1_700_000_000_000;

function database(path = temp.file()): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  opened.push(db);
  return db;
}

function queueOn(options: { database: Database.Database } | { path: string }): SqliteQueue {
  const queue = new SqliteQueue(options);
  opened.push(queue);
  return queue;
}

const message = (id: string, extra: Partial<OutboxMessage> = {}): OutboxMessage => ({
  id,
  event: 'order.placed',
  body: `{"id":"${id}"}`,
  createdAt: T0,
  ...extra,
});

const toShop = (m: OutboxMessage): readonly NewDelivery[] => [
  { endpointId: 'shop', url: 'https://shop.example.com/hooks', nextAttemptAt: m.createdAt },
];

/** Writes each message in one committed transaction of the app, as send({ tx: db }) does. */
async function writeCommitted(queue: SqliteQueue, db: Database.Database, messages: readonly OutboxMessage[]) {
  db.exec('BEGIN');
  for (const m of messages) await queue.enqueueInTransaction(db, m);
  db.exec('COMMIT');
}

const pragma = (db: Database.Database, name: string) => db.pragma(name, { simple: true });
const outboxCount = (db: Database.Database) => db.prepare('SELECT count(*) FROM hookspec_outbox').pluck().get();

describe('SqliteQueue on the app’s database: its tables and their version', () => {
  it('leaves the app’s user_version and settings alone, and keeps its version in hookspec_schema_versions', async () => {
    const db = database();
    db.pragma('user_version = 7');
    db.pragma('synchronous = NORMAL');
    const queue = queueOn({ database: db });
    expect(pragma(db, 'user_version')).toBe(7);
    expect(pragma(db, 'synchronous')).toBe(1);
    expect(db.prepare("SELECT version FROM hookspec_schema_versions WHERE component = 'queue'").pluck().get()).toBe(4);
    // Its own commits (a send, a lease) leave the connection's sync level as the app set it.
    await queue.enqueue(message('m'), toShop(message('m')));
    expect(await queue.lease({ now: T0, limit: 1, leaseMs: 60_000 })).toHaveLength(1);
    expect(pragma(db, 'synchronous')).toBe(1);
    await queue.close();
    // close() leaves the app's connection open.
    expect(db.open).toBe(true);
    // A queue opening the file by path reads the row, and leaves user_version alone too.
    const byPath = queueOn({ path: db.name });
    expect(await byPath.countPending()).toBe(1);
    expect(pragma(db, 'user_version')).toBe(7);
  });

  it('refuses queue tables of a newer version, recorded in the row', () => {
    const db = database();
    queueOn({ database: db });
    db.prepare("UPDATE hookspec_schema_versions SET version = 9 WHERE component = 'queue'").run();
    const open = () => new SqliteQueue({ database: db });
    expect(open).toThrow(DeliveryQueueError);
    expect(open).toThrow(
      expect.objectContaining({ code: 'unsupported-schema', message: expect.stringMatching(/schema version 9/) }),
    );
  });

  it('upgrades a file written at version 3 (before the outbox), keeping its messages, opened by path or as database', async () => {
    for (const openAs of ['path', 'database'] as const) {
      const path = temp.file();
      const old = new Database(path);
      for (const step of MIGRATIONS.slice(0, 3)) old.exec(step);
      old.pragma('user_version = 3');
      old
        .prepare(
          'INSERT INTO hookspec_messages (id, event, body, created_at, first_seq, last_seq) VALUES (?, ?, ?, ?, 1, 1)',
        )
        .run('old', 'e', '{}', T0);
      old
        .prepare(
          "INSERT INTO hookspec_deliveries (seq, message_id, endpoint_id, url, status, next_attempt_at, created_at) VALUES (1, 'old', 'shop', 'https://shop.example.com/', 'pending', ?, ?)",
        )
        .run(T0, T0);
      old.close();
      const db = database(path);
      const queue = queueOn(openAs === 'path' ? { path } : { database: db });
      expect(pragma(db, 'user_version')).toBe(4);
      expect(outboxCount(db)).toBe(0);
      expect((await queue.getMessage('old'))?.deliveries.map((d) => [d.endpointId, d.status])).toEqual([
        ['shop', 'pending'],
      ]);
    }
  });

  it('refuses a database inside a transaction, and a path given with it', () => {
    const db = database();
    db.exec('BEGIN');
    expect(() => new SqliteQueue({ database: db })).toThrow(
      /database is inside a transaction; create the queue outside/,
    );
    db.exec('ROLLBACK');
    expect(() => new SqliteQueue({ database: db, path: db.name } as never)).toThrow(/not both/);
    expect(() => new SqliteQueue({ database: db, synchronous: 'FULL' } as never)).toThrow(
      /synchronous is your connection's own setting/,
    );
    expect(() => new SqliteQueue({ database: {} } as never)).toThrow(
      /database must be an open better-sqlite3 Database/,
    );
  });
});

describe('SqliteQueue on the app’s database: its own writes during the app’s transaction', () => {
  it('holds them until the transaction ends, then commits them in its own, whether it rolled back or committed', async () => {
    const db = database();
    const queue = queueOn({ database: db });
    const reader = database(db.name);
    const committed = (id: string) =>
      reader.prepare('SELECT count(*) FROM hookspec_messages WHERE id = ?').pluck().get(id);
    for (const end of ['ROLLBACK', 'COMMIT'] as const) {
      db.exec('BEGIN');
      let done = false;
      const id = `own-${end}`;
      const write = queue.enqueue(message(id), toShop(message(id))).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(done).toBe(false);
      // Not written inside the app's transaction either: the app's connection does not see it.
      expect(db.prepare('SELECT count(*) FROM hookspec_messages WHERE id = ?').pluck().get(id)).toBe(0);
      db.exec(end);
      await write;
      expect(committed(id)).toBe(1);
    }
    expect(db.inTransaction).toBe(false);
  });
});

describe('SqliteQueue.routeOutbox()', () => {
  it('moves committed rows into messages with their deliveries, oldest first, and drops one no endpoint takes', async () => {
    const db = database();
    const queue = queueOn({ database: db });
    await writeCommitted(queue, db, [
      message('m1', { owner: 'acme' }),
      message('m2', { endpointIds: ['shop'] }),
      message('m3'),
    ]);
    const seen: OutboxMessage[] = [];
    const taken = await queue.routeOutbox(async (m) => (seen.push(m), m.id === 'm3' ? [] : toShop(m)), { limit: 10 });
    expect(taken).toBe(3);
    expect(seen).toEqual([message('m1', { owner: 'acme' }), message('m2', { endpointIds: ['shop'] }), message('m3')]);
    expect((await queue.getMessage('m1'))?.message).toEqual({ ...message('m1'), owner: 'acme' });
    expect(await queue.getMessage('m3')).toBeUndefined();
    expect(await queue.countPending()).toBe(2);
    expect(outboxCount(db)).toBe(0);
    expect(await queue.routeOutbox(async () => [], { limit: 10 })).toBe(0);
  });

  it('routes nothing the app has not committed: a pass during its transaction waits for the end', async () => {
    const db = database();
    const queue = queueOn({ database: db });
    db.exec('BEGIN');
    await queue.enqueueInTransaction(db, message('pending-commit'));
    let done = false;
    const pass = queue.routeOutbox(async (m) => toShop(m), { limit: 10 }).finally(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(done).toBe(false);
    db.exec('ROLLBACK');
    expect(await pass).toBe(0);
    expect(await queue.countPending()).toBe(0);
  });

  it('leaves every row of a failed pass in the outbox for the next one', async () => {
    const db = database();
    const queue = queueOn({ database: db });
    await writeCommitted(queue, db, [message('a'), message('b')]);
    const failing = queue.routeOutbox(
      async (m) => {
        if (m.id === 'b') throw new Error('endpoint store down');
        return toShop(m);
      },
      { limit: 10 },
    );
    await expect(failing).rejects.toThrow('endpoint store down');
    expect(outboxCount(db)).toBe(2);
    expect(await queue.getMessage('a')).toBeUndefined();
    expect(await queue.routeOutbox(async (m) => toShop(m), { limit: 10 })).toBe(2);
    expect(await queue.countPending()).toBe(2);
  });

  it('routes each message once when two queues on one file route at the same time', async () => {
    const db = database();
    const writer = queueOn({ database: db });
    const ids = Array.from({ length: 60 }, (_, n) => `burst-${n}`);
    await writeCommitted(
      writer,
      db,
      ids.map((id) => message(id)),
    );
    const routers = [queueOn({ database: database(db.name) }), queueOn({ path: db.name })];
    let routes = 0;
    // A route that yields, so that the two passes interleave between their read and their write.
    const slowRoute = async (m: OutboxMessage) => {
      routes += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return toShop(m);
    };
    await Promise.all(
      routers.map(async (queue) => {
        while ((await queue.routeOutbox(slowRoute, { limit: 7 })) > 0);
      }),
    );
    expect(routes).toBeGreaterThanOrEqual(ids.length);
    const rows = db.prepare('SELECT message_id FROM hookspec_deliveries ORDER BY seq').pluck().all();
    expect([...rows].sort()).toEqual([...ids].sort());
    expect(db.prepare('SELECT count(*) FROM hookspec_messages').pluck().get()).toBe(ids.length);
    expect(outboxCount(db)).toBe(0);
  });
});
