import { IsInt, IsString } from 'class-validator';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, Webhook, WebhookClient } from '../../../lib';
import { PostgresQueue } from '../../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../../support/postgres-server';
import { checkArrivals, startOverlapReceiver } from './overlap-receiver';

@Webhook('shared.work')
class SharedWork {
  @IsString() label!: string;
  @IsInt() n!: number;
}

const COUNT = 1_000;

describe.runIf(postgresAvailable())(
  'two WebhookClients in one process, each with its own pool, on one database',
  () => {
    let server: TestPostgres;
    let database = '';

    beforeAll(async () => {
      server = await startPostgres();
      database = await server.createDatabase();
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
    });

    it(
      'share 1,000 messages: each delivered once, never two attempts of one message at once, both working',
      { timeout: 120_000 },
      async () => {
        const receiver = await startOverlapReceiver(5);
        const pools = ['a', 'b'].map(() => new Pool({ connectionString: database, max: 4 }));
        const idleErrors = pools.map(recordIdleErrors);
        const secret = generateSecret();
        const clients = ['a', 'b'].map(
          (worker, n) =>
            new WebhookClient({
              webhooks: [SharedWork],
              endpoints: [{ id: 'receiver', url: receiver.url, secret, headers: { 'x-worker': worker } }],
              allowNetworks: ['127.0.0.0/8'],
              queue: new PostgresQueue({ pool: pools[n] as Pool, schema: 'shared', pollIntervalMs: 100 }),
              concurrency: 8,
              endpointConcurrency: 8,
              retry: { schedule: [100, 100, 100], jitter: 0 },
            }),
        );
        try {
          const [a, b] = clients as [WebhookClient, WebhookClient];
          const ids: string[] = [];
          // Both clients send (each message is one row of the shared tables) and both deliver.
          for (let first = 0; first < COUNT; first += 50) {
            const batch = Array.from({ length: 50 }, (_, i) =>
              Object.assign(new SharedWork(), { label: `event-${first + i}`, n: first + i }),
            );
            const sender = first % 100 === 0 ? a : b;
            for (const { id } of await Promise.all(batch.map((event) => sender.send(event)))) ids.push(id);
          }
          await Promise.all(clients.map((client) => client.drain()));
          await expect.poll(() => receiver.distinct(), { timeout: 60_000 }).toBe(COUNT);

          const { lost, changed, duplicates, unexpected } = checkArrivals(ids, receiver.arrivals);
          expect({ lost, changed, duplicates, unexpected }).toEqual({
            lost: [],
            changed: [],
            duplicates: [],
            unexpected: [],
          });
          expect(receiver.overlaps).toEqual([]);
          const byWorker = new Map<string, number>();
          for (const { worker } of receiver.arrivals) byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
          console.log(`two clients: ${byWorker.get('a')} deliveries by a, ${byWorker.get('b')} by b`);
          expect(byWorker.get('a')).toBeGreaterThan(0);
          expect(byWorker.get('b')).toBeGreaterThan(0);
          expect(await clients[0]?.getMessage(ids[0] as string)).toMatchObject({
            deliveries: [{ endpointId: 'receiver', status: 'delivered' }],
          });
        } finally {
          await Promise.all(clients.map((client) => client.close()));
          await Promise.all(pools.map((pool) => pool.end()));
          expect(idleErrors.flatMap(unexpectedIdleErrors)).toEqual([]);
          await receiver.close();
        }
      },
    );
  },
);
