import { generateSecret, Payload, Webhook, WebhookClient, WebhookSendError, WebhookValidationError } from 'hookspec';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { LOOPBACK, Line, order, OrderPlaced, Orders, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function receiver(...args: Parameters<typeof startRecordingServer>): Promise<RecordingServer> {
  const started = await startRecordingServer(...args);
  cleanup.push(() => started.close());
  return started;
}

function client(options: Partial<ConstructorParameters<typeof WebhookClient>[0]> & { url: string; secret?: string }) {
  const { url, secret = generateSecret(), ...rest } = options;
  const created = new WebhookClient({
    webhooks: [Subscription, Orders],
    endpoints: [{ url, secret }],
    allowNetworks: LOOPBACK,
    ...rest,
  });
  cleanup.push(() => created.close());
  return created;
}

describe('send()', () => {
  it('posts the class-transformer JSON of the payload, signed so that standardwebhooks verifies it', async () => {
    const server = await receiver();
    const secret = generateSecret();
    const sender = client({ url: `${server.url}/hook`, secret });
    const { id, event, deliveries } = await sender.send(subscription());
    await sender.drain();

    expect(event).toBe('new-subscription');
    expect(deliveries).toEqual([{ endpointId: `${server.url}/hook`, url: `${server.url}/hook` }]);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.body).toBe('{"username":"ada","monthly_fee":9.99,"start_date":"2026-01-01T00:00:00.000Z"}');
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': id,
      'user-agent': expect.stringMatching(/^hookspec\/\d+\.\d+\.\d+/),
    });
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const timestamp = Number(request?.headers['webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(new StandardWebhook(secret).verify(request!.body, request!.headers as Record<string, string>)).toEqual(
      JSON.parse(request!.body),
    );
  });

  it('gives every message its own id, valid as a Standard Webhooks id', async () => {
    const server = await receiver();
    const sender = client({ url: server.url });
    const ids = await Promise.all([1, 2, 3].map(() => sender.send(subscription()).then((r) => r.id)));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  });

  it('sends method-style payloads, nested classes included', async () => {
    const server = await receiver();
    const sender = client({ url: server.url });
    await sender.send(order());
    await sender.drain();
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ order_id: 'o-1', lines: [{ sku: 'A-1', quantity: 2 }] });
  });

  it('fans out to every enabled endpoint subscribed to the event', async () => {
    const server = await receiver();
    const secret = generateSecret();
    const sender = new WebhookClient({
      webhooks: [Subscription, Orders],
      allowNetworks: LOOPBACK,
      endpoints: [
        { id: 'all', url: `${server.url}/all`, secret },
        { id: 'subs', url: `${server.url}/subs`, secret, events: ['new-subscription'] },
        { id: 'orders', url: `${server.url}/orders`, secret, events: ['order.placed'] },
        { id: 'off', url: `${server.url}/off`, secret, enabled: false },
      ],
    });
    cleanup.push(() => sender.close());
    const sent = await sender.send(subscription());
    await sender.drain();
    expect(sent.deliveries.map((d) => d.endpointId)).toEqual(['all', 'subs']);
    expect(server.requests.map((r) => r.path).sort()).toEqual(['/all', '/subs']);
    expect(new Set(server.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([sent.id]));
  });

  it('adds an endpoint’s own headers', async () => {
    const server = await receiver();
    const sender = new WebhookClient({
      webhooks: [Subscription],
      allowNetworks: LOOPBACK,
      endpoints: [{ url: server.url, secret: generateSecret(), headers: { 'x-api-key': 'k-123' } }],
    });
    cleanup.push(() => sender.close());
    await sender.send(subscription());
    await sender.drain();
    expect(server.requests[0]?.headers['x-api-key']).toBe('k-123');
  });

  it('resolves with no deliveries when no endpoint takes the event', async () => {
    const server = await receiver();
    const sender = new WebhookClient({
      webhooks: [Subscription, Orders],
      allowNetworks: LOOPBACK,
      endpoints: [{ url: server.url, secret: generateSecret(), events: ['order.placed'] }],
    });
    cleanup.push(() => sender.close());
    expect((await sender.send(subscription())).deliveries).toEqual([]);
    await sender.drain();
    expect(server.requests).toEqual([]);
  });
});

