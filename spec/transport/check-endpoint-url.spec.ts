import { checkEndpointUrl, WebhookClientConfigError, WebhookTransportError } from 'hookspec';
import type { CheckEndpointUrlOptions } from 'hookspec';
import { describe, expect, it } from 'vitest';
import {
  LOOPBACK_HOSTS,
  LOOPBACK_NETWORKS,
  PUBLIC_ADDRESSES,
  REFUSED_ADDRESSES,
  REFUSED_BESIDE_LOOPBACK,
  REFUSED_URLS,
  STUB_DNS,
  urlOf,
} from '../support/address-forms';
import { rejectionOf, stubLookup } from './stub-lookup';

// The same table as the connect-time guard (ssrf-guard.spec.ts): a URL refused there is refused here.
const dns = stubLookup(STUB_DNS);
const PORT = 8080;

const check = (url: string, options: CheckEndpointUrlOptions = {}) =>
  checkEndpointUrl(url, { lookup: dns.lookup, ...options });

async function refusal(url: string, options: CheckEndpointUrlOptions = {}): Promise<WebhookTransportError> {
  const error = await rejectionOf(check(url, options));
  expect(error).toBeInstanceOf(WebhookTransportError);
  return error as WebhookTransportError;
}

describe('checkEndpointUrl refuses what the SSRF guard would refuse', () => {
  it.each(REFUSED_URLS)('refuses %s with ssrf-blocked and the allowNetworks fix', async (_what, url, message) => {
    const error = await refusal(url(PORT));

    expect(error.code).toBe('ssrf-blocked');
    expect(error.message).toContain(message);
    expect(error.message).toContain('list the network in allowNetworks to reach it on purpose');
  });

  it.each(REFUSED_ADDRESSES)('refuses the literal %s (%s)', async (address, range) => {
    const error = await refusal(urlOf(address));

    expect(error.code).toBe('ssrf-blocked');
    expect(error.message).toContain(`(${range}`);
  });

  it.each(REFUSED_BESIDE_LOOPBACK.map((url) => [url]))(
    'still refuses %s when only loopback is allowed',
    async (url) => {
      expect((await refusal(url(PORT), { allowNetworks: LOOPBACK_NETWORKS })).code).toBe('ssrf-blocked');
    },
  );

  it('refuses NAT64 of a private address even when the NAT64 prefix is allowed', async () => {
    const error = await refusal('http://[64:ff9b::a00:1]/', { allowNetworks: ['64:ff9b::/96'] });

    expect(error.message).toContain('carrying 10.0.0.1 (private)');
  });

  it('shows the URL without credentials or query string', async () => {
    const error = await refusal('http://alice:hunter2@10.0.0.1/hook?token=s3cret');

    expect(error.url).toBe('http://10.0.0.1/hook');
    expect(error.message).not.toMatch(/hunter2|s3cret|alice/);
  });
});

describe('checkEndpointUrl accepts what the SSRF guard would let through', () => {
  it.each(PUBLIC_ADDRESSES)('accepts the public literal %s (%s)', async (address) => {
    expect(await check(urlOf(address))).toEqual({ url: urlOf(address), addresses: [address] });
  });

  it('accepts a name whose every address is public, naming the addresses it checked', async () => {
    expect(await check('https://public.test/in?token=x')).toEqual({
      url: 'https://public.test/in',
      addresses: ['93.184.216.34'],
    });
  });

  it.each(LOOPBACK_HOSTS)('accepts loopback at %s once allowNetworks lists it', async (_what, host) => {
    const checked = await check(`http://${host}:${PORT}/hook`, { allowNetworks: LOOPBACK_NETWORKS });

    // The URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1]; both are 127.0.0.1.
    expect(checked.addresses).toHaveLength(1);
    expect(['127.0.0.1', '::ffff:7f00:1']).toContain(checked.addresses[0]);
  });

  it('accepts a lookup that ignores { all: true } and answers one address', async () => {
    const checked = await checkEndpointUrl('http://one.test/', {
      lookup: (_host, _options, callback) => setImmediate(() => callback(null, '93.184.216.34', 4)),
    });

    expect(checked.addresses).toEqual(['93.184.216.34']);
  });
});

describe('checkEndpointUrl refuses URLs that cannot receive webhooks', () => {
  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:70/_x', 'ftp://example.com/', 'data:text/plain,hi'])(
    'refuses %s with unsupported-protocol, before resolving anything',
    async (url) => {
      const error = await refusal(url);

      expect(error.code).toBe('unsupported-protocol');
      expect(dns.calls).not.toContain('example.com');
    },
  );

  it('refuses garbage with invalid-url, without showing credentials', async () => {
    const error = await refusal('http://alice:hunter2@[not-an-ip/hook?token=s3cret');

    expect(error.code).toBe('invalid-url');
    expect(error.message).not.toMatch(/hunter2|s3cret|alice/);
  });

  it('refuses a name that does not resolve with dns-failure', async () => {
    const error = await refusal('http://no-such-host.test/hook');

    expect(error.code).toBe('dns-failure');
    expect(error.message).toContain('cannot resolve no-such-host.test (ENOTFOUND)');
  });
});

describe('checkEndpointUrl options', () => {
  it('refuses an unknown option with a did-you-mean', async () => {
    const error = await rejectionOf(check('https://public.test/', { allowNetwork: [] } as never));

    expect(error).toBeInstanceOf(WebhookClientConfigError);
    expect(error).toMatchObject({
      code: 'unknown-option',
      message: expect.stringContaining("'allowNetwork' (did you mean 'allowNetworks'?)"),
    });
  });

  it.each(['10.0.0.1', '10.0.0.0/33', 'localhost/8', '', '::1/129'])(
    'refuses the allowNetworks range %j with invalid-option',
    async (cidr) => {
      const error = await rejectionOf(check('https://public.test/', { allowNetworks: [cidr] }));

      expect(error).toBeInstanceOf(WebhookClientConfigError);
      expect(error).toMatchObject({
        code: 'invalid-option',
        message: expect.stringContaining(`allowNetworks: ${JSON.stringify(cidr)} is not a CIDR range`),
      });
    },
  );
});
