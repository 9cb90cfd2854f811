import { generateSecret, WebhookClient, WebhookClientConfigError } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { Orders, Subscription } from './fixtures';

const secret = generateSecret();
const make = (options: Partial<ConstructorParameters<typeof WebhookClient>[0]>) => () =>
  new WebhookClient({ webhooks: [Subscription, Orders], endpoints: [], ...options } as ConstructorParameters<
    typeof WebhookClient
  >[0]);

describe('new WebhookClient refuses, before anything is accepted,', () => {
  it.each([
    ['no webhooks', { webhooks: [] }, /new WebhookClient\(\{ webhooks \}\) needs the webhook classes/],
    ['an undefined webhook class', { webhooks: [undefined] }, /webhooks\[0\] is undefined \(a circular import\?\)/],
    ['an endpoint without a url', { endpoints: [{ secret }] }, /endpoints\[0\]: an endpoint needs a url/],
    [
      'a url that is not absolute',
      { endpoints: [{ url: '/hook', secret }] },
      /endpoints\[0\] \(.*\): the url is not a valid absolute URL/,
    ],
    [
      'a file: url',
      { endpoints: [{ url: 'file:///etc/passwd', secret }] },
      /only http: and https: URLs receive webhooks, not file:/,
    ],
    [
      'an endpoint without a key',
      { endpoints: [{ url: 'https://a.example/h' }] },
      /no key to sign with\. Give it a secret \(generateSecret\(\)\)/,
    ],
    [
      'an unknown event',
      { endpoints: [{ url: 'https://a.example/h', secret, events: ['nope'] }] },
      /events lists 'nope', which is not one of the client's webhooks \(new-subscription, order\.placed\)/,
    ],
    [
      'a reserved header',
      { endpoints: [{ url: 'https://a.example/h', secret, headers: { 'Webhook-Signature': 'x' } }] },
      /headers may not set 'Webhook-Signature'/,
    ],
    [
      'a hop-by-hop header, which undici refuses and which belongs to the connection',
      { endpoints: [{ url: 'https://a.example/h', secret, headers: { Expect: '100-continue' } }] },
      /headers may not set 'Expect'; the client writes it itself, or it belongs to the connection/,
    ],
    [
      'two endpoints with one id',
      {
        endpoints: [
          { url: 'https://a.example/h', secret },
          { url: 'https://a.example/h', secret },
        ],
      },
      /endpoints\[1\] .*another endpoint has the id/,
    ],
    [
      'a negative retry wait',
      { retry: { schedule: [-1] } },
      /new WebhookClient\(\{ retry \}\): schedule\[0\] must be a number of milliseconds from 0/,
    ],
    [
      'a jitter of 1 or more',
      { retry: { jitter: 1.5 } },
      /new WebhookClient\(\{ retry \}\): jitter must be a fraction from 0/,
    ],
    [
      'a zero timeout',
      { timeoutMs: 0 },
      /timeoutMs must be a number of milliseconds above 0 up to 2147483647 \(about 24\.8 days\), got 0/,
    ],
    [
      'a lease no longer than the attempt deadline',
      { timeoutMs: 10_000, leaseMs: 10_000 },
      /leaseMs \(10000\) must be longer than timeoutMs \(10000\).*Raise leaseMs \(e\.g\. to 70000\)/,
    ],
    ['a lease that is not a number', { leaseMs: Number.NaN }, /leaseMs must be a number of milliseconds .*got NaN/],
    ['a fractional concurrency', { concurrency: 2.5 }, /concurrency must be a whole number above 0, got 2\.5/],
    ['an unknown envelope', { envelope: 'cloudevents' as never }, /envelope must be 'none' or 'standard'/],
    [
      'an endpoint store without lookups',
      { endpoints: { endpointsFor: async () => [] } as never },
      /a store with endpointsFor\(event\) and endpointById\(id\)/,
    ],
  ])('%s', (_label, options, message) => {
    expect(make(options as never)).toThrow(WebhookClientConfigError);
    expect(make(options as never)).toThrow(message);
  });

  it('a malformed secret, without ever printing it', () => {
    const typo = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!';
    let error: Error | undefined;
    try {
      make({ endpoints: [{ url: 'https://user:pw@a.example/h?token=t0k3n', secret: typo }] })();
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toBeInstanceOf(WebhookClientConfigError);
    expect(error?.message).toMatch(/^endpoints\[0\] \(https:\/\/a\.example\/h\): /);
    for (const leak of [typo, typo.slice(6, 20), 'pw', 't0k3n']) expect(error?.message).not.toContain(leak);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(typo.slice(6, 20));
  });

  it('a webhook whose own retry option is wrong, naming the webhook', async () => {
    const { Webhook } = await import('hookspec');
    @Webhook('quick', { retry: { jitter: -1 } })
    class Quick {}
    expect(() => new WebhookClient({ webhooks: [Quick], endpoints: [] })).toThrow(
      /@Webhook\('quick', \{ retry \}\): jitter must be a fraction/,
    );
  });
});

/** The error `make(options)` throws, checked to be a WebhookClientConfigError. */
function refusalOf(options: object): WebhookClientConfigError {
  try {
    make(options as never)();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookClientConfigError);
    return error as WebhookClientConfigError;
  }
  throw new Error('expected new WebhookClient() to throw');
}

