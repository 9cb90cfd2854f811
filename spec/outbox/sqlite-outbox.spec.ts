import Database from 'better-sqlite3';
import { IsInt, IsString } from 'class-validator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSecret,
  MemoryEndpointStore,
  verifyWebhook,
  Webhook,
  WebhookClient,
  type EndpointStore,
} from '../../lib';
import { SqliteEndpointStore, SqliteQueue } from '../../lib/queues/sqlite';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { tempDirectory } from '../queues/sqlite/temp-files';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
  @IsInt() total!: number;
}

const temp = tempDirectory('sqlite-outbox');
const now = () => ({ now: Date.now() });
const order = (orderId: string, total = 100): OrderPlaced => Object.assign(new OrderPlaced(), { orderId, total });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app's own database: a file with its orders table, opened as an app would (WAL). */
function appDatabase(options: { timeout?: number } = {}): Database.Database {
  const db = new Database(temp.file(), options);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, total INTEGER NOT NULL)');
  return db;
}

const insertOrder = (db: Database.Database, id: string, total = 100) =>
  db.prepare('INSERT INTO orders (id, total) VALUES (?, ?)').run(id, total);
const count = (db: Database.Database, table: string) =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

/** BEGIN, `work` (which may await), then COMMIT, or ROLLBACK when it throws or `end` says so. */
async function inTransaction<T>(db: Database.Database, work: () => Promise<T>, end: 'COMMIT' | 'ROLLBACK' = 'COMMIT') {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work();
    db.exec(end);
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

describe('the transactional outbox on SqliteQueue, on the app’s own database: send(payload, { tx: db })', () => {
  let receiver: RecordingServer;
  const secret = generateSecret();
  const open: { close(): Promise<void> }[] = [];
  const databases: Database.Database[] = [];

  beforeAll(async () => {
    // /slow answers after 300 ms: an attempt still in flight when a transaction begins.
    receiver = await startRecordingServer({
      answer: (request) => (request.path === '/slow' ? { status: 204, delayMs: 300 } : { status: 204 }),
    });
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
    for (const db of databases.splice(0)) db.close();
    receiver.requests.splice(0);
  });

  afterAll(async () => {
    await receiver?.close();
    temp.remove();
  });

  /** A client on the app's database `db` (or on a file it opens by path); `worker: false` only writes. */
  function clientOn(
    where: { db: Database.Database } | { path: string },
    options: { worker?: boolean; endpoints?: EndpointStore; path?: string } = {},
  ) {
    if ('db' in where) databases.push(where.db);
    const client = new WebhookClient({
      webhooks: [OrderPlaced],
      endpoints: options.endpoints ?? [{ id: 'shop', url: `${receiver.url}${options.path ?? '/hook'}`, secret }],
      allowNetworks: ['127.0.0.0/8'],
      // A poll far longer than any test: a prompt delivery was woken by the commit itself.
      queue:
        'db' in where
          ? new SqliteQueue({ database: where.db, pollIntervalMs: 60_000 })
          : new SqliteQueue({ path: where.path, pollIntervalMs: 50 }),
      worker: options.worker ?? true,
      timeoutMs: 2_000,
      leaseMs: 3_000,
      retry: { schedule: [50, 50], jitter: 0 },
    });
    open.push(client);
    return client;
  }

  it('delivers a message written in a committed transaction, signed, with the id send() answered', async () => {
    const db = appDatabase();
    const client = clientOn({ db });
    const sent = await inTransaction(db, async () => {
      insertOrder(db, 'o-commit', 250);
      return client.send(order('o-commit', 250), { tx: db });
    });
    expect(sent).toEqual({ id: expect.stringMatching(/^msg_/), event: 'order.placed' });
    const [request] = await receiver.waitFor(1, '/hook', 10_000);
    expect(request?.headers['webhook-id']).toBe(sent.id);
    expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, secret)).toEqual({
      orderId: 'o-commit',
      total: 250,
    });
    await client.drain();
    const view = await client.getMessage(sent.id);
    expect(view?.deliveries.map((d) => [d.endpointId, d.status])).toEqual([['shop', 'delivered']]);
    expect(count(db, 'hookspec_outbox')).toBe(0);
  });

  it('never sends a message whose transaction rolled back, and keeps nothing of it', async () => {
    const db = appDatabase();
    const client = clientOn({ db });
    const sent = await inTransaction(
      db,
      async () => {
        insertOrder(db, 'o-rollback');
        return client.send(order('o-rollback'), { tx: db });
      },
      'ROLLBACK',
    );
    await client.drain();
    // A later committed message is delivered: the worker ran, and still never saw the rolled-back one.
    const later = await inTransaction(db, () => client.send(order('o-after'), { tx: db }));
    await client.drain();
    expect(receiver.on('/hook').map((request) => request.headers['webhook-id'])).toEqual([later.id]);
    expect(await client.getMessage(sent.id)).toBeUndefined();
    expect(count(db, 'orders')).toBe(0);
    expect(count(db, 'hookspec_outbox')).toBe(0);
  });

  it('attempts nothing before the commit, however long the transaction stays open, and delivers at once after', async () => {
    const db = appDatabase();
    const client = clientOn({ db });
    db.exec('BEGIN');
    const sent = await client.send(order('o-slow'), { tx: db });
    await pause(400);
    expect(receiver.requests).toEqual([]);
    expect(await client.getMessage(sent.id)).toBeUndefined();
    db.exec('COMMIT');
    // The worker's poll is 60 s: the end of the transaction woke it.
    const [request] = await receiver.waitFor(1, '/hook', 10_000);
    expect(request?.headers['webhook-id']).toBe(sent.id);
  });

  it('loses none of the queue’s own work done around a rolled-back transaction', async () => {
    const db = appDatabase();
    const client = clientOn({ db }, { path: '/slow' });
    const settledBefore = await client.send(order('o-before'));
    await client.drain();
    const inFlight = await client.send(order('o-in-flight'));
    await receiver.waitFor(2, '/slow', 10_000);

    db.exec('BEGIN');
    insertOrder(db, 'o-doomed');
    // Not awaited inside the transaction: its write waits for the transaction to end.
    let duringDone = false;
    const during = client.send(order('o-during')).finally(() => (duringDone = true));
    // The attempt in flight is answered after 300 ms; its settle must wait too.
    await pause(600);
    expect(duringDone).toBe(false);
    const seenInside = await client.getMessage(inFlight.id);
    expect(seenInside?.deliveries.map((d) => [d.status, d.attempts.length])).toEqual([['pending', 0]]);
    db.exec('ROLLBACK');

    const sentDuring = await during;
    await client.drain();
    const after = await client.send(order('o-after'));
    await client.drain();
    const ids = [settledBefore.id, inFlight.id, sentDuring.id, after.id];
    for (const id of ids) {
      const view = await client.getMessage(id);
      expect(view?.deliveries.map((d) => [d.status, d.attempts.length])).toEqual([['delivered', 1]]);
    }
    // Each sent once: a settle undone by the rollback would have left a lease to expire and be retried.
    expect(receiver.on('/slow').map((request) => request.headers['webhook-id'])).toEqual(ids);
    expect(count(db, 'orders')).toBe(0);
  });

  it('fails a send() without tx awaited inside the transaction after the busy timeout, naming the fix', async () => {
    const db = appDatabase({ timeout: 200 });
    const client = clientOn({ db }, { worker: false });
    db.exec('BEGIN');
    const error = await client.send(order('o-deadlock')).catch((caught: unknown) => caught);
    db.exec('ROLLBACK');
    expect(error).toMatchObject({
      name: 'DeliveryQueueError',
      code: 'queue-failed',
      message: expect.stringMatching(
        /busy timeout \(200 ms\).*pass \{ tx: db \} to write the message in it, or send after COMMIT/,
      ),
    });
    expect(count(db, 'hookspec_messages')).toBe(0);
    // The queue is not stuck: a send outside the transaction is accepted.
    const sent = await client.send(order('o-fine'));
    expect((await client.getMessage(sent.id))?.message.id).toBe(sent.id);
  });

  it('routes at start, on a worker that opens the file by path, what was committed while no worker ran', async () => {
    const db = appDatabase();
    const producer = clientOn({ db }, { worker: false });
    const ids = await inTransaction(db, async () => [
      (await producer.send(order('o-1'), { tx: db })).id,
      (await producer.send(order('o-2'), { tx: db })).id,
    ]);
    await pause(200);
    expect(receiver.requests).toEqual([]);
    const worker = clientOn({ path: db.name });
    await worker.drain();
    expect(new Set(receiver.on('/hook').map((request) => request.headers['webhook-id']))).toEqual(new Set(ids));
    expect(count(db, 'hookspec_outbox')).toBe(0);
    // Committed later by the app's process, it is seen by the worker's poll of the file.
    const third = await inTransaction(db, () => producer.send(order('o-3'), { tx: db }));
    const arrived = await receiver.waitFor(3, '/hook', 10_000);
    expect(arrived[2]?.headers['webhook-id']).toBe(third.id);
  });

  it('routes to the endpoints subscribed at routing time, per owner, and to the named ones only', async () => {
    const endpoints = new MemoryEndpointStore();
    const { endpoint: a } = await endpoints.create({ url: `${receiver.url}/a`, owner: 'acme' }, now());
    await endpoints.create({ url: `${receiver.url}/b`, owner: 'globex' }, now());
    const { endpoint: a2 } = await endpoints.create(
      { url: `${receiver.url}/a2`, owner: 'acme', events: ['order.placed'] },
      now(),
    );
    const db = appDatabase();
    const client = clientOn({ db }, { endpoints });
    const [toOwner, toNamed] = await inTransaction(db, async () => [
      await client.send(order('o-owner'), { tx: db, owner: 'acme' }),
      await client.send(order('o-named'), { tx: db, owner: 'acme', endpointIds: [a2.id] }),
    ]);
    await client.drain();
    expect(toOwner?.owner).toBe('acme');
    expect(receiver.on('/b')).toEqual([]);
    expect(receiver.on('/a').map((r) => r.headers['webhook-id'])).toEqual([toOwner?.id]);
    expect(new Set(receiver.on('/a2').map((r) => r.headers['webhook-id']))).toEqual(
      new Set([toOwner?.id, toNamed?.id]),
    );
    const view = await client.getMessage(toOwner?.id ?? '');
    expect(view?.message.owner).toBe('acme');
    expect(view?.deliveries.map((d) => d.endpointId).sort()).toEqual([a.id, a2.id].sort());
  });

  it('keeps the app’s rows, its endpoints and the queue in one database, the app’s user_version untouched', async () => {
    const db = appDatabase();
    db.pragma('user_version = 12');
    const endpoints = new SqliteEndpointStore({ database: db });
    const { endpoint, secret: storeSecret } = await endpoints.create(
      { url: `${receiver.url}/store`, owner: 'acme' },
      now(),
    );
    const client = clientOn({ db }, { endpoints });
    const sent = await inTransaction(db, async () => {
      insertOrder(db, 'o-one-file');
      return client.send(order('o-one-file'), { tx: db, owner: 'acme' });
    });
    await client.drain();
    const [request] = receiver.on('/store');
    expect(request?.headers['webhook-id']).toBe(sent.id);
    expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, storeSecret)).toEqual({
      orderId: 'o-one-file',
      total: 100,
    });
    expect((await client.getMessage(sent.id))?.deliveries.map((d) => d.endpointId)).toEqual([endpoint.id]);
    expect(db.pragma('user_version', { simple: true })).toBe(12);
    await endpoints.close();
  });

  it('refuses another connection, a database outside a transaction, and a send not awaited before COMMIT', async () => {
    const db = appDatabase();
    const client = clientOn({ db }, { worker: false });
    const other = new Database(db.name);
    databases.push(other);
    other.exec('BEGIN');
    await expect(client.send(order('o-other'), { tx: other })).rejects.toMatchObject({
      name: 'DeliveryQueueError',
      code: 'invalid-transaction',
      message: expect.stringMatching(
        /tx must be the better-sqlite3 Database this SqliteQueue was given .* got another Database .*Nothing was written\.$/,
      ),
    });
    other.exec('ROLLBACK');
    await expect(client.send(order('o-no-tx'), { tx: db })).rejects.toMatchObject({
      code: 'invalid-transaction',
      message: expect.stringMatching(/no transaction is open on .*db\.exec\('BEGIN'\).*Nothing was written\.$/),
    });
    await expect(client.send(order('o-pojo'), { tx: {} })).rejects.toMatchObject({ code: 'invalid-transaction' });
    db.exec('BEGIN');
    const late = client.send(order('o-late'), { tx: db });
    db.exec('COMMIT');
    await expect(late).rejects.toMatchObject({ code: 'invalid-transaction', message: /not awaited before COMMIT/ });
    expect(count(db, 'hookspec_outbox')).toBe(0);
    expect(count(db, 'hookspec_messages')).toBe(0);
  });

  it('refuses a transaction from a queue that opened its file by path, writing nothing', async () => {
    const db = appDatabase();
    databases.push(db);
    const client = clientOn({ path: db.name }, { worker: false });
    db.exec('BEGIN');
    const error = await client.send(order('o-path'), { tx: db }).catch((caught: unknown) => caught);
    db.exec('ROLLBACK');
    expect(error).toMatchObject({
      name: 'DeliveryQueueError',
      code: 'invalid-transaction',
      message: expect.stringMatching(/opened .* itself \(path\).*new SqliteQueue\(\{ database: db \}\)/),
    });
    expect(count(db, 'hookspec_outbox')).toBe(0);
  });
});
