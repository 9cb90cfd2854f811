import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import {
  generateKeyPair,
  generateSecret,
  HookspecError,
  MemorySeenStore,
  WebhookClient,
  WebhookSecretError,
  type WebhookEndpoint,
} from 'hookspec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  captureRawBody,
  webhookMiddleware,
  type WebhookReceiverOptions,
  type WebhookRequest,
} from '../../lib/frameworks/express';
import { LOOPBACK, Subscription, subscription } from '../client/fixtures';
import { describeReceiverAdapter } from './adapter-contract';
import { post, signWithStandardWebhooks, SpySeenStore, SUBSCRIPTION_JSON } from './signed-request';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(app: Express): Promise<string> {
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(
    () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

/** An app whose `POST /hook` runs the middleware, records `req.webhook` and answers 204; `before` mounts parsers first. */
async function hookServer(options: WebhookReceiverOptions, before?: (app: Express) => void) {
  const app = express();
  before?.(app);
  const received: WebhookRequest['webhook'][] = [];
  app.post('/hook', webhookMiddleware(options), (req, res) => {
    received.push((req as WebhookRequest).webhook);
    res.sendStatus(204);
  });
  return { app, received, url: await serve(app) };
}

function client(url: string, endpoint: Omit<WebhookEndpoint, 'url'>) {
  const created = new WebhookClient({
    webhooks: [Subscription],
    endpoints: [{ url, ...endpoint }],
    allowNetworks: LOOPBACK,
  });
  cleanup.push(() => created.close());
  return created;
}

describeReceiverAdapter('webhookMiddleware (Express)', hookServer);

describe('webhookMiddleware (Express)', () => {
  it('hands the handler a typed Subscription from a WebhookClient delivery, and the client sees it delivered', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret, webhook: Subscription });
    const sender = client(url, { secret });
    const delivered = once(sender, 'delivered');

    const { id } = await sender.send(subscription());

    const [event] = await delivered;
    expect(event).toMatchObject({ messageId: id, attempt: { status: 204 } });
    expect(received).toHaveLength(1);
    const [webhook] = received;
    expect(webhook?.id).toBe(id);
    expect(webhook?.payload).toBeInstanceOf(Subscription);
    expect(webhook?.payload).toEqual(subscription());
    expect((webhook?.payload as Subscription).start_date).toBeInstanceOf(Date);
    expect(Math.abs(webhook!.timestamp.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('verifies ed25519 signatures with a publicKey', async () => {
    const { privateKey, publicKey } = generateKeyPair();
    const { url, received } = await hookServer({ publicKey, webhook: Subscription });
    const sender = client(url, { privateKey });
    const delivered = once(sender, 'delivered');
    await sender.send(subscription());
    await delivered;
    expect(received[0]?.payload).toBeInstanceOf(Subscription);
  });

  it('puts the verified JSON on req.webhook.payload when no payload class is given', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret });
    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);
    expect((await post(url, signed)).status).toBe(204);
    expect(received[0]).toEqual({
      id: signed.headers['webhook-id'],
      timestamp: new Date(Number(signed.headers['webhook-timestamp']) * 1000),
      event: undefined,
      payload: SUBSCRIPTION_JSON,
    });
  });

  it('unwraps a Standard Webhooks envelope into the payload class', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret, webhook: Subscription, envelope: 'standard' });
    const envelope = { type: 'new-subscription', timestamp: new Date().toISOString(), data: SUBSCRIPTION_JSON };
    expect((await post(url, signWithStandardWebhooks(secret, envelope))).status).toBe(204);
    expect(received[0]?.payload).toBeInstanceOf(Subscription);
    expect(received[0]?.payload).toMatchObject({ username: 'ada' });
  });

  it('verifies its route while app.use(express.json()) parses the routes mounted after it', async () => {
    const secret = generateSecret();
    const app = express();
    const received: unknown[] = [];
    app.post('/hook', webhookMiddleware({ secret, webhook: Subscription }), (req, res) => {
      received.push((req as WebhookRequest<Subscription>).webhook.payload);
      res.sendStatus(204);
    });
    app.use(express.json());
    app.post('/echo', (req, res) => {
      res.json({ echoed: req.body as unknown });
    });
    const url = await serve(app);

    expect((await post(url, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON))).status).toBe(204);
    expect(received).toHaveLength(1);
    const echo = await post(url.replace('/hook', '/echo'), {
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(echo.json).toEqual({ echoed: { a: 1 } });
  });

  it('answers 500 raw-body-required, naming the fix, when express.json() has already consumed the body', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret }, (app) => app.use(express.json()));

    const answer = await post(url, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON));

    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      code: 'raw-body-required',
      message: expect.stringMatching(/before app\.use\(express\.json\(\)\).*verify: captureRawBody/),
    });
    expect(received).toEqual([]);
  });

  it('verifies a body that express.json({ verify: captureRawBody }) parsed first', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret, webhook: Subscription }, (app) =>
      app.use(express.json({ verify: captureRawBody })),
    );
    expect((await post(url, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON))).status).toBe(204);
    expect(received[0]?.payload).toBeInstanceOf(Subscription);
  });

  it('verifies a body that express.raw() kept as a Buffer', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret }, (app) => app.use(express.raw({ type: '*/*' })));
    expect((await post(url, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON))).status).toBe(204);
    expect(received[0]?.payload).toEqual(SUBSCRIPTION_JSON);
  });

  it('processes the retry of a delivery whose handler failed (thrown, or answered 503), with a seen store', async () => {
    const secret = generateSecret();
    const seen = new SpySeenStore();
    const app = express();
    const attempts: string[] = [];
    app.post('/hook', webhookMiddleware({ secret, seen }), (req, res) => {
      const { id } = (req as WebhookRequest).webhook;
      attempts.push(id);
      if (attempts.length === 1) throw new Error('the database is down');
      if (attempts.length === 2) {
        res.sendStatus(503);
        return;
      }
      res.sendStatus(204);
    });
    const url = await serve(app);
    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);
    const id = signed.headers['webhook-id']!;

    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await post(url, signed)).status);

    expect(statuses).toEqual([500, 503, 204, 200]);
    expect(attempts).toEqual([id, id, id]);
    expect(seen.forgotten).toEqual([id, id]);
  });

  it('forgets the webhook-id when the connection closes before the handler answers', async () => {
    const secret = generateSecret();
    const seen = new SpySeenStore();
    const app = express();
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    app.post('/hook', webhookMiddleware({ secret, seen }), () => entered());
    const url = await serve(app);
    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);
    const abort = new AbortController();

    const request = fetch(url, { method: 'POST', headers: signed.headers, body: signed.body, signal: abort.signal });
    await handlerEntered;
    abort.abort();

    await expect(request).rejects.toThrow();
    await vi.waitFor(() => expect(seen.forgotten).toEqual([signed.headers['webhook-id']]));
  });

  it('has a WebhookClient delivery processed on its retry after the handler failed once', async () => {
    const secret = generateSecret();
    const app = express();
    const attempts: string[] = [];
    const processed: Subscription[] = [];
    app.post('/hook', webhookMiddleware({ secret, webhook: Subscription, seen: new MemorySeenStore() }), (req, res) => {
      const { id, payload } = (req as WebhookRequest<Subscription>).webhook;
      attempts.push(id);
      if (attempts.length === 1) {
        res.status(500).json({ error: 'try again' });
        return;
      }
      processed.push(payload);
      res.sendStatus(204);
    });
    const sender = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: await serve(app), secret }],
      allowNetworks: LOOPBACK,
      retry: { schedule: [20] },
    });
    cleanup.push(() => sender.close());
    const delivered = once(sender, 'delivered');

    const { id } = await sender.send(subscription());

    const [event] = await delivered;
    expect(event).toMatchObject({ messageId: id, attempt: { status: 204 } });
    expect(attempts).toEqual([id, id]);
    expect(processed).toEqual([subscription()]);
  });

  it("passes an unexpected error, such as a failing seen store, to the app's error handler", async () => {
    const secret = generateSecret();
    const seen = {
      remember(): boolean {
        throw new Error('the store is down');
      },
    };
    const { app, url } = await hookServer({ secret, seen });
    app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
      res.status(503).json({ handledBy: 'app', message: error.message });
    });

    const answer = await post(url, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON));

    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ handledBy: 'app', message: 'the store is down' });
  });

  it('fails at creation without a key, with a malformed key, or with a bad option, never printing the key', () => {
    const secret = generateSecret();
    expect(() => webhookMiddleware({})).toThrow(WebhookSecretError);
    expect(() => webhookMiddleware({})).toThrow(/needs a key to verify with: secret .* secrets .* publicKey/);
    expect(() => webhookMiddleware({ secrets: [secret, 'whsec_dGlueQ=='] })).toThrow(
      /^webhookMiddleware\(options\): secrets\[1\]: /,
    );
    expect(() => webhookMiddleware({ publicKey: secret })).toThrow(/publicKey must be a 'whpk_'/);
    expect(() => webhookMiddleware({ secret, limit: 0 })).toThrow(HookspecError);
    expect(() => webhookMiddleware({ secret, event: 'new-subscription' })).toThrow(
      /event names the webhook .* it needs webhook/,
    );
    expect(() => webhookMiddleware({ secret, secrt: secret } as never)).toThrow(
      /unknown option 'secrt' \(did you mean 'secret'\?\)/,
    );
    try {
      webhookMiddleware({ publicKey: secret });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret.slice('whsec_'.length));
    }
  });
});
