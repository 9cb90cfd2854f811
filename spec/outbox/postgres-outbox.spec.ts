import { IsInt, IsString } from 'class-validator';
import { Pool, type PoolClient } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DeliveryQueueError,
  generateSecret,
  MemoryEndpointStore,
  MemoryQueue,
  verifyWebhook,
  Webhook,
  WebhookClient,
  WebhookSendError,
  type EndpointStore,
} from '../../lib';
import { PostgresQueue, postgresTransaction } from '../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
  @IsInt() total!: number;
}

const now = () => ({ now: Date.now() });
const order = (orderId: string, total = 100): OrderPlaced => Object.assign(new OrderPlaced(), { orderId, total });

// Deliveries are waited for up to 10 s (waitFor) on a machine the whole suite loads: more than the default 5 s.
vi.setConfig({ testTimeout: 30_000 });

describe.runIf(postgresAvailable())('the transactional outbox on PostgresQueue: send(payload, { tx })', () => {
  let server: TestPostgres;
  let database = '';
  let pool: Pool;
  let idleErrors: string[];
  let receiver: RecordingServer;
  const secret = generateSecret();
  let schemas = 0;
  const open: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    database = await server.createDatabase();
    pool = new Pool({ connectionString: database, max: 8 });
    idleErrors = recordIdleErrors(pool);
    await pool.query('CREATE TABLE orders (id text PRIMARY KEY, total integer NOT NULL)');
    receiver = await startRecordingServer();
  }, 60_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
    receiver.requests.splice(0);
  });

  afterAll(async () => {
    await receiver?.close();
    await pool?.end();
    await server?.stop();
    expect(unexpectedIdleErrors(idleErrors ?? [])).toEqual([]);
  });

  /** A client on a fresh schema of the shared database; `worker: false` only writes. */
  function clientOn(
    options: { schema?: string; worker?: boolean; endpoints?: EndpointStore; pollIntervalMs?: number } = {},
  ) {
    const client = new WebhookClient({
      webhooks: [OrderPlaced],
      endpoints: options.endpoints ?? [{ id: 'shop', url: `${receiver.url}/hook`, secret }],
      allowNetworks: ['127.0.0.0/8'],
      queue: new PostgresQueue({
        pool,
        schema: options.schema ?? `outbox_${(schemas += 1)}`,
        pollIntervalMs: options.pollIntervalMs ?? 60_000,
      }),
      worker: options.worker ?? true,
      retry: { schedule: [50, 50], jitter: 0 },
    });
    open.push(client);
    return client;
  }

  /** Runs `work` in a transaction on one connection, committing unless it throws or asks to roll back. */
  async function inTransaction<T>(work: (tx: PoolClient) => Promise<T>, end: 'COMMIT' | 'ROLLBACK' = 'COMMIT') {
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query(end);
      return result;
    } catch (error) {
      await tx.query('ROLLBACK');
      throw error;
    } finally {
      tx.release();
    }
  }

  it('delivers a message written in a committed transaction, signed, with the id send() answered', async () => {
    const client = clientOn();
    const sent = await inTransaction(async (tx) => {
      await tx.query('INSERT INTO orders VALUES ($1, $2)', ['o-commit', 250]);
      return client.send(order('o-commit', 250), { tx });
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
  });

  it('never sends a message whose transaction rolled back, and keeps nothing of it', async () => {
    const client = clientOn();
    const sent = await inTransaction(async (tx) => {
      await tx.query('INSERT INTO orders VALUES ($1, $2)', ['o-rollback', 1]);
      return client.send(order('o-rollback'), { tx });
    }, 'ROLLBACK');
    await client.drain();
    // A later committed message is delivered: the worker ran, and still never saw the rolled-back one.
    const later = await inTransaction((tx) => client.send(order('o-after'), { tx }));
    await client.drain();
    expect(receiver.on('/hook').map((request) => request.headers['webhook-id'])).toEqual([later.id]);
    expect(await client.getMessage(sent.id)).toBeUndefined();
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM orders WHERE id = $1', ['o-rollback']);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('attempts nothing before the commit, however long the transaction stays open', async () => {
    const client = clientOn({ pollIntervalMs: 50 });
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const sent = await client.send(order('o-slow'), { tx });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(receiver.requests).toEqual([]);
      expect(await client.getMessage(sent.id)).toBeUndefined();
      await tx.query('COMMIT');
      const [request] = await receiver.waitFor(1, '/hook', 10_000);
      expect(request?.headers['webhook-id']).toBe(sent.id);
    } finally {
      tx.release();
    }
  });

  it('wakes a worker in another client at the commit, without waiting for its poll', async () => {
    const schema = `outbox_${(schemas += 1)}`;
    const producer = clientOn({ schema, worker: false });
    const worker = clientOn({ schema, pollIntervalMs: 60_000 });
    await worker.drain();
    const started = Date.now();
    const sent = await inTransaction((tx) => producer.send(order('o-notify'), { tx }));
    const [request] = await receiver.waitFor(1, '/hook', 10_000);
    expect(request?.headers['webhook-id']).toBe(sent.id);
    // Far below the 60 s poll: the notification sent at the commit woke the worker.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('routes at start what was committed while no worker ran', async () => {
    const schema = `outbox_${(schemas += 1)}`;
    const producer = clientOn({ schema, worker: false });
    const ids = await inTransaction(async (tx) => [
      (await producer.send(order('o-1'), { tx })).id,
      (await producer.send(order('o-2'), { tx })).id,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.requests).toEqual([]);
    const worker = clientOn({ schema });
    await worker.drain();
    expect(new Set(receiver.on('/hook').map((request) => request.headers['webhook-id']))).toEqual(new Set(ids));
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.outbox`);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('routes to the endpoints subscribed at routing time, per owner, and to the named ones only', async () => {
    const endpoints = new MemoryEndpointStore();
    const { endpoint: a } = await endpoints.create({ url: `${receiver.url}/a`, owner: 'acme' }, now());
    await endpoints.create({ url: `${receiver.url}/b`, owner: 'globex' }, now());
    const { endpoint: a2 } = await endpoints.create(
      { url: `${receiver.url}/a2`, owner: 'acme', events: ['order.placed'] },
      now(),
    );
    const client = clientOn({ endpoints });
    const [toOwner, toNamed] = await inTransaction(async (tx) => [
      await client.send(order('o-owner'), { tx, owner: 'acme' }),
      await client.send(order('o-named'), { tx, owner: 'acme', endpointIds: [a2.id] }),
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

  it('checks named endpoints at send time: an unknown one rejects and writes nothing', async () => {
    const client = clientOn();
    await expect(
      inTransaction((tx) => client.send(order('o-unknown'), { tx, endpointIds: ['nope'] })),
    ).rejects.toMatchObject({ name: 'WebhookSendError', code: 'unknown-endpoint' });
  });

  it('keeps a message in the outbox while routing fails, and routes it once the endpoint store is back', async () => {
    const store = new MemoryEndpointStore();
    await store.create({ url: `${receiver.url}/flaky`, id: 'flaky' }, now());
    let down = true;
    const flaky: EndpointStore = {
      endpointsFor: (event, owner) =>
        down ? Promise.reject(new Error('store down')) : store.endpointsFor(event, owner),
      endpointById: (id) => store.endpointById(id),
    };
    const errors: Error[] = [];
    const client = clientOn({ endpoints: flaky });
    client.on('error', (error) => errors.push(error));
    const sent = await inTransaction((tx) => client.send(order('o-flaky'), { tx }));
    await expect(client.drain()).rejects.toThrow(/store down/);
    expect(errors.map((error) => error.message)).toContain('store down');
    expect(receiver.requests).toEqual([]);
    down = false;
    await client.drain();
    expect(receiver.on('/flaky').map((r) => r.headers['webhook-id'])).toEqual([sent.id]);
  });

  it('two workers route a burst of committed messages between them: each delivered once', async () => {
    const schema = `outbox_${(schemas += 1)}`;
    const producer = clientOn({ schema, worker: false });
    const ids = await inTransaction(async (tx) => {
      const sent: string[] = [];
      for (let n = 0; n < 300; n += 1) sent.push((await producer.send(order(`o-burst-${n}`), { tx })).id);
      return sent;
    });
    const workers = [clientOn({ schema, pollIntervalMs: 100 }), clientOn({ schema, pollIntervalMs: 100 })];
    await Promise.all(workers.map((worker) => worker.drain()));
    await receiver.waitFor(300, '/hook', 30_000);
    const received = receiver.on('/hook').map((r) => String(r.headers['webhook-id']));
    expect(received.length).toBe(300);
    expect(new Set(received)).toEqual(new Set(ids));
    // 300 sends and deliveries: about 3 s on an idle machine, and the waitFor above allows 30.
  }, 60_000);

  it('takes what an adapter made of a transaction (postgresTransaction), for any driver', async () => {
    const client = clientOn();
    const sent = await inTransaction((tx) =>
      client.send(order('o-adapter'), { tx: postgresTransaction((text, values) => tx.query(text, [...values])) }),
    );
    const [request] = await receiver.waitFor(1, '/hook', 10_000);
    expect(request?.headers['webhook-id']).toBe(sent.id);
  });

  it('refuses a pool (its queries run outside the transaction) and a non-client, writing nothing', async () => {
    const client = clientOn();
    await expect(client.send(order('o-pool'), { tx: pool })).rejects.toMatchObject({
      name: 'DeliveryQueueError',
      code: 'invalid-transaction',
      message: expect.stringMatching(/pg Pool.*Nothing was written/),
    });
    await expect(client.send(order('o-object'), { tx: {} })).rejects.toBeInstanceOf(DeliveryQueueError);
    await expect(client.send(order('o-null'), { tx: null as unknown as object })).rejects.toMatchObject({
      name: 'WebhookSendError',
      code: 'invalid-option',
    });
  });

  it('refuses { tx } on a queue without an outbox before validating or writing anything', async () => {
    const client = new WebhookClient({
      webhooks: [OrderPlaced],
      endpoints: [{ url: `${receiver.url}/hook`, secret }],
      allowNetworks: ['127.0.0.0/8'],
      queue: new MemoryQueue(),
      worker: false,
    });
    open.push(client);
    const error = await client.send(order('o-memory'), { tx: {} }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookSendError);
    expect(error).toMatchObject({ code: 'unsupported', message: expect.stringContaining('MemoryQueue') });
  });
});