describe('send() refuses', () => {
  it('an invalid payload, listing every failing property path, and sends nothing', async () => {
    const server = await receiver();
    const sender = client({ url: server.url });
    const bad = Object.assign(new OrderPlaced(), {
      order_id: 42,
      lines: [Object.assign(new Line(), { sku: 'A-1', quantity: 0 }), Object.assign(new Line(), { quantity: 1 })],
    });
    const error = await sender.send(bad as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookValidationError);
    expect((error as WebhookValidationError).issues.map((i) => [i.path, Object.keys(i.constraints)])).toEqual([
      ['order_id', ['isString']],
      ['lines[0].quantity', ['min']],
      ['lines[1].sku', ['isString']],
    ]);
    expect((error as Error).message).toMatch(
      /^send\(\) of 'order\.placed': OrderPlaced is invalid; nothing was sent\. order_id: order_id must be a string \| lines\[0\]\.quantity: /,
    );
    await sender.drain();
    expect(server.requests).toEqual([]);
  });

  it('a plain object, and says how to make an instance of a class of this catalog', async () => {
    const sender = client({ url: 'http://127.0.0.1:9/' });
    const plain = { username: 'ada', monthly_fee: 1, start_date: new Date() };
    await expect(sender.send(plain as Subscription)).rejects.toThrow(
      'send() got a plain object, not an instance of one of the payload classes (Subscription, OrderPlaced). Create an instance of the class it stands for, e.g. plainToInstance(Subscription, data) or Object.assign(new Subscription(), data).',
    );
  });

  it('an instance of a class outside the catalog', async () => {
    class Stranger {
      name = 'x';
    }
    const sender = client({ url: 'http://127.0.0.1:9/' });
    await expect(sender.send(new Stranger() as never)).rejects.toThrow(
      expect.objectContaining({
        name: 'WebhookSendError',
        code: 'unknown-payload',
        message: expect.stringContaining('Add Stranger'),
      }),
    );
  });

  it('an event name that the payload does not serve', async () => {
    const sender = client({ url: 'http://127.0.0.1:9/' });
    await expect(sender.send(subscription(), { event: 'order.placed' })).rejects.toThrow(
      "send(…, { event: 'order.placed' }): Subscription is the payload of 'new-subscription', not of 'order.placed'.",
    );
  });

  it('anything after close()', async () => {
    const sender = client({ url: 'http://127.0.0.1:9/' });
    await sender.close();
    await expect(sender.send(subscription())).rejects.toThrow(WebhookSendError);
    await expect(sender.send(subscription())).rejects.toThrow(/closed WebhookClient/);
  });
});

describe('a payload class that serves several webhooks', () => {
  it('needs the event named, and then sends as that one', async () => {
    class Catalog {
      @Webhook('subscription.created') created(_e: Subscription): void {}
      @Webhook('subscription.renewed') renewed(_e: Subscription): void {}
    }
    Payload(Subscription)(Catalog.prototype, 'created', Object.getOwnPropertyDescriptor(Catalog.prototype, 'created')!);
    Payload(Subscription)(Catalog.prototype, 'renewed', Object.getOwnPropertyDescriptor(Catalog.prototype, 'renewed')!);
    const server = await receiver();
    const sender = new WebhookClient({
      webhooks: [Catalog],
      allowNetworks: LOOPBACK,
      endpoints: [{ url: server.url, secret: generateSecret() }],
    });
    cleanup.push(() => sender.close());
    await expect(sender.send(subscription())).rejects.toThrow(
      "Subscription is the payload of several webhooks ('subscription.created', 'subscription.renewed'); say which: client.send(event, { event: 'subscription.created' }).",
    );
    expect((await sender.send(subscription(), { event: 'subscription.renewed' })).event).toBe('subscription.renewed');
  });
});
