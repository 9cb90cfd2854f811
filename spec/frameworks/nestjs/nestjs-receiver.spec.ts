import { Controller, HttpCode, Injectable, Post, UseGuards } from '@nestjs/common';
import express from 'express';
import { generateKeyPair, generateSecret, MemorySeenStore, WebhookClient } from 'hookspec';
import type { AttemptEvent } from 'hookspec';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_GUARD_OPTIONS, WebhookPayload, WebhookGuard, WebhookId } from '../../../lib/frameworks/nestjs';
import type { WebhookGuardOptions } from '../../../lib/frameworks/nestjs';
import { Subscription, subscription } from '../../client/fixtures';
import { SpySeenStore } from '../signed-request';
import { post, signWithStandardWebhooks, startNestApp, type RunningApp } from './nest-app';

const SECRET = generateSecret();
const CONFIGURED_SECRET = generateSecret();
const KEYS = generateKeyPair();
const VALID = { username: 'ada', monthly_fee: 9.99, start_date: '2026-01-01T00:00:00.000Z' };

/** What each handler was called with, in order. */
const calls: { route: string; value: unknown; id?: string }[] = [];

/** The seen stores of the `flaky` and `spied` routes, and how many times `flaky` fails before it succeeds. */
const flakySeen = new SpySeenStore();
const spiedSeen = new SpySeenStore();
let flakyFailures = 0;

@Controller('webhooks')
class SubscriptionWebhooks {
  @Post('subscription')
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ secret: SECRET }))
  subscription(@WebhookPayload(Subscription) event: Subscription, @WebhookId() id: string): void {
    calls.push({ route: 'subscription', value: event, id });
  }

  @Post('plain')
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ secret: SECRET }))
  plain(@WebhookPayload() body: unknown): void {
    calls.push({ route: 'plain', value: body });
  }

  @Post('enveloped')
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ publicKey: KEYS.publicKey, envelope: 'standard' }))
  enveloped(@WebhookPayload(Subscription) event: Subscription): void {
    calls.push({ route: 'enveloped', value: event });
  }

  @Post('once')
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ secret: SECRET, seen: new MemorySeenStore() }))
  once(@WebhookId() id: string): void {
    calls.push({ route: 'once', value: id });
  }

  @Post('flaky')
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ secret: SECRET, seen: flakySeen }))
  flaky(@WebhookPayload(Subscription) event: Subscription, @WebhookId() id: string): void {
    calls.push({ route: 'flaky', value: event, id });
    if (flakyFailures > 0) {
      flakyFailures -= 1;
      throw new Error('the database is down');
    }
  }

  @Post('spied')
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ secret: SECRET, seen: spiedSeen }))
  spied(@WebhookPayload(Subscription) event: Subscription, @WebhookId() id: string): void {
    calls.push({ route: 'spied', value: event, id });
  }

  @Post('unguarded')
  @HttpCode(204)
  unguarded(@WebhookPayload(Subscription) event: Subscription): void {
    calls.push({ route: 'unguarded', value: event });
  }
}

/** Stands in for @nestjs/config's ConfigService: a provider the options factory reads the secret from. */
@Injectable()
class Settings {
  get(name: 'WEBHOOK_SECRET'): string {
    return { WEBHOOK_SECRET: CONFIGURED_SECRET }[name];
  }
}

@Controller('configured')
@UseGuards(WebhookGuard)
class ConfiguredWebhooks {
  @Post()
  @HttpCode(204)
  handle(@WebhookPayload(Subscription) event: Subscription): void {
    calls.push({ route: 'configured', value: event });
  }
}

/** Its keys come from WEBHOOK_GUARD_OPTIONS; the route only narrows the tolerance. */
@Controller('narrowed')
class NarrowedWebhooks {
  @Post()
  @HttpCode(204)
  @UseGuards(WebhookGuard.with({ toleranceSeconds: 60 }))
  handle(@WebhookPayload(Subscription) event: Subscription): void {
    calls.push({ route: 'narrowed', value: event });
  }
}

