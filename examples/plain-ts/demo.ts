import 'reflect-metadata';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { generateSecret, WebhookClient } from 'hookspec';
import { SqliteQueue } from 'hookspec/sqlite';
import { createShopServer } from './shop-server';
import { createSubscriber, subscriberPaths } from './subscriber';
import { InventoryWebhooks, Subscription } from './webhooks';

/**
 * The demo: a shop API that sends the three example webhooks, queued in a SQLite file so that nothing
 * accepted is lost if the process dies, and a subscriber that verifies them. The subscriber refuses
 * the first attempt of every message to show a retry. The demo calls the shop's routes, prints each
 * attempt and the verified, typed events, then exits.
 */
async function main(): Promise<void> {
  const secret = generateSecret();
  const seen = new Set<string>();
  const subscriber = createSubscriber(secret, ({ path, id, event }) => {
    if (!seen.has(id)) {
      seen.add(id);
      console.log(`  subscriber: ${path} ${id} verified; answering 503 to show a retry`);
      return false;
    }
    console.log(`  subscriber: ${path} ${id} verified, a ${event.constructor.name}: ${JSON.stringify(event)}`);
    return true;
  });
  const subscriberUrl = `http://127.0.0.1:${await listen(subscriber)}`;

  const dataDir = join(__dirname, '..', '.data');
  mkdirSync(dataDir, { recursive: true });
  const outbox = join(dataDir, 'outbox.db');
  const client = new WebhookClient({
    webhooks: [Subscription, InventoryWebhooks],
    // One endpoint per webhook, as a subscriber would register them.
    endpoints: Object.entries(subscriberPaths).map(([path, { webhook }]) => ({
      id: `demo${path.replaceAll('/', '-')}`,
      url: subscriberUrl + path,
      secret,
      events: [webhook],
    })),
    // Durable: a message is in this file before send() resolves, and a restart resumes it.
    queue: new SqliteQueue({ path: outbox }),
    // The SSRF guard refuses loopback unless it is opened on purpose, as here for a local demo.
    allowNetworks: ['127.0.0.0/8'],
    retry: { schedule: [500, 1_000] },
  });
  client.on('attempt', (e) =>
    console.log(`  shop:       ${e.event} attempt ${e.attempt.attempt}: ${e.attempt.status ?? e.attempt.errorCode}`),
  );
  client.on('retry-scheduled', (e) => console.log(`  shop:       retry in ${e.delayMs} ms (${e.reason})`));
  client.on('exhausted', (e) => console.log(`  shop:       gave up on ${e.event}: ${e.reason}`));

  // Written at build time by `hookspec generate` (npm run example:plain-ts); served as it is.
  const document = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as object;
  const shop = createShopServer(client, document);
  const shopUrl = `http://127.0.0.1:${await listen(shop)}`;
  console.log(`hookspec demo: the shop at ${shopUrl} sends webhooks to the subscriber at ${subscriberUrl}`);
  console.log(
    `  (queued durably in ${relative(process.cwd(), outbox)}: a message is there before the shop answers 202)`,
  );

  const calls: [string, object][] = [
    ['/subscriptions', { username: 'ada', monthly_fee: 9.99, start_date: '2026-12-01T09:00:00Z' }],
    [
      '/payments',
      {
        order_id: '3f1c1f9e-6a55-4c57-9a4f-7d3f2d1b9c10',
        payment_amount: 4200,
        payment_time: new Date().toISOString(),
        user_id: 'u-7',
      },
    ],
    ['/stock-changes', { sku: 'A-1', quantity: 3, direction: 'down' }],
    // Invalid: refused with the failing properties, and nothing is queued.
    ['/stock-changes', { sku: 'A-1', quantity: -1, direction: 'sideways' }],
  ];
  for (const [route, body] of calls) {
    const response = await fetch(shopUrl + route, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    console.log(`  shop:       POST ${route} -> ${response.status} ${await response.text()}`);
  }
  await client.drain();
  await client.close();
  shop.close();
  subscriber.close();
  console.log('hookspec demo: every accepted webhook delivered and verified');
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
