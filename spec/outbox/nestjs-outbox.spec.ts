import { Injectable, type INestApplicationContext, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt, IsString } from 'class-validator';
import { Pool } from 'pg';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSecret, verifyWebhook, Webhook, WebhookClient } from '../../lib';
import { HookspecModule } from '../../lib/frameworks/nestjs';
import { PostgresQueue } from '../../lib/queues/postgres';
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

@Entity('orders')
class Order {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'integer' }) total!: number;
}

class PaymentDeclined extends Error {}

/** The recipe of docs/outbox.md: the order and its webhook in one TypeORM transaction. */
@Injectable()
class OrdersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly webhooks: WebhookClient,
  ) {}

  async place(order: Order, payment: 'accepted' | 'declined' = 'accepted'): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await manager.save(order);
      const { id } = await this.webhooks.send(
        Object.assign(new OrderPlaced(), { orderId: order.id, total: order.total }),
        { tx: manager },
      );
      // A failure after the send, in the same transaction: the webhook is rolled back with the order.
      if (payment === 'declined') throw new PaymentDeclined(id);
      return id;
    });
  }
}

const silent: LoggerService = { log() {}, error() {}, warn() {} };
const order = (id: string, total: number) => Object.assign(new Order(), { id, total });

// Deliveries are waited for up to 10 s (waitFor) on a machine the whole suite loads: more than the default 5 s.
vi.setConfig({ testTimeout: 30_000 });

describe.runIf(postgresAvailable())('the NestJS recipe: TypeORM DataSource.transaction() and HookspecModule', () => {
  let server: TestPostgres;
  let pool: Pool;
  let idleErrors: string[];
  let receiver: RecordingServer;
  let app: INestApplicationContext;
  let dataSource: DataSource;
  const secret = generateSecret();

  beforeAll(async () => {
    server = await startPostgres();
    const url = await server.createDatabase();
    pool = new Pool({ connectionString: url, max: 4 });
    idleErrors = recordIdleErrors(pool);
    await pool.query('CREATE TABLE orders (id text PRIMARY KEY, total integer NOT NULL)');
    receiver = await startRecordingServer();
    dataSource = await new DataSource({ type: 'postgres', url, entities: [Order], poolSize: 3 }).initialize();
    const moduleRef = await Test.createTestingModule({
      imports: [
        HookspecModule.forRoot({
          webhooks: [OrderPlaced],
          endpoints: [{ id: 'shop', url: `${receiver.url}/hook`, secret }],
          allowNetworks: ['127.0.0.0/8'],
          queue: new PostgresQueue({ pool, pollIntervalMs: 60_000 }),
        }),
      ],
      // What @nestjs/typeorm's TypeOrmModule provides: the DataSource, injected by its class.
      providers: [{ provide: DataSource, useValue: dataSource }, OrdersService],
    })
      .setLogger(silent)
      .compile();
    app = await moduleRef.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await receiver?.close();
    await pool?.end();
    await server?.stop();
    expect(unexpectedIdleErrors(idleErrors ?? [])).toEqual([]);
  });

  it('commits the order and delivers its webhook, signed, with the id send() answered', async () => {
    const id = await app.get(OrdersService).place(order('o-nest-1', 120));
    const [request] = await receiver.waitFor(1, '/hook', 10_000);
    expect(request?.headers['webhook-id']).toBe(id);
    expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, secret)).toEqual({
      orderId: 'o-nest-1',
      total: 120,
    });
    expect((await pool.query('SELECT total FROM orders WHERE id = $1', ['o-nest-1'])).rows).toEqual([{ total: 120 }]);
  });

  it('rolls the webhook back with the order when the service fails after send()', async () => {
    const client = app.get(WebhookClient);
    await client.drain();
    receiver.requests.splice(0);
    const declined = await app
      .get(OrdersService)
      .place(order('o-nest-2', 5), 'declined')
      .catch((error: unknown) => error);
    expect(declined).toBeInstanceOf(PaymentDeclined);
    const rolledBackId = (declined as Error).message;
    const laterId = await app.get(OrdersService).place(order('o-nest-3', 7));
    await client.drain();
    expect(receiver.on('/hook').map((request) => request.headers['webhook-id'])).toEqual([laterId]);
    expect(await client.getMessage(rolledBackId)).toBeUndefined();
    expect((await pool.query('SELECT id FROM orders WHERE id = $1', ['o-nest-2'])).rows).toEqual([]);
  });
});
