import Database from 'better-sqlite3';
import { IsString } from 'class-validator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Webhook, WebhookClient } from '../../lib';
import { EndpointStoreError } from '../../lib/errors';
import { SqliteEndpointStore, SqliteQueue, sqliteTransaction } from '../../lib/queues/sqlite';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { tempDirectory } from '../queues/sqlite/temp-files';
import { expectRefusal, T0 } from './contract-harness';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
}

const temp = tempDirectory('endpoint-app-transaction');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => temp.remove());

const url = 'https://hooks.example.com/in';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOUR = 60 * 60 * 1000;

/** The app's database, opened as an app would (WAL), with its own orders table. */
function appDatabase(path = temp.file()): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY)');
  cleanups.push(() => {
    db.close();
  });
  return db;
}

function storeOn(db: Database.Database): SqliteEndpointStore {
  const store = new SqliteEndpointStore({ database: db });
  cleanups.push(() => store.close());
  return store;
}

/** What another connection sees: only what was committed. */
function committed(path: string) {
  const reader = new Database(path, { readonly: true });
  try {
    return {
      orders: reader.prepare('SELECT id FROM orders ORDER BY id').pluck().all(),
      endpoints: reader
        .prepare('SELECT id, url, enabled, disabled_reason AS reason FROM hookspec_endpoints ORDER BY id')
        .all(),
      secrets: reader
        .prepare('SELECT endpoint_id, expires_at IS NULL AS current FROM hookspec_endpoint_secrets ORDER BY seq')
        .all(),
    };
  } finally {
    reader.close();
  }
}

/** Records when each promise settles, to see that none has while the app's transaction is open. */
function track(promises: readonly Promise<unknown>[]): { settled: () => number; all: Promise<unknown[]> } {
  let settled = 0;
  for (const promise of promises)
    promise.then(
      () => (settled += 1),
      () => (settled += 1),
    );
  return { settled: () => settled, all: Promise.all(promises) };
}

describe('SqliteEndpointStore on the app’s connection: its writes during the app’s transaction', () => {
  it.each(['ROLLBACK', 'COMMIT'] as const)(
    'wait for it to end, then commit on their own, in the order they were made (the app ends with %s)',
    async (end) => {
      const db = appDatabase();
      const store = storeOn(db);
      await store.create({ id: 'e1', url }, { now: T0 });
      await store.create({ id: 'e3', url }, { now: T0 });

      db.exec('BEGIN');
      db.prepare('INSERT INTO orders (id) VALUES (?)').run('o1');
      const writes = track([
        store.disable('e1', 'failing'),
        store.create({ id: 'e2', url }, { now: T0 + 1 }),
        store.rotateSecret('e1', { now: Date.now(), graceMs: HOUR }),
        store.update('e3', { url: `${url}/first` }, { now: T0 + 2 }),
        store.update('e3', { url: `${url}/second` }, { now: T0 + 3 }),
        store.delete('e3'),
      ]);
      // The app's transaction is open across an await, as in a request handler.
      await pause(60);
      expect(writes.settled()).toBe(0);
      // Nothing was written inside the app's transaction: its own connection does not see the writes.
      expect(await store.get('e1')).toMatchObject({ enabled: true });
      expect(await store.get('e2')).toBeUndefined();
      db.exec(end);

      const [, created, rotated, , second, deleted] = await writes.all;
      expect(created).toMatchObject({ endpoint: { id: 'e2', enabled: true } });
      expect(second).toMatchObject({ url: `${url}/second` });
      expect(deleted).toBe(true);
      expect(committed(db.name)).toEqual({
        orders: end === 'COMMIT' ? ['o1'] : [],
        endpoints: [
          { id: 'e1', url, enabled: 0, reason: 'failing' },
          { id: 'e2', url, enabled: 1, reason: null },
        ],
        secrets: [
          { endpoint_id: 'e1', current: 0 },
          { endpoint_id: 'e2', current: 1 },
          { endpoint_id: 'e1', current: 1 },
        ],
      });
      expect((await store.endpointById('e1'))?.secrets).toEqual([
        (rotated as { secret: string }).secret,
        expect.any(String),
      ]);
      expect(db.inTransaction).toBe(false);
    },
  );

  it('lands a write made just after the COMMIT after the writes that waited for it', async () => {
    const db = appDatabase();
    const store = storeOn(db);
    await store.create({ id: 'e1', url }, { now: T0 });
    db.exec('BEGIN');
    const waited = store.update('e1', { url: `${url}/waited` }, { now: T0 + 1 });
    await pause(10);
    // In the same turn as the COMMIT, before the store has looked at the connection again.
    db.exec('COMMIT');
    const later = store.update('e1', { url: `${url}/later` }, { now: T0 + 2 });
    expect(await waited).toMatchObject({ url: `${url}/waited` });
    expect(await later).toMatchObject({ url: `${url}/later` });
    expect(committed(db.name).endpoints).toEqual([{ id: 'e1', url: `${url}/later`, enabled: 1, reason: null }]);
  });

  it('fails with transaction-open when the app’s transaction outlasts the busy timeout, writing nothing then or later', async () => {
    const db = appDatabase();
    db.pragma('busy_timeout = 100');
    const store = storeOn(db);
    await store.create({ id: 'e1', url }, { now: T0 });

    db.exec('BEGIN');
    const refusal = await expectRefusal(
      store.setEnabled('e1', false, { now: T0 + 1, reason: 'maintenance' }),
      'transaction-open',
      /^SqliteEndpointStore\.setEnabled\('e1'\): a transaction of your code stayed open on the connection the store shares \(.*\) for longer than its busy timeout \(100 ms\).*Nothing was written\. Await the store's writes after COMMIT or ROLLBACK, not inside your transaction, and keep the transactions that span an await short\.$/,
    );
    expect(refusal).toBeInstanceOf(EndpointStoreError);
    expect(db.inTransaction).toBe(true);
    db.exec('COMMIT');
    await pause(50);
    expect(committed(db.name).endpoints).toEqual([{ id: 'e1', url, enabled: 1, reason: null }]);
  });

  it('refuses a store write awaited inside the app’s own transaction, which then rolls back', async () => {
    const db = appDatabase();
    db.pragma('busy_timeout = 100');
    const store = storeOn(db);
    const inside = sqliteTransaction(db, async () => {
      db.prepare('INSERT INTO orders (id) VALUES (?)').run('o1');
      return store.create({ id: 'e1', url }, { now: T0 });
    });
    await expectRefusal(inside, 'transaction-open', /busy timeout \(100 ms\)/);
    expect(db.inTransaction).toBe(false);
    expect(committed(db.name)).toMatchObject({ orders: [], endpoints: [] });
  });

  it('fails with store-failed, naming the call, on a connection the app has closed', async () => {
    const db = new Database(temp.file());
    const store = new SqliteEndpointStore({ database: db });
    db.close();
    await expectRefusal(
      store.delete('e1'),
      'store-failed',
      /^SqliteEndpointStore\.delete\('e1'\) failed on .*not open/,
    );
  });

  it('refuses a connection inside a transaction at construction, since its tables would go with a rollback', () => {
    const db = appDatabase();
    db.exec('BEGIN');
    expect(() => new SqliteEndpointStore({ database: db })).toThrow(
      expect.objectContaining({
        name: 'EndpointStoreError',
        code: 'invalid-option',
        message: expect.stringMatching(/database is inside a transaction; create the store outside/),
      }),
    );
    db.exec('ROLLBACK');
  });
});