const optionsFromSettings = {
  provide: WEBHOOK_GUARD_OPTIONS,
  inject: [Settings],
  useFactory: async (settings: Settings): Promise<WebhookGuardOptions> => ({
    secret: settings.get('WEBHOOK_SECRET'),
  }),
};

let server: RunningApp;
beforeAll(async () => {
  server = await startNestApp(
    {
      controllers: [SubscriptionWebhooks, ConfiguredWebhooks, NarrowedWebhooks],
      providers: [Settings, optionsFromSettings],
    },
    { rawBody: true },
  );
});
afterAll(() => server.close());
beforeEach(() => {
  calls.length = 0;
  flakyFailures = 0;
});

describe('WebhookGuard with @WebhookPayload(Class), in a Nest app created with { rawBody: true }', () => {
  it('accepts a WebhookClient delivery with 204 and hands the handler a validated instance with Dates', async () => {
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: `${server.url}/webhooks/subscription`, secret: SECRET }],
      allowNetworks: ['127.0.0.0/8'],
    });
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (event) => attempts.push(event));
    try {
      const { id } = await client.send(subscription({ username: 'grace' }));
      await client.drain();

      expect(attempts.map((event) => event.attempt.status)).toEqual([204]);
      expect(calls).toHaveLength(1);
      const [call] = calls;
      expect(call?.id).toBe(id);
      expect(call?.value).toBeInstanceOf(Subscription);
      expect(call?.value).toEqual(subscription({ username: 'grace' }));
      expect((call?.value as Subscription).start_date).toBeInstanceOf(Date);
    } finally {
      await client.close();
    }
  });

  it('accepts a request signed by the standardwebhooks library', async () => {
    const request = signWithStandardWebhooks(SECRET, VALID);
    const response = await post(`${server.url}/webhooks/subscription`, request);

    expect(response.status).toBe(204);
    expect(calls).toEqual([{ route: 'subscription', value: subscription(), id: request.id }]);
  });

  it('answers a tampered body 401 with the code invalid-signature, and no secret or signature', async () => {
    const request = signWithStandardWebhooks(SECRET, VALID);
    const tampered = { ...request, body: JSON.stringify({ ...VALID, monthly_fee: 0 }) };
    const response = await post(`${server.url}/webhooks/subscription`, tampered);

    expect(response.status).toBe(401);
    expect(response.json).toEqual({ statusCode: 401, code: 'invalid-signature', message: expect.any(String) });
    const signature = request.headers['webhook-signature']!;
    for (const secret of [SECRET, SECRET.slice('whsec_'.length), signature, signature.slice('v1,'.length)]) {
      expect(response.text).not.toContain(secret);
    }
    expect(calls).toEqual([]);
  });

  it('answers a signed but invalid payload 400 with every failing property, and skips the handler', async () => {
    const request = signWithStandardWebhooks(SECRET, { username: 'ada', monthly_fee: -1, start_date: 'soon' });
    const response = await post(`${server.url}/webhooks/subscription`, request);

    expect(response.status).toBe(400);
    expect(response.json).toEqual({
      statusCode: 400,
      code: 'invalid-payload',
      message: expect.stringMatching(
        /^The webhook payload is not a valid Subscription: monthly_fee: .+ \| start_date: /,
      ),
      issues: [
        { path: 'monthly_fee', constraints: { min: expect.any(String) } },
        { path: 'start_date', constraints: { isDate: expect.any(String) } },
      ],
    });
    expect(calls).toEqual([]);
  });

  it('answers a signed body that is not a JSON object 400 with the code invalid-body', async () => {
    const response = await post(`${server.url}/webhooks/subscription`, signWithStandardWebhooks(SECRET, [VALID]));

    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ statusCode: 400, code: 'invalid-body' });
  });
});

