import { generateSecret, WebhookClient, WebhookClientConfigError, WebhookSendError } from 'hookspec';
import type { ExhaustedEvent, WebhookEndpoint } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../support/recording-server';
import { LOOPBACK, Orders, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('drain() and close()', () => {
  it('drain() rejects when the client is closed with retries still pending, which stay queued', async () => {
    const server = await startRecordingServer({ answer: () => ({ status: 500 }) });
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: server.url, secret: generateSecret() }],
      allowNetworks: LOOPBACK,
      retry: { schedule: [60_000] },
    });
    cleanup.push(() => server.close());
    const { id } = await client.send(subscription());
    await server.waitFor(1);
    const draining = client.drain();
    await client.close();
    await expect(draining).rejects.toThrow(WebhookSendError);
    await expect(draining).rejects.toThrow(/closed before every delivery ended/);
    await expect(client.drain()).rejects.toThrow(/drain\(\) on a closed WebhookClient/);
    expect((await client.getMessage(id))?.deliveries[0]?.status).toBe('pending');
  });
});

describe('an endpoint disabled by 410', () => {
  it('is not redelivered to until enableEndpoint(), then gets the message it missed', async () => {
    let gone = true;
    const server = await startRecordingServer({ answer: () => ({ status: gone ? 410 : 204 }) });
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ id: 'crm', url: server.url, secret: generateSecret() }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const { id } = await client.send(subscription());
    await client.drain();
    // Nothing restarts while the endpoint is disabled, and the answer says why.
    expect(await client.redeliver(id)).toEqual({
      restarted: 0,
      skipped: [{ endpointId: 'crm', reason: 'endpoint-disabled' }],
    });
    gone = false;
    await client.enableEndpoint('crm');
    expect(await client.redeliver(id, { endpointId: 'crm' })).toEqual({ restarted: 1, skipped: [] });
    expect(await client.redeliver(id)).toEqual({ restarted: 0, skipped: [{ endpointId: 'crm', reason: 'pending' }] });
    await client.drain();
    expect((await client.getMessage(id))?.deliveries[0]?.status).toBe('delivered');
    expect(server.requests).toHaveLength(2);
    expect(await client.redeliver(id)).toEqual({ restarted: 0, skipped: [{ endpointId: 'crm', reason: 'delivered' }] });
    // A resend includes what was delivered: same webhook-id, same bytes.
    expect(await client.redeliver(id, { includeDelivered: true })).toEqual({ restarted: 1, skipped: [] });
    await client.drain();
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.headers['webhook-id']).toBe(id);
    expect(server.requests[2]?.body).toBe(server.requests[1]?.body);
    await expect(client.redeliver(id, { endpointId: 'other' })).rejects.toThrow(
      "redeliver('" + id + "', { endpointId: 'other' }): the message has no delivery to this endpoint.",
    );
    await expect(client.enableEndpoint('nope')).rejects.toThrow("enableEndpoint('nope'): no endpoint has this id.");
  });
});

describe('endpoints from a store', () => {
  it('are filtered by their events and checked before each attempt', async () => {
    const server = await startRecordingServer();
    const good: WebhookEndpoint = {
      id: 'good',
      url: `${server.url}/good`,
      secret: generateSecret(),
      events: ['new-subscription'],
    };
    const other: WebhookEndpoint = {
      id: 'other',
      url: `${server.url}/other`,
      secret: generateSecret(),
      events: ['order.placed'],
    };
    const broken: WebhookEndpoint = {
      id: 'broken',
      url: `${server.url}/broken`,
      secret: 'whsec_not-base64!',
      headers: { Host: 'internal' },
    };
    const all = [good, other, broken];
    const client = new WebhookClient({
      webhooks: [Subscription, Orders],
      endpoints: { endpointsFor: async () => all, endpointById: async (id) => all.find((e) => e.id === id) },
      allowNetworks: LOOPBACK,
      retry: { schedule: [] },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const exhausted: ExhaustedEvent[] = [];
    client.on('exhausted', (e) => exhausted.push(e));
    const { deliveries } = await client.send(subscription());
    await client.drain();
    expect(deliveries.map((d) => d.endpointId)).toEqual(['good', 'broken']);
    expect(server.requests.map((r) => r.path)).toEqual(['/good']);
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]).toMatchObject({ endpointId: 'broken', reason: 'invalid-endpoint' });
    expect(exhausted[0]?.attempts[0]?.error).toMatch(/^endpoint 'broken' \(.*\/broken\): /);
    expect(exhausted[0]?.attempts[0]?.error).not.toContain('not-base64');
  });
});

describe('construction', () => {
  it('refuses worker: false with the in-memory queue, which nothing else could deliver from', () => {
    expect(() => new WebhookClient({ webhooks: [Subscription], endpoints: [], worker: false })).toThrow(
      /worker: false only enqueues, and the default in-memory queue is seen by this process alone/,
    );
  });

  it('reports an invalid allowNetworks CIDR as a configuration error', () => {
    expect(
      () => new WebhookClient({ webhooks: [Subscription], endpoints: [], allowNetworks: ['127.0.0.0/99'] }),
    ).toThrow(WebhookClientConfigError);
  });
});