describe('SqliteEndpointStore on the app’s connection: its reads during the app’s transaction', () => {
  it('answer at once, seeing the app’s uncommitted changes, and write nothing (expired secrets stay until a later read)', async () => {
    const db = appDatabase();
    db.pragma('busy_timeout = 100');
    const store = storeOn(db);
    const { secret: old } = await store.create({ id: 'e1', url, events: ['order.placed'] }, { now: T0 });
    // Rotated out with a grace that is already over: the next read outside a transaction deletes it.
    const { secret } = await store.rotateSecret('e1', { now: Date.now() - 2_000, graceMs: 1_000 });

    db.exec('BEGIN');
    // Each read answers before the busy timeout: none waits for the app's transaction.
    expect(await store.endpointById('e1')).toMatchObject({ url, secrets: [secret] });
    expect((await store.endpointsFor('order.placed')).map((e) => e.secrets)).toEqual([[secret]]);
    expect(db.prepare('SELECT count(*) FROM hookspec_endpoint_secrets').pluck().get()).toBe(2);
    // The reads took no write lock into the app's transaction: another connection can still write.
    const other = new Database(db.name, { timeout: 0 });
    other.exec('BEGIN IMMEDIATE; ROLLBACK');
    other.close();
    db.prepare("UPDATE hookspec_endpoints SET url = ? WHERE id = 'e1'").run(`${url}/moved`);
    expect(await store.get('e1')).toMatchObject({ url: `${url}/moved` });
    expect((await store.list({})).items.map((e) => e.url)).toEqual([`${url}/moved`]);
    expect(await store.endpointById('e1')).toMatchObject({ url: `${url}/moved`, secrets: [secret] });
    db.exec('ROLLBACK');

    expect((await store.endpointById('e1'))?.secrets).toEqual([secret]);
    expect(committed(db.name).secrets).toEqual([{ endpoint_id: 'e1', current: 1 }]);
    expect(old).not.toBe(secret);
  });
});

