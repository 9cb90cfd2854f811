import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookAdmin, WebhookClient } from 'hookspec';
import { SqliteEndpointStore, SqliteQueue } from '../../lib/queues/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShopServer } from '../../examples/plain-ts/shop-server';
import type { ReceivedEvent } from '../../examples/plain-ts/subscriber';
import { createSubscriber } from '../../examples/plain-ts/subscriber';
import { InventoryWebhooks, Subscription } from '../../examples/plain-ts/webhooks';

const golden = readFileSync(join(__dirname, '..', '..', 'examples', 'plain-ts', 'openapi.json'), 'utf8');

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

interface Answer {
  status: number;
  json: Record<string, unknown> & { data?: Record<string, unknown>[] };
}

describe('examples/plain-ts: accounts register endpoints and read their messages through the management API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-example-admin-'));
  const file = join(dir, 'webhooks.db');
  const secrets = new Map<string, string>();
  const received: ReceivedEvent[] = [];
  const subscriber = createSubscriber(
    (path) => secrets.get(path),
    (event) => {
      received.push(event);
      return true;
    },
  );
  let client: WebhookClient<readonly [typeof Subscription, typeof InventoryWebhooks]>;
  let admin: WebhookAdmin;
  let shop: Server;
  let shopUrl: string;
  let subscriberUrl: string;

  const call = async (method: string, route: string, token?: string, body?: object): Promise<Answer> => {
    const response = await fetch(shopUrl + route, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Answer['json']) };
  };

  beforeAll(async () => {
    subscriberUrl = await listen(subscriber);
    client = new WebhookClient({
      webhooks: [Subscription, InventoryWebhooks],
      endpoints: new SqliteEndpointStore({ path: file }),
      queue: new SqliteQueue({ path: file }),
      allowNetworks: ['127.0.0.0/8'],
    });
    admin = new WebhookAdmin(client, { portalSecret: 'a-portal-secret-for-the-example-spec' });
    shop = createShopServer(client, JSON.parse(golden) as object, {
      admin,
      accounts: { 'token-ada': 'acct_ada', 'token-bob': 'acct_bob' },
    });
    shopUrl = await listen(shop);
  });

  afterAll(async () => {
    await admin.close();
    await client.close();
    await new Promise((resolve) => shop.close(resolve));
    await new Promise((resolve) => subscriber.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers an account's messages to the endpoint it registered, and shows them to it alone", async () => {
    expect((await call('GET', '/webhooks/endpoints')).status).toBe(401);
    expect((await call('GET', '/webhooks/endpoints', 'token-nobody')).status).toBe(401);

    const created = await call('POST', '/webhooks/endpoints', 'token-ada', {
      url: `${subscriberUrl}/hooks/subscriptions`,
      events: ['new-subscription'],
    });
    expect(created.status).toBe(201);
    expect(created.json.secret).toMatch(/^whsec_/);
    secrets.set('/hooks/subscriptions', created.json.secret as string);
    const endpointId = (created.json.endpoint as { id: string; owner?: string }).id;

    // Sent for Bob: Ada's endpoint gets nothing. Sent for Ada: it does.
    const body = { username: 'ada', monthly_fee: 9.99, start_date: '2026-12-01T09:00:00Z' };
    expect((await call('POST', '/subscriptions', 'token-bob', body)).json.deliveries).toBe(0);
    const sent = await call('POST', '/subscriptions', 'token-ada', body);
    expect(sent).toMatchObject({ status: 202, json: { deliveries: 1 } });
    await client.drain();
    expect(received.map((r) => r.id)).toEqual([sent.json.id]);

    const page = await call('GET', '/webhooks/messages', 'token-ada');
    expect(page.json.data).toHaveLength(1);
    expect(page.json.data?.[0]).toMatchObject({
      id: sent.json.id,
      event: 'new-subscription',
      deliveries: [{ endpointId, state: 'delivered', attempts: [{ attempt: 1, status: 204 }] }],
    });
    // Bob sees neither Ada's endpoint nor her message.
    expect((await call('GET', '/webhooks/endpoints', 'token-bob')).json.data).toEqual([]);
    expect((await call('GET', '/webhooks/messages', 'token-bob')).json.data).toEqual([]);
    expect((await call('GET', `/webhooks/messages/${String(sent.json.id)}`, 'token-bob')).status).toBe(404);
  });

  it("serves the portal's page, and a portal token for Ada reaches Ada's endpoints only", async () => {
    const page = await fetch(`${shopUrl}/webhooks/portal`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain('<script src="portal/portal.js" defer></script>');
    const token = admin.portalToken({ owner: 'acct_ada' });
    const session = await call('GET', '/webhooks/portal/session', token);
    expect(session.json).toMatchObject({ owner: 'acct_ada', capabilities: ['view'] });
    const endpoints = await call('GET', '/webhooks/endpoints', token);
    expect(endpoints.json.data?.map((endpoint) => endpoint.owner)).toEqual(['acct_ada']);
    const refused = await call('POST', '/webhooks/endpoints', token, { url: `${subscriberUrl}/hooks/other` });
    expect({ status: refused.status, code: refused.json.code }).toEqual({ status: 403, code: 'forbidden' });
    expect((await call('GET', '/webhooks/endpoints', `${token}x`)).status).toBe(401);
  });
});
