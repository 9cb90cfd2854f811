import { IsInt, IsString } from 'class-validator';
import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DeliveryQueueError, generateSecret, verifyWebhook, Webhook, WebhookClient } from '../../lib';
import { PostgresQueue } from '../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { drizzleOrm, knex, kysely, pgClient, prisma, typeorm, type OrmUnderTest } from './orm-transactions';

@Webhook('order.placed')
class OrderPlaced {
  @IsString() orderId!: string;
  @IsInt() total!: number;
}

/** How each application holds its transaction (orm-transactions.ts), made once the server runs. */
const ORMS: Record<string, (url: string) => OrmUnderTest | Promise<OrmUnderTest>> = {
  'a pg PoolClient after BEGIN': pgClient,
  'TypeORM, the EntityManager of DataSource.transaction()': (url) => typeorm(url, 'manager'),
  'TypeORM, a QueryRunner after startTransaction()': (url) => typeorm(url, 'queryRunner'),
  'Prisma 7, an interactive transaction: prismaTx(tx)': prisma,
  'Kysely, a Transaction: kyselyTx(trx)': kysely,
  'Knex, a transaction: knexTx(trx)': knex,
  'Drizzle on node-postgres, a transaction: drizzleTx(tx)': drizzleOrm,
};

// Deliveries are waited for up to 10 s (waitFor) on a machine the whole suite loads: more than the default 5 s.
vi.setConfig({ testTimeout: 30_000 });

describe.runIf(postgresAvailable())('send(payload, { tx }) in the transaction of each ORM, on PostgresQueue', () => {
  let server: TestPostgres;
  let pool: Pool;
  let idleErrors: string[];
  let receiver: RecordingServer;
  const orms = new Map<string, OrmUnderTest>();
  const secret = generateSecret();
  let schemas = 0;
  let orders = 0;
  const open: WebhookClient[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    const database = await server.createDatabase();
    pool = new Pool({ connectionString: database, max: 4 });
    idleErrors = recordIdleErrors(pool);
    await pool.query('CREATE TABLE orders (id text PRIMARY KEY, total integer NOT NULL)');
    receiver = await startRecordingServer();
    for (const [name, make] of Object.entries(ORMS)) orms.set(name, await make(database));
  }, 120_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
    receiver.requests.splice(0);
  });

  afterAll(async () => {
    for (const orm of orms.values()) await orm.close();
    await receiver?.close();
    await pool?.end();
    await server?.stop();
    expect(unexpectedIdleErrors(idleErrors ?? [])).toEqual([]);
  });

  /** A client with a worker, on a fresh schema of the database. */
  function clientOn() {
    const schema = `outbox_${(schemas += 1)}`;
    const client = new WebhookClient({
      webhooks: [OrderPlaced],
      endpoints: [{ id: 'shop', url: `${receiver.url}/hook`, secret }],
      allowNetworks: ['127.0.0.0/8'],
      queue: new PostgresQueue({ pool, schema, pollIntervalMs: 60_000 }),
      retry: { schedule: [50, 50], jitter: 0 },
    });
    open.push(client);
    return { client, schema };
  }

  /** An order id with what a careless placeholder rewrite would break: `?`, `??`, `$1`, quotes. */
  const orderId = () => `o-${(orders += 1)} why? ?? $1 'quoted' "double" \\?`;

  const placed = (id: string, total: number) => Object.assign(new OrderPlaced(), { orderId: id, total });

  async function rows(text: string, values: unknown[] = []): Promise<unknown[]> {
    return (await pool.query(text, values)).rows;
  }

  describe.each(Object.keys(ORMS))('%s', (name) => {
    const orm = () => orms.get(name) as OrmUnderTest;

    it('commits the order and its webhook together: delivered, signed, with the id send() answered', async () => {
      const { client } = clientOn();
      const id = orderId();
      // endpointIds: a text[] value, bound through the ORM as the other values are.
      const sent = await orm().transaction(
        { id, total: 250 },
        (tx) => client.send(placed(id, 250), { tx, endpointIds: ['shop'] }),
        'commit',
      );
      expect(sent).toEqual({ id: expect.stringMatching(/^msg_/), event: 'order.placed' });
      const [request] = await receiver.waitFor(1, '/hook', 10_000);
      expect(request?.headers['webhook-id']).toBe(sent.id);
      expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, secret)).toEqual({ orderId: id, total: 250 });
      await client.drain();
      const view = await client.getMessage(sent.id);
      expect(view?.deliveries.map((d) => [d.endpointId, d.status])).toEqual([['shop', 'delivered']]);
      expect(await rows('SELECT total FROM orders WHERE id = $1', [id])).toEqual([{ total: 250 }]);
    });

    it('rolls back the order and its webhook together: neither exists, and nothing is ever sent', async () => {
      const { client, schema } = clientOn();
      const id = orderId();
      const rolledBack = await orm().transaction(
        { id, total: 1 },
        (tx) => client.send(placed(id, 1), { tx }),
        'rollback',
      );
      expect(rolledBack.id).toMatch(/^msg_/);
      await client.drain();
      // A later committed message is delivered: the worker ran, and still never saw the rolled-back one.
      const laterId = orderId();
      const later = await orm().transaction(
        { id: laterId, total: 2 },
        (tx) => client.send(placed(laterId, 2), { tx }),
        'commit',
      );
      await client.drain();
      expect(receiver.on('/hook').map((request) => request.headers['webhook-id'])).toEqual([later.id]);
      expect(await client.getMessage(rolledBack.id)).toBeUndefined();
      expect(await rows('SELECT id FROM orders WHERE id = $1', [id])).toEqual([]);
      expect(await rows(`SELECT id FROM ${schema}.outbox`)).toEqual([]);
    });

    it('refuses what is not an open transaction, naming it, and writes nothing', async () => {
      const { client, schema } = clientOn();
      // The queue's schema exists: a write that slipped through would show in its tables.
      await client.drain();
      expect(orm().refused.length).toBeGreaterThan(0);
      for (const { what, tx, says } of orm().refused) {
        const error: unknown = await (async () => client.send(placed(`refused ${what}`, 3), { tx: tx() }))().catch(
          (caught: unknown) => caught,
        );
        expect(error, what).toBeInstanceOf(DeliveryQueueError);
        expect(error, what).toMatchObject({ code: 'invalid-transaction' });
        expect((error as Error).message, what).toMatch(says);
        expect((error as Error).message, what).toMatch(/Nothing was written\.$/);
      }
      expect(await rows(`SELECT id FROM ${schema}.outbox`)).toEqual([]);
      expect(await rows(`SELECT id FROM ${schema}.messages`)).toEqual([]);
      expect(receiver.requests).toEqual([]);
    });
  });
});
