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
    ['no webhooks', { webhooks: [] }, /needs the webhook classes it may send/],
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
      /timeoutMs must be a positive number of milliseconds up to 2147483647 \(about 24\.8 days\), got 0/,
    ],
    [
      'a lease no longer than the attempt deadline',
      { timeoutMs: 10_000, leaseMs: 10_000 },
      /leaseMs \(10000\) must be longer than timeoutMs \(10000\).*Raise leaseMs \(e\.g\. to 70000\)/,
    ],
    ['a lease that is not a number', { leaseMs: Number.NaN }, /leaseMs \(NaN\) must be longer than timeoutMs/],
    ['a fractional concurrency', { concurrency: 2.5 }, /concurrency must be a positive whole number, got 2\.5/],
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
