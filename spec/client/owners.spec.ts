import { generateSecret, WebhookClient, WebhookClientConfigError, WebhookSendError } from 'hookspec';
import type { EndpointStore, WebhookEndpoint } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { LOOPBACK, Orders, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(endpoints: readonly WebhookEndpoint[] | EndpointStore): Promise<{
  server: RecordingServer;
  client: WebhookClient;
}> {
  const server = await startRecordingServer();
  const client = new WebhookClient({ webhooks: [Subscription, Orders], endpoints, allowNetworks: LOOPBACK });
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  return { server, client };
}

/** Three endpoints on one server, told apart by their path: owner A, owner B, and one without an owner. */
function endpointsOn(url: string): WebhookEndpoint[] {
  return [
    { id: 'a', owner: 'acct_A', url: `${url}/a`, secret: generateSecret() },
    { id: 'b', owner: 'acct_B', url: `${url}/b`, secret: generateSecret() },
    { id: 'mine', url: `${url}/mine`, secret: generateSecret() },
  ];
}

describe('send(payload, { owner })', () => {
  it("delivers only to that owner's endpoints, and records the owner on the message", async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const { client } = await setup(endpointsOn(server.url));
    const sent = await client.send(subscription(), { owner: 'acct_A' });
    await client.drain();
    expect(sent).toMatchObject({ owner: 'acct_A', deliveries: [{ endpointId: 'a' }], skipped: [] });
    expect(server.requests.map((r) => r.path)).toEqual(['/a']);
    expect((await client.getMessage(sent.id))?.message.owner).toBe('acct_A');
  });

  it('delivers a send without an owner only to endpoints without one', async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const { client } = await setup(endpointsOn(server.url));
    const sent = await client.send(subscription());
    await client.drain();
    expect(sent.deliveries.map((d) => d.endpointId)).toEqual(['mine']);
    expect(server.requests.map((r) => r.path)).toEqual(['/mine']);
    expect((await client.getMessage(sent.id))?.message).not.toHaveProperty('owner');
  });

  it("keeps only the owner's endpoints even when a store answers every endpoint", async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const all = endpointsOn(server.url);
    // A store that ignores the owner it is given: the client must not leak A's message to B.
    const careless: EndpointStore = {
      endpointsFor: async () => all,
      endpointById: async (id) => all.find((e) => e.id === id),
    };
    const { client } = await setup(careless);
    await client.send(subscription(), { owner: 'acct_B' });
    await client.drain();
    expect(server.requests.map((r) => r.path)).toEqual(['/b']);
  });

  it('tells a store the owner, so it can narrow its lookup', async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const asked: [string, string | undefined][] = [];
    const all = endpointsOn(server.url);
    const store: EndpointStore = {
      endpointsFor: async (event, owner) => {
        asked.push([event, owner]);
        return all.filter((e) => e.owner === owner);
      },
      endpointById: async (id) => all.find((e) => e.id === id),
    };
    const { client } = await setup(store);
    await client.send(subscription(), { owner: 'acct_A' });
    await client.send(subscription());
    expect(asked).toEqual([
      ['new-subscription', 'acct_A'],
      ['new-subscription', undefined],
    ]);
  });

  it('refuses an owner that is not a non-empty string, and queues nothing', async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const { client } = await setup(endpointsOn(server.url));
    for (const owner of ['', 42, 'x'.repeat(129)]) {
      const error = await client.send(subscription(), { owner: owner as string }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebhookSendError);
      expect((error as WebhookSendError).code).toBe('invalid-option');
      expect((error as Error).message).toContain('owner is the customer or account id');
    }
    const nul = await client.send(subscription(), { owner: 'acme\0' }).catch((e: unknown) => e);
    expect(nul).toMatchObject({ name: 'WebhookSendError', code: 'invalid-option' });
    expect((nul as Error).message).toContain('NUL character (U+0000)');
    await client.drain();
    expect(server.requests).toEqual([]);
  });

  it('refuses an endpoint list whose owner is not a non-empty string', () => {
    expect(
      () =>
        new WebhookClient({
          webhooks: [Subscription],
          endpoints: [{ url: 'https://example.com/in', secret: generateSecret(), owner: '' }],
        }),
    ).toThrow(WebhookClientConfigError);
  });
});

describe('send(payload, { endpointIds })', () => {
  it('delivers only to the named endpoints, whatever their events filter', async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const endpoints = endpointsOn(server.url).map((e) => ({ ...e, events: ['order.placed'] }));
    const { client } = await setup(endpoints);
    // Subscribed to nothing of this webhook, yet named: a test event goes to it.
    expect((await client.send(subscription(), { owner: 'acct_A' })).deliveries).toEqual([]);
    const sent = await client.send(subscription(), { owner: 'acct_A', endpointIds: ['a', 'a'] });
    await client.drain();
    expect(sent.deliveries.map((d) => d.endpointId)).toEqual(['a']);
    expect(server.requests.map((r) => r.path)).toEqual(['/a']);
  });

  it("refuses another owner's endpoint as if it did not exist, and queues nothing", async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const { client } = await setup(endpointsOn(server.url));
    await expect(client.send(subscription(), { owner: 'acct_A', endpointIds: ['a', 'b'] })).rejects.toThrow(
      "send(…, { endpointIds }): no endpoint 'b' of owner 'acct_A'; nothing was queued.",
    );
    await expect(client.send(subscription(), { endpointIds: ['a'] })).rejects.toMatchObject({
      code: 'unknown-endpoint',
    });
    await expect(client.send(subscription(), { endpointIds: 'a' as never })).rejects.toMatchObject({
      code: 'invalid-option',
    });
    await client.drain();
    expect(server.requests).toEqual([]);
  });
});

describe('a disabled endpoint at send time', () => {
  it('gets nothing, and the message keeps a disabled delivery for it that redeliver() starts once it is enabled', async () => {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const endpoints = endpointsOn(server.url).map((e) => (e.id === 'a' ? { ...e, enabled: false } : e));
    const { client } = await setup(endpoints);
    const sent = await client.send(subscription(), { owner: 'acct_A' });
    await client.drain();
    expect(sent.deliveries).toEqual([]);
    expect(sent.skipped).toEqual([{ endpointId: 'a', url: `${server.url}/a`, reason: 'endpoint-disabled' }]);
    expect(server.requests).toEqual([]);
    const view = await client.getMessage(sent.id);
    expect(view?.deliveries.map((d) => [d.endpointId, d.status, d.attempts.length])).toEqual([['a', 'disabled', 0]]);
    expect(await client.redeliver(sent.id)).toEqual({
      restarted: 0,
      skipped: [{ endpointId: 'a', reason: 'endpoint-disabled' }],
    });
    await client.enableEndpoint('a');
    expect(await client.redeliver(sent.id)).toEqual({ restarted: 1, skipped: [] });
    await client.drain();
    expect(server.requests.map((r) => [r.path, r.headers['webhook-id']])).toEqual([['/a', sent.id]]);
  });
});