describe('the other ways to configure and read', () => {
  it('@WebhookPayload() without a class gives the verified JSON as it was sent', async () => {
    const payload = { anything: ['goes', 1, null], start_date: '2026-01-01T00:00:00.000Z' };
    const response = await post(`${server.url}/webhooks/plain`, signWithStandardWebhooks(SECRET, payload));

    expect(response.status).toBe(204);
    expect(calls).toEqual([{ route: 'plain', value: payload }]);
  });

  it('reads its options from WEBHOOK_GUARD_OPTIONS, so a factory can take the secret from a config service', async () => {
    const accepted = await post(`${server.url}/configured`, signWithStandardWebhooks(CONFIGURED_SECRET, VALID));
    const otherSecret = await post(`${server.url}/configured`, signWithStandardWebhooks(SECRET, VALID));

    expect(accepted.status).toBe(204);
    expect(otherSecret.status).toBe(401);
    expect(calls).toEqual([{ route: 'configured', value: subscription() }]);
  });

  it('.with() lays its options over the injected ones: the injected secret, the route tolerance', async () => {
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    const fresh = await post(`${server.url}/narrowed`, signWithStandardWebhooks(CONFIGURED_SECRET, VALID));
    const old = await post(
      `${server.url}/narrowed`,
      signWithStandardWebhooks(CONFIGURED_SECRET, VALID, { timestamp: twoMinutesAgo }),
    );
    const defaultTolerance = await post(
      `${server.url}/configured`,
      signWithStandardWebhooks(CONFIGURED_SECRET, VALID, { timestamp: twoMinutesAgo }),
    );

    expect([fresh.status, old.status, defaultTolerance.status]).toEqual([204, 401, 204]);
    expect(old.json).toMatchObject({ code: 'timestamp-too-old' });
  });

  it('verifies the bytes that express.raw() left in req.body, in an app created with bodyParser: false', async () => {
    const rawParsed = await startNestApp({ controllers: [SubscriptionWebhooks] }, { bodyParser: false }, (app) =>
      app.use(express.raw({ type: 'application/json' })),
    );
    try {
      const request = signWithStandardWebhooks(SECRET, VALID);
      const response = await post(`${rawParsed.url}/webhooks/subscription`, request);

      expect(response.status).toBe(204);
      expect(calls).toEqual([{ route: 'subscription', value: subscription(), id: request.id }]);
    } finally {
      await rawParsed.close();
    }
  });

  it('verifies ed25519 signatures with a whpk_ key and unwraps the standard envelope', async () => {
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: `${server.url}/webhooks/enveloped`, privateKey: KEYS.privateKey }],
      allowNetworks: ['127.0.0.0/8'],
      envelope: 'standard',
    });
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (event) => attempts.push(event));
    try {
      await client.send(subscription());
      await client.drain();
    } finally {
      await client.close();
    }

    expect(attempts.map((event) => event.attempt.status)).toEqual([204]);
    expect(calls).toEqual([{ route: 'enveloped', value: subscription() }]);
  });

  it('with a seen store, acknowledges a repeated webhook-id with 200 replayed, without running the handler', async () => {
    const request = signWithStandardWebhooks(SECRET, VALID);
    const first = await post(`${server.url}/webhooks/once`, request);
    const again = await post(`${server.url}/webhooks/once`, request);

    expect(first.status).toBe(204);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({
      statusCode: 200,
      code: 'replayed',
      message: 'This webhook-id was already accepted; the duplicate is acknowledged and not processed again.',
    });
    expect(calls).toEqual([{ route: 'once', value: request.id }]);
  });
});