describe('SqliteEndpointStore and SqliteQueue on one connection', () => {
  let receiver: RecordingServer;
  beforeAll(async () => {
    // /gone answers 410 after 300 ms: the app's transaction begins while the attempt is in flight.
    receiver = await startRecordingServer({
      answer: (request) => (request.path === '/gone' ? { status: 410, delayMs: 300 } : { status: 204 }),
    });
  });
  afterAll(() => receiver?.close());
  afterEach(() => {
    receiver.requests.splice(0);
  });

  it('both wait for the app’s transaction, without waiting for each other, and land after its rollback', async () => {
    const db = appDatabase();
    const store = storeOn(db);
    const queue = new SqliteQueue({ database: db });
    cleanups.push(() => queue.close());
    await store.create({ id: 'e1', url }, { now: T0 });

    db.exec('BEGIN');
    db.prepare('INSERT INTO orders (id) VALUES (?)').run('o1');
    const message = { id: 'm1', event: 'order.placed', body: '{}', createdAt: T0 };
    const writes = track([
      store.update('e1', { description: 'before the message' }, { now: T0 + 1 }),
      queue.enqueue(message, [{ endpointId: 'e1', url, nextAttemptAt: T0 }]),
      store.disable('e1', 'gone'),
    ]);
    await pause(60);
    expect(writes.settled()).toBe(0);
    db.exec('ROLLBACK');
    await writes.all;
    expect(committed(db.name)).toMatchObject({
      orders: [],
      endpoints: [{ id: 'e1', url, enabled: 0, reason: 'gone' }],
    });
    expect((await store.get('e1'))?.description).toBe('before the message');
    expect(await queue.countPending()).toBe(1);
  });

  /** A client of the store on the app's connection `db`; its queue on the same connection, or on a file of its own. */
  function clientOf(endpoints: SqliteEndpointStore, queue: SqliteQueue): WebhookClient {
    const client = new WebhookClient({
      webhooks: [OrderPlaced],
      endpoints,
      allowNetworks: ['127.0.0.0/8'],
      queue,
      timeoutMs: 2_000,
      retry: { schedule: [50], jitter: 0 },
    });
    cleanups.push(() => client.close());
    return client;
  }

  const order = (orderId: string) => Object.assign(new OrderPlaced(), { orderId });

  it('deliver through the outbox, an admin write made during a rolled-back transaction surviving it', async () => {
    const db = appDatabase();
    const endpoints = storeOn(db);
    const client = clientOf(endpoints, new SqliteQueue({ database: db, pollIntervalMs: 60_000 }));
    await endpoints.create({ id: 'shop', url: `${receiver.url}/shop` }, { now: Date.now() });

    // Another request registers an endpoint while this one's transaction is open, and then fails.
    let registered: Promise<unknown> = Promise.resolve();
    const failed = sqliteTransaction(db, async () => {
      db.prepare('INSERT INTO orders (id) VALUES (?)').run('o-failed');
      registered = endpoints.create({ id: 'late', url: `${receiver.url}/late` }, { now: Date.now() });
      await client.send(order('o-failed'), { tx: db });
      throw new Error('payment refused');
    });
    await expect(failed).rejects.toThrow('payment refused');
    await registered;

    const sent = await sqliteTransaction(db, async () => {
      db.prepare('INSERT INTO orders (id) VALUES (?)').run('o1');
      return client.send(order('o1'), { tx: db });
    });
    const [toShop] = await receiver.waitFor(1, '/shop', 10_000);
    const [toLate] = await receiver.waitFor(1, '/late', 10_000);
    expect([toShop?.headers['webhook-id'], toLate?.headers['webhook-id']]).toEqual([sent.id, sent.id]);
    await client.drain();
    expect(committed(db.name)).toMatchObject({
      orders: ['o1'],
      endpoints: [{ id: 'late' }, { id: 'shop' }],
    });
    expect(receiver.requests.map((request) => JSON.parse(request.body) as unknown)).toEqual([
      { orderId: 'o1' },
      { orderId: 'o1' },
    ]);
  });

  it('the client’s disable after a 410 during the app’s transaction lands after its rollback (queue on its own file)', async () => {
    const db = appDatabase();
    const endpoints = storeOn(db);
    const client = clientOf(endpoints, new SqliteQueue({ path: temp.file(), pollIntervalMs: 50 }));
    await endpoints.create({ id: 'gone', url: `${receiver.url}/gone` }, { now: Date.now() });
    const sent = await client.send(order('o1'));
    await receiver.waitFor(1, '/gone', 10_000);

    // The 410 comes 300 ms after the request, while this transaction is open across an await.
    db.exec('BEGIN IMMEDIATE');
    db.prepare('INSERT INTO orders (id) VALUES (?)').run('o2');
    await client.drain();
    expect((await client.getMessage(sent.id))?.deliveries.map((d) => d.status)).toEqual(['disabled']);
    expect(await endpoints.get('gone')).toMatchObject({ enabled: true });
    db.exec('ROLLBACK');
    for (let look = 0; look < 100 && (await endpoints.get('gone'))?.enabled; look += 1) await pause(20);
    expect(committed(db.name)).toMatchObject({
      orders: [],
      endpoints: [{ id: 'gone', enabled: 0, reason: 'gone' }],
    });
  });
});
