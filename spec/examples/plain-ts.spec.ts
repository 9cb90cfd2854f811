import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { generateSecret, WebhookClient } from 'hookspec';
import { SqliteQueue } from '../../lib/queues/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopServer } from '../../examples/plain-ts/shop-server';
import type { ReceivedEvent } from '../../examples/plain-ts/subscriber';
import { createSubscriber, subscriberPaths } from '../../examples/plain-ts/subscriber';
import { InventoryWebhooks, PaymentSuccess, StockChange, Subscription } from '../../examples/plain-ts/webhooks';

const golden = readFileSync(join(__dirname, '..', '..', 'examples', 'plain-ts', 'openapi.json'), 'utf8');

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

describe('examples/plain-ts: the shop and its subscriber on loopback', () => {
  const secret = generateSecret();
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-example-'));
  const received: ReceivedEvent[] = [];
  let waiters: (() => void)[] = [];
  const subscriber = createSubscriber(secret, (event) => {
    received.push(event);
    for (const wake of waiters) wake();
    waiters = [];
    return true;
  });
  let client: WebhookClient<readonly [typeof Subscription, typeof InventoryWebhooks]>;
  let shop: Server;
  let shopUrl: string;

  const post = async (route: string, body: unknown) => {
    const response = await fetch(shopUrl + route, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Resolves once the subscriber has verified the message `id` (bounded by the test's timeout). */
  const arrival = async (id: unknown): Promise<ReceivedEvent> => {
    for (;;) {
      const found = received.find((r) => r.id === id);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };

  beforeAll(async () => {
    const subscriberUrl = await listen(subscriber);
    client = new WebhookClient({
      webhooks: [Subscription, InventoryWebhooks],
      endpoints: Object.entries(subscriberPaths).map(([path, { webhook }]) => ({
        url: subscriberUrl + path,
        secret,
        events: [webhook],
      })),
      queue: new SqliteQueue({ path: join(dir, 'outbox.db') }),
      allowNetworks: ['127.0.0.0/8'],
    });
    shop = createShopServer(client, JSON.parse(golden) as object);
    shopUrl = await listen(shop);
  });

  afterAll(async () => {
    await client.close();
    await new Promise((resolve) => shop.close(resolve));
    await new Promise((resolve) => subscriber.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the committed OpenAPI 3.1 document with the three webhooks', async () => {
    const response = await fetch(`${shopUrl}/openapi.json`);
    const document = (await response.json()) as { webhooks: Record<string, unknown> };
    expect(document).toEqual(JSON.parse(golden));
    expect(Object.keys(document.webhooks).sort()).toEqual(['new-subscription', 'payment-success', 'stock-changed']);
    const result = await new Validator().validate(document as never);
    expect(result.errors).toBeUndefined();
  });

  it('delivers each of the seed cases, verified and typed, to the subscribed path only', async () => {
    const cases: [string, object, string, new () => object][] = [
      [
        '/subscriptions',
        { username: 'ada', monthly_fee: 9.99, start_date: '2026-12-01T09:00:00Z' },
        '/hooks/subscriptions',
        Subscription,
      ],
      [
        '/payments',
        {
          order_id: '3f1c1f9e-6a55-4c57-9a4f-7d3f2d1b9c10',
          payment_amount: 4200,
          payment_time: '2026-11-27T10:00:00Z',
          user_id: 'u-7',
        },
        '/hooks/payments',
        PaymentSuccess,
      ],
      ['/stock-changes', { sku: 'A-1', quantity: 3, direction: 'down' }, '/hooks/stock', StockChange],
    ];
    for (const [route, body, path, type] of cases) {
      const accepted = await post(route, body);
      expect(accepted).toMatchObject({ status: 202, body: { id: expect.stringMatching(/^msg_/), deliveries: 1 } });
      const arrived = await arrival(accepted.body.id);
      expect(arrived.path).toBe(path);
      expect(arrived.event).toBeInstanceOf(type);
    }
    const payment = (await arrival((await post('/payments', cases[1]?.[1])).body.id)).event as PaymentSuccess;
    expect(payment.payment_time).toEqual(new Date('2026-11-27T10:00:00Z'));
    await client.drain();
    expect(received.filter((r) => r.path === '/hooks/payments')).toHaveLength(2);
  });

  it('refuses an invalid event with its failing properties and queues nothing', async () => {
    const before = received.length;
    const refused = await post('/stock-changes', { sku: 'A-1', quantity: -1, direction: 'sideways' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid-payload');
    expect((refused.body.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(['direction', 'quantity']);
    await client.drain();
    expect(received).toHaveLength(before);
  });
});