describe('with a seen store, a delivery that does not succeed gives its webhook-id back', () => {
  it('processes the retry of a delivery whose handler threw (500)', async () => {
    flakyFailures = 1;
    const request = signWithStandardWebhooks(SECRET, VALID);
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      statuses.push((await post(`${server.url}/webhooks/flaky`, request)).status);
    }

    expect(statuses).toEqual([500, 204, 200]);
    expect(calls.map((call) => [call.route, call.id])).toEqual([
      ['flaky', request.id],
      ['flaky', request.id],
    ]);
    expect(flakySeen.forgotten).toContain(request.id);
  });

  it('forgets the id of a signed but invalid payload (400), and of nothing it did not claim', async () => {
    const invalid = signWithStandardWebhooks(SECRET, { username: 'ada', monthly_fee: -1, start_date: 'soon' });

    expect((await post(`${server.url}/webhooks/spied`, invalid)).status).toBe(400);
    expect(spiedSeen.forgotten).toEqual([invalid.id]);

    // The corrected message, under the same id, is processed.
    const corrected = signWithStandardWebhooks(SECRET, VALID, { id: invalid.id });
    expect((await post(`${server.url}/webhooks/spied`, corrected)).status).toBe(204);
    expect(calls).toEqual([{ route: 'spied', value: subscription(), id: invalid.id }]);

    // A forged request reusing the accepted id is refused before the store, and releases nothing.
    const forged = { ...corrected, body: JSON.stringify({ ...VALID, monthly_fee: 0 }) };
    expect((await post(`${server.url}/webhooks/spied`, forged)).status).toBe(401);
    expect((await post(`${server.url}/webhooks/spied`, corrected)).status).toBe(200);
    expect(spiedSeen.forgotten).toEqual([invalid.id]);
  });

  it('has a WebhookClient delivery processed on its retry after the handler failed once', async () => {
    flakyFailures = 1;
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: `${server.url}/webhooks/flaky`, secret: SECRET }],
      allowNetworks: ['127.0.0.0/8'],
      retry: { schedule: [20] },
    });
    const attempts: AttemptEvent[] = [];
    client.on('attempt', (event) => attempts.push(event));
    try {
      const delivered = new Promise((resolve) => client.once('delivered', resolve));
      const { id } = await client.send(subscription());
      await delivered;

      expect(attempts.map((event) => event.attempt.status)).toEqual([500, 204]);
      expect(calls).toEqual([
        { route: 'flaky', value: subscription(), id },
        { route: 'flaky', value: subscription(), id },
      ]);
      expect(flakyFailures).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe('misconfiguration', () => {
  it('answers 500 with the code raw-body-required and the fix when the app has no rawBody: true', async () => {
    const withoutRawBody = await startNestApp({ controllers: [SubscriptionWebhooks] }, { rawBody: false });
    try {
      const response = await post(
        `${withoutRawBody.url}/webhooks/subscription`,
        signWithStandardWebhooks(SECRET, VALID),
      );

      expect(response.status).toBe(500);
      expect(response.json).toEqual({
        statusCode: 500,
        code: 'raw-body-required',
        message: expect.stringContaining('NestFactory.create(AppModule, { rawBody: true })'),
      });
      expect(calls).toEqual([]);
    } finally {
      await withoutRawBody.close();
    }
  });

  it('stops the app from starting when the guard has no key, and says why', async () => {
    @Controller()
    class MissingSecret {
      @Post()
      @UseGuards(WebhookGuard.with({ secret: undefined }))
      handle(): void {}
    }
    await expect(startNestApp({ controllers: [MissingSecret] }, { rawBody: true })).rejects.toThrow(
      /WebhookGuard has no key: secret is undefined or empty\. A value read from process\.env/,
    );
  });

  it('stops the app from starting when WEBHOOK_GUARD_OPTIONS is not provided', async () => {
    await expect(startNestApp({ controllers: [ConfiguredWebhooks] }, { rawBody: true })).rejects.toThrow(
      /WebhookGuard has no options: use @UseGuards\(WebhookGuard\.with\(\{ secret \}\)\), or provide WEBHOOK_GUARD_OPTIONS/,
    );
  });

  it('stops the app from starting on a malformed key, naming the option but not the key', async () => {
    const malformed = 'whsec_not base64';
    @Controller()
    class MalformedSecret {
      @Post()
      @UseGuards(WebhookGuard.with({ secrets: [generateSecret(), malformed] }))
      handle(): void {}
    }
    const failure = startNestApp({ controllers: [MalformedSecret] }, { rawBody: true });
    await expect(failure).rejects.toThrow(/^WebhookGuard options: secrets\[1\]: /);
    await expect(failure).rejects.not.toThrow(malformed);
  });

  it('refuses a @WebhookPayload route without the guard (a 500, and the handler never runs)', async () => {
    const response = await post(`${server.url}/webhooks/unguarded`, signWithStandardWebhooks(SECRET, VALID));

    expect(response.status).toBe(500);
    expect(calls).toEqual([]);
  });
});
