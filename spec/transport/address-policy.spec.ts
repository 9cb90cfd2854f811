import { describe, expect, it } from 'vitest';
import { generateSecret, WebhookClient, WebhookClientConfigError } from 'hookspec';
import type { OptionScope } from '../../lib/options';
import { AddressPolicy, describeVerdict } from '../../lib/transport/address-policy';
import { PUBLIC_ADDRESSES, REFUSED_ADDRESSES } from '../support/address-forms';
import { Subscription } from '../client/fixtures';

const scope: OptionScope = {
  where: 'the test',
  fail: (code, message) => new WebhookClientConfigError(code, message),
};
const policy = (allowNetworks: string[] = []) => new AddressPolicy(allowNetworks, scope);
const guard = policy();

describe('which addresses are public', () => {
  it.each(PUBLIC_ADDRESSES)('allows %s (%s)', (address, range) => {
    expect(guard.check(address)).toMatchObject({ range, allowed: true, embedded: [] });
  });

  it.each(REFUSED_ADDRESSES)('refuses %s (%s)', (address, range) => {
    expect(guard.check(address)).toMatchObject({ range, allowed: false });
  });

  it('unwraps IPv4-mapped IPv6 before judging it', () => {
    expect(guard.check('::ffff:127.0.0.1')).toMatchObject({ address: '127.0.0.1', range: 'loopback' });
    expect(guard.check('::ffff:7f00:1')).toMatchObject({ address: '127.0.0.1', range: 'loopback' });
    expect(guard.check('::ffff:93.184.216.34')).toMatchObject({ address: '93.184.216.34', allowed: true });
  });
});

describe('IPv4 addresses carried inside IPv6 addresses', () => {
  it('reads the IPv4 address of NAT64 (last 32 bits), 6to4 (bits 16-47) and IPv4-compatible forms', () => {
    expect(guard.check('64:ff9b::a9fe:a9fe').embedded).toMatchObject([
      { address: '169.254.169.254', range: 'linkLocal' },
    ]);
    expect(guard.check('2002:a9fe:a9fe::').embedded).toMatchObject([{ address: '169.254.169.254' }]);
    expect(guard.check('::a00:1').embedded).toMatchObject([{ address: '10.0.0.1', range: 'private' }]);
    expect(guard.check('::ffff:0:a00:1').embedded).toMatchObject([{ address: '10.0.0.1', range: 'private' }]);
  });

  it('reads both the server and the (inverted) client address of Teredo', () => {
    expect(guard.check('2001:0:4136:e378:8000:63bf:3fff:fdd2').embedded).toMatchObject([
      { address: '65.54.227.120', range: 'unicast' },
      { address: '192.0.2.45', range: 'reserved' },
    ]);
  });

  it('refuses an allowed translation prefix whose embedded IPv4 address is not public', () => {
    const nat64 = policy(['64:ff9b::/96']);

    expect(nat64.check('64:ff9b::5db8:d822')).toMatchObject({ allowed: true });
    expect(nat64.check('64:ff9b::a9fe:a9fe')).toMatchObject({ allowed: false });
    expect(nat64.check('64:ff9b::7f00:1')).toMatchObject({ allowed: false });
  });

  it('names the carried address in the description', () => {
    expect(describeVerdict(guard.check('64:ff9b::a9fe:a9fe'))).toBe(
      '64:ff9b::a9fe:a9fe (rfc6052, carrying 169.254.169.254 (linkLocal))',
    );
  });
});

describe('allowNetworks', () => {
  it('opens exactly the listed ranges', () => {
    const local = policy(['127.0.0.0/8', '::1/128', '10.1.0.0/16']);

    expect(local.check('127.0.0.1').allowed).toBe(true);
    expect(local.check('::1').allowed).toBe(true);
    expect(local.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(local.check('10.1.2.3').allowed).toBe(true);
    expect(local.check('10.2.0.1').allowed).toBe(false);
    expect(local.check('169.254.169.254').allowed).toBe(false);
    expect(local.check('0.0.0.0').allowed).toBe(false);
  });

  it('unwraps an IPv4-mapped range, which would otherwise match nothing', () => {
    expect(policy(['::ffff:10.0.0.0/104']).check('10.9.9.9').allowed).toBe(true);
  });

  it.each(['10.0.0.1', '10.0.0.0/33', 'localhost/8', '', '::1/129'])(
    'refuses %j when the client is created, with a clear error',
    (cidr) => {
      const make = () =>
        new WebhookClient({
          webhooks: [Subscription],
          endpoints: [{ url: 'https://a.example/h', secret: generateSecret() }],
          allowNetworks: [cidr],
        });
      expect(make).toThrow(WebhookClientConfigError);
      expect(make).toThrow(
        expect.objectContaining({
          code: 'invalid-option',
          message: expect.stringContaining(
            `new WebhookClient(options): allowNetworks: ${JSON.stringify(cidr)} is not a CIDR range`,
          ),
        }),
      );
    },
  );
});

describe('refusal messages', () => {
  it('names the host and every refused address with its class', () => {
    expect(guard.refusal('mixed.test', ['93.184.216.34', '10.0.0.1'], true)?.message).toMatch(
      /^mixed\.test resolves to 10\.0\.0\.1 \(private\); the SSRF guard connects only to public addresses/,
    );
    expect(guard.refusal('::ffff:7f00:1', ['::ffff:7f00:1'], false)?.message).toMatch(
      /^::ffff:7f00:1 = 127\.0\.0\.1 \(loopback\) is refused/,
    );
  });

  it('refuses nothing when every address is public', () => {
    expect(guard.refusal('public.test', ['93.184.216.34', '2001:4860:4860::8888'], true)).toBeUndefined();
  });
});
