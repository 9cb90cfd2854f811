import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { generateSecret, HookspecError, MemorySeenStore, WebhookClient, WebhookSecretError } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedWebhook, WebhookReceiverOptions } from '../../lib/frameworks/express';
import { webhookPreHandler, webhookRoute, type FastifyWebhookRequest } from '../../lib/frameworks/fastify';
import { LOOPBACK, Subscription, subscription } from '../client/fixtures';
import { describeReceiverAdapter } from './adapter-contract';
import { post, signWithStandardWebhooks, SpySeenStore, SUBSCRIPTION_JSON } from './signed-request';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Listens on loopback; resolves the base URL. */
async function serve(app: FastifyInstance): Promise<string> {
  cleanup.push(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** An app with one webhook route, `POST /hook`, whose handler records `request.webhook` and answers 204. */
async function hookServer(options: WebhookReceiverOptions, setup?: (app: FastifyInstance) => void) {
  const app = Fastify();
  setup?.(app);
  const received: ReceivedWebhook[] = [];
  app.register(
    webhookRoute({
      ...options,
      url: '/hook',
      handler: async (request, reply) => {
        received.push(request.webhook);
        return reply.code(204).send();
      },
    }),
  );
  const base = await serve(app);
  return { app, received, base, url: `${base}/hook` };
}

describeReceiverAdapter('webhookRoute (Fastify)', hookServer);

describe('webhookRoute (Fastify)', () => {
  it('hands the handler a typed Subscription from a WebhookClient delivery, and the client sees it delivered', async () => {
    const secret = generateSecret();
    const app = Fastify();
    const received: Subscription[] = [];
    app.register(
      webhookRoute({
        url: '/hook',
        secret,
        webhook: Subscription,
        handler: async (request, reply) => {
          // Typed without a cast: the payload class fixes request.webhook.payload's type.
          const payload: Subscription = request.webhook.payload;
          received.push(payload);
          return reply.code(204).send();
        },
      }),
    );
    const base = await serve(app);
    const sender = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: `${base}/hook`, secret }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(() => sender.close());
    const delivered = once(sender, 'delivered');

    const { id } = await sender.send(subscription());

    const [event] = await delivered;
    expect(event).toMatchObject({ messageId: id, attempt: { status: 204 } });
    expect(received[0]).toBeInstanceOf(Subscription);
    expect(received[0]).toEqual(subscription());
    expect(received[0]?.start_date).toBeInstanceOf(Date);
  });

  it('answers 401 missing-header to a request without a body or signature', async () => {
    const { url } = await hookServer({ secret: generateSecret() });
    const answer = await fetch(url, { method: 'POST' });
    expect(answer.status).toBe(401);
    expect(((await answer.json()) as { code: string }).code).toBe('missing-header');
  });

  it('puts the verified JSON on request.webhook.payload when no payload class is given, whatever the content type', async () => {
    const secret = generateSecret();
    const { url, received } = await hookServer({ secret });
    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);
    const answer = await post(url, { ...signed, headers: { ...signed.headers, 'content-type': 'text/plain' } });
    expect(answer.status).toBe(204);
    expect(received[0]?.payload).toEqual(SUBSCRIPTION_JSON);
  });

  it('leaves the rest of the app its JSON parser, and serves webhook routes under a prefix', async () => {
    const secret = generateSecret();
    const app = Fastify();
    app.post('/echo', async (request) => ({ echoed: request.body }));
    for (const name of ['first', 'second']) {
      app.register(
        webhookRoute({
          url: `/${name}`,
          secret,
          handler: async (request) => ({ route: name, id: request.webhook.id }),
        }),
        { prefix: '/hooks' },
      );
    }
    const base = await serve(app);

    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON, { id: 'msg_1' });
    expect((await post(`${base}/hooks/first`, signed)).json).toEqual({ route: 'first', id: 'msg_1' });
    expect((await post(`${base}/hooks/second`, signed)).json).toEqual({ route: 'second', id: 'msg_1' });
    const echo = await post(`${base}/echo`, { headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(echo.json).toEqual({ echoed: { a: 1 } });
  });

  it('processes the retry of a delivery whose handler failed (thrown, or answered 503), with a seen store', async () => {
    const secret = generateSecret();
    const seen = new SpySeenStore();
    const app = Fastify();
    const attempts: string[] = [];
    app.register(
      webhookRoute({
        url: '/hook',
        secret,
        seen,
        handler: async (request, reply) => {
          attempts.push(request.webhook.id);
          if (attempts.length === 1) throw new Error('the database is down');
          return reply.code(attempts.length === 2 ? 503 : 204).send();
        },
      }),
    );
    const url = `${await serve(app)}/hook`;
    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);
    const id = signed.headers['webhook-id']!;

    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt += 1) statuses.push((await post(url, signed)).status);

    expect(statuses).toEqual([500, 503, 204, 200]);
    expect(attempts).toEqual([id, id, id]);
    expect(seen.forgotten).toEqual([id, id]);
  });

  it('has a WebhookClient delivery processed on its retry after the handler failed once', async () => {
    const secret = generateSecret();
    const app = Fastify();
    const attempts: string[] = [];
    const processed: Subscription[] = [];
    app.register(
      webhookRoute({
        url: '/hook',
        secret,
        webhook: Subscription,
        seen: new MemorySeenStore(),
        handler: async (request, reply) => {
          attempts.push(request.webhook.id);
          if (attempts.length === 1) return reply.code(500).send({ error: 'try again' });
          processed.push(request.webhook.payload);
          return reply.code(204).send();
        },
      }),
    );
    const sender = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: `${await serve(app)}/hook`, secret }],
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

  it("lets errors thrown by the handler reach the app's error handler", async () => {
    const secret = generateSecret();
    const app = Fastify();
    app.setErrorHandler(async (error: Error, _request, reply) =>
      reply.code(503).send({ handledBy: 'app', message: error.message }),
    );
    app.register(
      webhookRoute({
        url: '/hook',
        secret,
        handler: async () => {
          throw new Error('the database is down');
        },
      }),
    );
    const base = await serve(app);

    const answer = await post(`${base}/hook`, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON));

    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ handledBy: 'app', message: 'the database is down' });
  });

  it('fails at creation without a key, a url or a handler', () => {
    const secret = generateSecret();
    const handler = async () => undefined;
    expect(() => webhookRoute({ url: '/hook', handler })).toThrow(WebhookSecretError);
    expect(() => webhookRoute({ url: '/hook', handler })).toThrow(/^webhookRoute\(options\) needs a key/);
    expect(() => webhookRoute({ url: 'hook', secret, handler })).toThrow(HookspecError);
    expect(() => webhookRoute({ url: '/hook', secret } as never)).toThrow(/handler must be a function/);
  });
});

