import Database from 'better-sqlite3';
import { IsString } from 'class-validator';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateSecret, Webhook, WebhookClient } from '../../lib';
import { SqliteQueue, sqliteTransaction } from '../../lib/queues/sqlite';
import { tempDirectory } from '../queues/sqlite/temp-files';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
}

const temp = tempDirectory('sqlite-outbox-transaction');
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});
afterAll(() => temp.remove());

const order = (orderId: string) => Object.assign(new OrderPlaced(), { orderId });

/** The app's database with its orders table, and a producer client on it. */
function app() {
  const db = new Database(temp.file());
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY)');
  opened.push(db);
  const client = new WebhookClient({
    webhooks: [OrderPlaced],
    endpoints: [{ id: 'shop', url: 'https://shop.example.com/hooks', secret: generateSecret() }],
    queue: new SqliteQueue({ database: db }),
    worker: false,
  });
  opened.push(client);
  const insert = db.prepare('INSERT INTO orders (id) VALUES (?)');
  const rows = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
  return { db, client, insert, rows };
}

describe('sqliteTransaction(db, work): a transaction that may await, for send({ tx: db })', () => {
  it('commits the business write and the outbox row together, resolving with what work resolved', async () => {
    const { db, client, insert, rows } = app();
    const sent = await sqliteTransaction(db, async () => {
      insert.run('o-1');
      return client.send(order('o-1'), { tx: db });
    });
    expect(sent.id).toMatch(/^msg_/);
    expect(db.inTransaction).toBe(false);
    expect(rows('orders')).toBe(1);
    expect(db.prepare('SELECT id FROM hookspec_outbox').pluck().all()).toEqual([sent.id]);
  });

  it('rolls both back when work throws, and rethrows its error', async () => {
    const { db, client, insert, rows } = app();
    const failed = sqliteTransaction(db, async () => {
      insert.run('o-2');
      await client.send(order('o-2'), { tx: db });
      throw new Error('payment declined');
    });
    await expect(failed).rejects.toThrow('payment declined');
    expect(db.inTransaction).toBe(false);
    expect(rows('orders')).toBe(0);
    expect(rows('hookspec_outbox')).toBe(0);
  });

  it('runs concurrent calls on one connection one after another, where a second BEGIN would fail', async () => {
    const { db, client, insert, rows } = app();
    const log: string[] = [];
    const place = (id: string) =>
      sqliteTransaction(db, async () => {
        log.push(`begin ${id}`);
        insert.run(id);
        await client.send(order(id), { tx: db });
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`end ${id}`);
      });
    const results = await Promise.allSettled([place('a'), place('b'), place('a'), place('c')]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // The duplicate order rolled back alone; the others committed, never interleaved.
    expect(log).toEqual(['begin a', 'end a', 'begin b', 'end b', 'begin a', 'begin c', 'end c']);
    expect(rows('orders')).toBe(3);
    expect(rows('hookspec_outbox')).toBe(3);
  });
});
