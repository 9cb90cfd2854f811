import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
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
import { deliverOnce, type OnceOptions } from '../support/deliver-once';
import { loopbackIPv6Available, startRecordingServer, type RecordingServer } from '../support/recording-server';
import { probeConnections, TRANSPORTS, type ConnectProbe } from '../support/transports';
import { stubLookup } from './stub-lookup';

// The connect-time guard, seen through a WebhookClient: every attempt of these tests goes through the
// client's own transport (each built-in one in turn), and the stub resolver is the only DNS they use.
const ipv6 = await loopbackIPv6Available();
const dns = stubLookup(STUB_DNS);

let server: RecordingServer;
let server6: RecordingServer | undefined;

beforeAll(async () => {
  server = await startRecordingServer();
  server6 = ipv6 ? await startRecordingServer({ host: '::1' }) : undefined;
});

afterAll(async () => {
  await server.close();
  await server6?.close();
});

describe.each(TRANSPORTS)('the %s transport', (transport) => {
  // Every socket the client could open is asked for here: none asked = no connection attempt.
  let probe: ConnectProbe;

  beforeEach(() => {
    probe = probeConnections(transport);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const send = (url: string, options: OnceOptions = {}) =>
    deliverOnce(url, { transport, lookup: dns.lookup, ...options });

  /** The attempt's error, after checking that nothing connected anywhere. */
  async function refusal(url: string, options: OnceOptions = {}) {
    const connectionsBefore = server.connections();
    const { attempt } = await send(url, options);
    expect(attempt.status).toBeUndefined();
    expect(probe.plain()).toEqual([]);
    expect(probe.tls()).toEqual([]);
    expect(server.connections()).toBe(connectionsBefore);
    return { code: attempt.errorCode, message: attempt.error ?? '' };
  }

  describe('the SSRF guard refuses non-public addresses before any connection', () => {
    it.each(REFUSED_URLS)('refuses %s with ssrf-blocked', async (_what, url, message) => {
      const error = await refusal(url(server.port));

      expect(error.code).toBe('ssrf-blocked');
      expect(error.message).toContain(message);
      expect(error.message).toContain('allowNetworks');
    });

    it.each(REFUSED_ADDRESSES)('refuses the literal %s (%s)', async (address, range) => {
      const error = await refusal(urlOf(address));

      expect(error.code).toBe('ssrf-blocked');
      expect(error.message).toContain(`(${range}`);
    });

    it.each(REFUSED_BESIDE_LOOPBACK.map((url) => [url]))(
      'still refuses %s when only loopback is allowed',
      async (url) => {
        expect((await refusal(url(server.port), { allowNetworks: LOOPBACK_NETWORKS })).code).toBe('ssrf-blocked');
      },
    );

    it('refuses NAT64 of a private address even when the NAT64 prefix is allowed', async () => {
      const error = await refusal('http://[64:ff9b::a00:1]/', { allowNetworks: ['64:ff9b::/96'] });

      expect(error.message).toContain('carrying 10.0.0.1 (private)');
    });
  });

  describe('allowNetworks opens loopback on purpose', () => {
    it.each(LOOPBACK_HOSTS)('reaches the loopback server at %s', async (_what, host) => {
      const before = server.requests.length;
      const { attempt } = await send(`http://${host}:${server.port}/status/204`, { allowNetworks: LOOPBACK_NETWORKS });

      expect(attempt.status).toBe(204);
      expect(server.requests).toHaveLength(before + 1);
    });

    it.skipIf(!ipv6)('reaches a server on [::1]', async () => {
      const { attempt } = await send(`http://[::1]:${server6?.port}/status/204`, { allowNetworks: LOOPBACK_NETWORKS });

      expect(attempt.status).toBe(204);
    });

    it('connects with the guard off, without any allow-list', async () => {
      const { attempt } = await send(`http://127.0.0.1:${server.port}/status/204`, { ssrfGuard: false });

      expect(attempt.status).toBe(204);
    });

    it('records a redirect to a private address as a 302, never connecting to it', async () => {
      const { attempt } = await send(`http://127.0.0.1:${server.port}/status/302?Location=http://10.0.0.1/`, {
        allowNetworks: LOOPBACK_NETWORKS,
      });

      expect(attempt.status).toBe(302);
      expect(probe.plain()).toEqual([expect.objectContaining({ host: '127.0.0.1' })]);
    });
  });

  describe('a public address passes the guard (the connection itself is suppressed)', () => {
    it('connects to a name resolving to a public address, pinned to the address it checked', async () => {
      probe.suppress();
      const { attempt } = await send('http://public.test/hook');

      expect(attempt).toMatchObject({ errorCode: 'network-error' });
      expect(attempt.error).toContain('connection suppressed by the test');
      expect(probe.plain()).toHaveLength(1);
      const [options] = probe.plain();
      expect(options?.host).toBe('public.test');
      const pinned = await new Promise((resolve) =>
        options?.lookup?.('public.test', { all: true }, (_e, all) => resolve(all)),
      );
      expect(pinned).toEqual([{ address: '93.184.216.34', family: 4 }]);
    });

    it.each(PUBLIC_ADDRESSES)('connects to the public literal %s (%s)', async (address) => {
      probe.suppress();
      const { attempt } = await send(urlOf(address));

      expect(attempt.errorCode).toBe('network-error');
      expect(probe.plain()).toEqual([expect.objectContaining({ host: address })]);
    });

    it('connects to a public literal address over https', async () => {
      probe.suppress();
      await send('https://93.184.216.34/hook');

      expect(probe.tls()).toEqual([expect.objectContaining({ host: '93.184.216.34' })]);
    });
  });

  describe('a custom lookup', () => {
    const oneAnswer: OnceOptions['lookup'] = (_host, _options, callback) =>
      setImmediate(() => callback(null, '127.0.0.1', 4));

    it('that ignores { all: true } and answers one address is accepted', async () => {
      const { attempt } = await send(`http://one-answer.test:${server.port}/status/204`, {
        lookup: oneAnswer,
        allowNetworks: LOOPBACK_NETWORKS,
      });

      expect(attempt.status).toBe(204);
    });

    it('that ignores { all: true } has its one address judged like any other', async () => {
      const refused = await refusal(`http://one-answer.test:${server.port}/status/204`, { lookup: oneAnswer });

      expect(refused.code).toBe('ssrf-blocked');
      expect(refused.message).toContain('one-answer.test resolves to 127.0.0.1 (loopback)');
    });

    it('that answers nothing usable fails the attempt with dns-failure', async () => {
      const { attempt } = await send(`http://empty.test:${server.port}/`, {
        lookup: (_host, _options, callback) => setImmediate(() => callback(null, [])),
        allowNetworks: LOOPBACK_NETWORKS,
      });

      expect(attempt.errorCode).toBe('dns-failure');
    });
  });
});
