import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { WebhookAdmin, WebhookClient } from 'hookspec';
import { SqliteEndpointStore, SqliteQueue } from 'hookspec/sqlite';
import { createShopServer } from './shop-server';
import { createSubscriber, subscriberPaths } from './subscriber';
import { InventoryWebhooks, Subscription } from './webhooks';

/** The few fields of the management API's answers the demo prints (docs/managing.md has them all). */
interface Answer {
  secret: string;
  endpoint: { id: string };
  data: {
    id: string;
    event: string;
    deliveries: { state: string; attempts: { status?: number; errorCode?: string }[] }[];
  }[];
}

/** The shop's accounts, for the demo: a bearer token and the account it stands for. */
const TOKEN = 'demo-token-ada';
const ACCOUNT = 'acct_ada';

/**
 * The demo: a shop API that sends the three example webhooks, with its endpoints and its queue in one
 * SQLite file, so that nothing accepted is lost if the process dies. An account registers one endpoint
 * per webhook through the shop's management API (each gets its own secret, shown once), the shop sends
 * for that account, the subscriber verifies (refusing the first attempt of every message to show a
 * retry), and the account reads its messages and attempts back through the same API. Last, the shop
 * mints a portal link for the account and prints it; `--serve` keeps the shop running to open it.
 */
async function main(): Promise<void> {
  const secrets = new Map<string, string>();
  const seen = new Set<string>();
  const subscriber = createSubscriber(
    (path) => secrets.get(path),
    ({ path, id, event }) => {
      if (!seen.has(id)) {
        seen.add(id);
        console.log(`  subscriber: ${path} ${id} verified; answering 503 to show a retry`);
        return false;
      }
      console.log(`  subscriber: ${path} ${id} verified, a ${event.constructor.name}: ${JSON.stringify(event)}`);
      return true;
    },
  );
  const subscriberUrl = `http://127.0.0.1:${await listen(subscriber)}`;

  const dataDir = join(__dirname, '..', '.data');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'webhooks.db');
  // A fresh file per run: the endpoints a previous run registered pointed at a subscriber that is gone.
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const client = new WebhookClient({
    webhooks: [Subscription, InventoryWebhooks],
    // Registered at run time, per account, through the management API below.
    endpoints: new SqliteEndpointStore({ path: file }),
    // Durable: a message is in this file before send() resolves, and a restart resumes it.
    queue: new SqliteQueue({ path: file }),
    // The SSRF guard refuses loopback unless it is opened on purpose, as here for a local demo.
    allowNetworks: ['127.0.0.0/8'],
    retry: { schedule: [500, 1_000] },
  });
  client.on('attempt', (e) =>
    console.log(`  shop:       ${e.event} attempt ${e.attempt.attempt}: ${e.attempt.status ?? e.attempt.errorCode}`),
  );
  client.on('retry-scheduled', (e) => console.log(`  shop:       retry in ${e.delayMs} ms (${e.reason})`));
  client.on('exhausted', (e) => console.log(`  shop:       gave up on ${e.event}: ${e.reason}`));
  // The key that signs portal links: from the app's secret store in production; a fresh one per demo run.
  const admin = new WebhookAdmin(client, { portalSecret: randomBytes(32) });

  // Written at build time by `hookspec generate` (npm run example:plain-ts); served as it is.
  const document = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as object;
  const shop = createShopServer(client, document, { admin, accounts: { [TOKEN]: ACCOUNT } });
  const shopUrl = `http://127.0.0.1:${await listen(shop)}`;
  console.log(`hookspec demo: the shop at ${shopUrl} sends webhooks to the subscriber at ${subscriberUrl}`);
  console.log(
    `  (endpoints and queue in ${relative(process.cwd(), file)}: a message is there before the shop answers 202)`,
  );
  const call = async (method: string, route: string, body?: object): Promise<{ status: number; json: Answer }> => {
    const response = await fetch(shopUrl + route, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: (text === '' ? {} : JSON.parse(text)) as Answer };
  };

  // The account registers its endpoints; each answer carries the endpoint's secret, this once.
  for (const [path, { webhook }] of Object.entries(subscriberPaths)) {
    const { status, json } = await call('POST', '/webhooks/endpoints', {
      url: subscriberUrl + path,
      events: [webhook],
    });
    secrets.set(path, json.secret);
    console.log(
      `  account:    POST /webhooks/endpoints -> ${status} ${json.endpoint.id} for ${webhook} (secret shown once)`,
    );
  }

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
    const { status, json } = await call('POST', route, body);
    console.log(`  shop:       POST ${route} -> ${status} ${JSON.stringify(json)}`);
  }
  await client.drain();

  // What the account sees of it: its messages, each delivery's state and attempts.
  const { json: page } = await call('GET', '/webhooks/messages?limit=10');
  for (const message of page.data) {
    for (const delivery of message.deliveries) {
      const attempts = delivery.attempts.map((a) => a.status ?? a.errorCode);
      console.log(
        `  account:    GET /webhooks/messages: ${message.event} ${message.id} ${delivery.state}, attempts ${attempts.join(', ')}`,
      );
    }
  }

  // The portal: a link the shop would show the account, its token in the fragment (never sent to a server).
  const token = admin.portalToken({
    owner: ACCOUNT,
    ttlMs: 60 * 60 * 1000,
    capabilities: ['view', 'manage-endpoints', 'view-secret', 'resend'],
  });
  const session = await fetch(`${shopUrl}/webhooks/portal/session`, { headers: { authorization: `Bearer ${token}` } });
  const { capabilities, expiresAt } = (await session.json()) as { capabilities: string[]; expiresAt: string };
  console.log(`  account:    portal for ${ACCOUNT} (${capabilities.join(', ')}; until ${expiresAt}):`);
  console.log(`              ${shopUrl}/webhooks/portal#token=${token}`);

  const stop = async (): Promise<void> => {
    await admin.close();
    await client.close();
    shop.close();
    subscriber.close();
  };
  if (process.argv.includes('--serve')) {
    console.log('hookspec demo: serving the shop and its portal; Ctrl-C stops');
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return;
  }
  await stop();
  console.log('hookspec demo: every accepted webhook delivered, verified, and read back through the management API');
  console.log(
    '  (the demo has stopped, and the link with it: `node examples/plain-ts/dist/demo.js --serve` keeps it open)',
  );
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