describe('webhookPreHandler (Fastify)', () => {
  it('verifies a route whose plugin reads bodies as Buffers', async () => {
    const secret = generateSecret();
    const app = Fastify();
    app.register(async (instance) => {
      instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
        done(null, body),
      );
      instance.post('/hook', { preHandler: webhookPreHandler({ secret, webhook: Subscription }) }, async (request) => {
        const { payload } = (request as FastifyWebhookRequest<Subscription>).webhook;
        return { username: payload.username, isSubscription: payload instanceof Subscription };
      });
    });
    const base = await serve(app);

    const answer = await post(`${base}/hook`, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON));

    expect(answer.json).toEqual({ username: 'ada', isSubscription: true });
  });

  it('acknowledges a duplicate with 200 and forgets the id of a request its handler failed', async () => {
    const secret = generateSecret();
    const seen = new SpySeenStore();
    const app = Fastify();
    let failures = 1;
    app.register(async (instance) => {
      instance.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
        done(null, body),
      );
      instance.post('/hook', { preHandler: webhookPreHandler({ secret, seen }) }, async (request) => {
        if (failures-- > 0) throw new Error('the database is down');
        return { id: (request as FastifyWebhookRequest).webhook.id };
      });
    });
    const base = await serve(app);
    const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON, { id: 'msg_pre' });

    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1) answers.push(await post(`${base}/hook`, signed));

    expect(answers.map((answer) => answer.status)).toEqual([500, 200, 200]);
    expect(answers[1]?.json).toEqual({ id: 'msg_pre' });
    expect(answers[2]?.json).toMatchObject({ code: 'replayed' });
    expect(seen.forgotten).toEqual(['msg_pre']);
  });

  it("answers 500 raw-body-required, naming the fix, when Fastify's JSON parser has parsed the body", async () => {
    const secret = generateSecret();
    const app = Fastify();
    app.post('/hook', { preHandler: webhookPreHandler({ secret }) }, async () => ({ reached: true }));
    const base = await serve(app);

    const answer = await post(`${base}/hook`, signWithStandardWebhooks(secret, SUBSCRIPTION_JSON));

    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({
      code: 'raw-body-required',
      message: expect.stringMatching(/webhookRoute\(\).*parseAs: 'buffer'/),
    });
  });
});
