import { generateSecret, parseWebhook, sign, verifyWebhook, WebhookClient } from 'hookspec';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK, Line, order, OrderPlaced, Orders, Subscription, subscription } from '../client/fixtures';
import { startRecordingServer, type RecordedRequest } from '../support/recording-server';

// The reference libraries check the timestamp against the clock (5 minutes either way), so every
// message here is stamped now, and verified here without a `now` option.
const BODY = '{"type":"payment.succeeded","data":{"amount":4200,"note":"café ☕"}}';
const PARSED = JSON.parse(BODY) as unknown;

function freshId(): string {
  return `msg_${Math.random().toString(36).slice(2)}`;
}

function webhookHeaders(id: string, date: Date, signature: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(date.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

function svixHeaders(id: string, date: Date, signature: string): Record<string, string> {
  return {
    'svix-id': id,
    'svix-timestamp': String(Math.floor(date.getTime() / 1000)),
    'svix-signature': signature,
  };
}

describe('reference libraries -> verifyWebhook', () => {
  it.each([24, 32, 64])('verifies what standardwebhooks signs, with a %i-byte secret', (bytes) => {
    const secret = generateSecret(bytes);
    const [id, date] = [freshId(), new Date()];
    const signature = new StandardWebhook(secret).sign(id, date, BODY);
    expect(verifyWebhook(BODY, webhookHeaders(id, date, signature), secret)).toEqual(PARSED);
    expect(verifyWebhook(Buffer.from(BODY), webhookHeaders(id, date, signature), secret)).toEqual(PARSED);
  });

  it('verifies what standardwebhooks signs over a Buffer payload', () => {
    const secret = generateSecret();
    const [id, date] = [freshId(), new Date()];
    const signature = new StandardWebhook(secret).sign(id, date, Buffer.from(BODY));
    expect(verifyWebhook(Buffer.from(BODY), webhookHeaders(id, date, signature), secret)).toEqual(PARSED);
  });

  it('verifies what svix signs, under svix-* and webhook-* headers', () => {
    const secret = generateSecret();
    const [id, date] = [freshId(), new Date()];
    const signature = new SvixWebhook(secret).sign(id, date, BODY);
    expect(verifyWebhook(BODY, svixHeaders(id, date, signature), secret)).toEqual(PARSED);
    expect(verifyWebhook(BODY, webhookHeaders(id, date, signature), secret)).toEqual(PARSED);
    expect(verifyWebhook(BODY, new Headers(svixHeaders(id, date, signature)), secret)).toEqual(PARSED);
  });

  it('verifies the published Standard Webhooks test vector at its own time', () => {
    // standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works".
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(verifyWebhook('{"test": 2432232314}', headers, secret, { now: 1614265330 * 1000 })).toEqual({
      test: 2432232314,
    });
  });

  it('verifies a svix rotation header holding the signatures of two secrets under either', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const [id, date] = [freshId(), new Date()];
    const signature = [oldSecret, newSecret].map((secret) => new SvixWebhook(secret).sign(id, date, BODY)).join(' ');
    for (const secret of [oldSecret, newSecret, [generateSecret(), newSecret]]) {
      expect(verifyWebhook(BODY, svixHeaders(id, date, signature), secret)).toEqual(PARSED);
    }
  });
});

describe('sign -> reference libraries', () => {
  function signedNow(secret: string | readonly string[]) {
    const [id, date] = [freshId(), new Date()];
    return { id, date, signature: sign({ id, timestamp: date, body: BODY }, secret) };
  }

  it('what sign makes, standardwebhooks verifies', () => {
    const secret = generateSecret();
    const { id, date, signature } = signedNow(secret);
    expect(new StandardWebhook(secret).verify(BODY, webhookHeaders(id, date, signature))).toEqual(PARSED);
  });

  it('what sign makes, svix Webhook.verify verifies under both header spellings', () => {
    const secret = generateSecret(24);
    const { id, date, signature } = signedNow(secret);
    const svix = new SvixWebhook(secret);
    expect(svix.verify(BODY, webhookHeaders(id, date, signature))).toEqual(PARSED);
    expect(svix.verify(BODY, svixHeaders(id, date, signature))).toEqual(PARSED);
  });

  it('a rotation header from sign verifies with both reference libraries under either secret', () => {
    const secrets = [generateSecret(), generateSecret(64)];
    const { id, date, signature } = signedNow(secrets);
    for (const secret of secrets) {
      expect(new StandardWebhook(secret).verify(BODY, webhookHeaders(id, date, signature))).toEqual(PARSED);
      expect(new SvixWebhook(secret).verify(BODY, svixHeaders(id, date, signature))).toEqual(PARSED);
    }
  });

  it('a request both libraries refuse (wrong secret), verifyWebhook refuses too', () => {
    const { id, date, signature } = signedNow(generateSecret());
    const other = generateSecret();
    expect(() => new StandardWebhook(other).verify(BODY, webhookHeaders(id, date, signature))).toThrow();
    expect(() => new SvixWebhook(other).verify(BODY, webhookHeaders(id, date, signature))).toThrow();
    expect(() => verifyWebhook(BODY, webhookHeaders(id, date, signature), other)).toThrow(/No signature/);
  });
});

describe('a real WebhookClient -> the receiving side', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function deliver(
    events: object[],
    endpoint: { secret?: string; secrets?: string[] },
    envelope: 'none' | 'standard' = 'none',
  ): Promise<RecordedRequest[]> {
    const server = await startRecordingServer();
    cleanup.push(() => server.close());
    const client = new WebhookClient({
      webhooks: [Subscription, Orders],
      endpoints: [{ url: `${server.url}/hooks`, ...endpoint }],
      allowNetworks: LOOPBACK,
      envelope,
    });
    cleanup.push(() => client.close());
    for (const event of events) await client.send(event as Subscription);
    await client.drain();
    return server.waitFor(events.length);
  }

  it('its requests, headers as Node gives them, verify with verifyWebhook', async () => {
    const secret = generateSecret();
    const [request] = await deliver([subscription()], { secret });
    expect(verifyWebhook(request!.body, request!.headers, secret)).toEqual({
      username: 'ada',
      monthly_fee: 9.99,
      start_date: '2026-01-01T00:00:00.000Z',
    });
    expect(verifyWebhook(Buffer.from(request!.body), request!.headers, secret)).toEqual(
      JSON.parse(String(request!.body)),
    );
  });

  it('its requests parse with parseWebhook into instances with Dates', async () => {
    const secret = generateSecret();
    const [request] = await deliver([subscription({ start_date: new Date('2026-03-04T05:06:07.000Z') })], { secret });
    const event = await parseWebhook(Subscription, request!.body, request!.headers, secret);
    expect(event).toBeInstanceOf(Subscription);
    expect(event.start_date).toBeInstanceOf(Date);
    expect(event.start_date.toISOString()).toBe('2026-03-04T05:06:07.000Z');
    expect(event).toEqual(subscription({ start_date: new Date('2026-03-04T05:06:07.000Z') }));
  });

  it('its enveloped requests of both styles parse with the standard envelope', async () => {
    const secret = generateSecret();
    const [first, second] = await deliver([subscription(), order()], { secret }, 'standard');
    const [subscriptionRequest, orderRequest] = first!.body.includes('order.placed')
      ? [second, first]
      : [first, second];

    const event = await parseWebhook(Subscription, subscriptionRequest!.body, subscriptionRequest!.headers, secret, {
      envelope: 'standard',
    });
    expect(event.start_date).toBeInstanceOf(Date);

    const placed = await parseWebhook(OrderPlaced, orderRequest!.body, orderRequest!.headers, secret, {
      envelope: 'standard',
      event: 'order.placed',
    });
    expect(placed).toBeInstanceOf(OrderPlaced);
    expect(placed.lines[0]).toBeInstanceOf(Line);
  });

  it('a client signing with two secrets (rotation) is verified by a receiver holding either', async () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const [request] = await deliver([subscription()], { secrets: [oldSecret, newSecret] });
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(await parseWebhook(Subscription, request!.body, request!.headers, secret)).toBeInstanceOf(Subscription);
    }
  });

  it('a captured request with its body re-serialised does not verify', async () => {
    const secret = generateSecret();
    const [request] = await deliver([subscription({ monthly_fee: 10.5 })], { secret });
    const reserialised = JSON.stringify(JSON.parse(request!.body), null, 2);
    expect(() => verifyWebhook(reserialised, request!.headers, secret)).toThrow(/No signature/);
  });
});