describe('new WebhookClient refuses unknown keys, naming the closest known one', () => {
  it.each([
    [
      'a typo of an option',
      { timeOut: 1 },
      "new WebhookClient(options): unknown option 'timeOut' (did you mean 'timeoutMs'?)",
    ],
    ['an option in another case', { allownetworks: [] }, "'allownetworks' (did you mean 'allowNetworks'?)"],
    [
      'a key of the retry options',
      { retry: { shedule: [5] } },
      "new WebhookClient({ retry }): unknown option 'shedule' (did you mean 'schedule'?)",
    ],
    [
      "a key of an endpoint's",
      { endpoints: [{ url: 'https://a.example/h', secrte: secret }] },
      "endpoints[0] (https://a.example/h): unknown option 'secrte' (did you mean 'secret'?)",
    ],
  ])('%s', (_label, options, message) => {
    const error = refusalOf(options);

    expect(error.code).toBe('unknown-option');
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(secret);
  });

  it('a key set to undefined counts too, and every unknown key is named at once', () => {
    const error = refusalOf({ timeOut: undefined, workers: 2 });

    expect(error.code).toBe('unknown-option');
    expect(error.message).toMatch(/unknown options 'timeOut' \(did you mean 'timeoutMs'\?\), 'workers'/);
  });

  it('accepts every documented option, and the payload options of send()', () => {
    const options = {
      timeoutMs: 1_000,
      leaseMs: 70_000,
      concurrency: 2,
      endpointConcurrency: 1,
      envelope: 'standard',
      disableFailingEndpointAfterMs: false,
      retry: { schedule: [5], jitter: 0, maxRetryAfterMs: 10 },
      allowNetworks: ['127.0.0.0/8'],
      ssrfGuard: true,
      proxy: false,
      worker: true,
      unknownProperties: undefined,
      maxPayloadBytes: undefined,
    };
    const client = make(options as never)();

    expect(client).toBeInstanceOf(WebhookClient);
    return client.close();
  });

  it('no options object at all, with invalid-option', () => {
    let error: unknown;
    try {
      new WebhookClient(undefined as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(WebhookClientConfigError);
    expect(error).toMatchObject({
      code: 'invalid-option',
      message: expect.stringMatching(/^new WebhookClient\(options\) needs an options object, e\.g\. \{ webhooks/),
    });
  });

  it('a retry that is not an object, with invalid-option', () => {
    const error = refusalOf({ retry: 5 });

    expect(error.code).toBe('invalid-option');
    expect(error.message).toContain('new WebhookClient({ retry }) needs an options object');
  });
});

describe('new WebhookClient refuses endpoint headers that would change on the wire, never showing a value', () => {
  const endpoint = (headers: Record<string, unknown>) => ({
    endpoints: [{ url: 'https://a.example/h', secret, headers }],
  });

  it.each([
    ['a CR LF in a value', { 'x-api-key': 'k3y\r\nx-injected: 1' }, /headers\['x-api-key'\] holds a line break/],
    ['a bare LF in a value', { 'x-api-key': 'k3y\nmore' }, /headers\['x-api-key'\] holds a line break/],
    [
      'a NUL in a value',
      { 'x-api-key': 'k3y\u0000' },
      /headers\['x-api-key'\] holds a line break \(CR or LF\) or a NUL/,
    ],
    ['a value that is not a string', { 'x-count': 5 }, /headers\['x-count'\] must be a string, got 5/],
    ['a name with a space', { 'x api key': 'k3y' }, /the name "x api key", which is not an HTTP header name/],
    ['a name with a colon', { 'x-key:': 'k3y' }, /the name "x-key:", which is not an HTTP header name/],
    ['an empty name', { '': 'k3y' }, /the name "", which is not an HTTP header name/],
  ])('%s', (_label, headers, message) => {
    const error = refusalOf(endpoint(headers));

    expect(error.code).toBe('invalid-endpoint');
    expect(error.message).toMatch(/^endpoints\[0\] \(https:\/\/a\.example\/h\): /);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('k3y');
  });
});
