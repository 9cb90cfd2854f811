import * as http from 'node:http';
import * as https from 'node:https';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
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
import { stubLookup } from './stub-lookup';

// The connect-time guard, seen through a WebhookClient: every attempt of these tests goes through the
// client's own transport, and the stub resolver is the only DNS they use.
const ipv6 = await loopbackIPv6Available();
const dns = stubLookup(STUB_DNS);

let server: RecordingServer;
let server6: RecordingServer | undefined;
// Every socket the client could open goes through these two: not called = no connection attempt.
let httpConnect: MockInstance<http.Agent['createConnection']>;
let httpsConnect: MockInstance<https.Agent['createConnection']>;

beforeAll(async () => {
  server = await startRecordingServer();
  server6 = ipv6 ? await startRecordingServer({ host: '::1' }) : undefined;
});

afterAll(async () => {
  await server.close();
  await server6?.close();
});

beforeEach(() => {
  httpConnect = vi.spyOn(http.Agent.prototype, 'createConnection');
  httpsConnect = vi.spyOn(https.Agent.prototype, 'createConnection');
});

afterEach(() => {
  vi.restoreAllMocks();
});

const send = (url: string, options: OnceOptions = {}) => deliverOnce(url, { lookup: dns.lookup, ...options });

/** The attempt's error, after checking that nothing connected anywhere. */
async function refusal(url: string, options: OnceOptions = {}) {
  const connectionsBefore = server.connections();
  const { attempt } = await send(url, options);
  expect(attempt.status).toBeUndefined();
  expect(httpConnect).not.toHaveBeenCalled();
  expect(httpsConnect).not.toHaveBeenCalled();
  expect(server.connections()).toBe(connectionsBefore);
  return { code: attempt.errorCode, message: attempt.error ?? '' };
}

/** Lets the guard pass and the socket be asked for, then fails it: no traffic leaves the machine. */
function suppressConnections(): void {
  const suppress = () => {
    throw new Error('connection suppressed by the test');
  };
  httpConnect.mockImplementation(suppress);
  httpsConnect.mockImplementation(suppress);
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
    expect(httpConnect).toHaveBeenCalledTimes(1);
    expect(httpConnect.mock.calls[0]?.[0]).toMatchObject({ host: '127.0.0.1' });
  });
});

describe('a public address passes the guard (the connection itself is suppressed)', () => {
  it('connects to a name resolving to a public address, pinned to the address it checked', async () => {
    suppressConnections();
    const { attempt } = await send('http://public.test/hook');

    expect(attempt).toMatchObject({ errorCode: 'network-error' });
    expect(attempt.error).toContain('connection suppressed by the test');
    expect(httpConnect).toHaveBeenCalledTimes(1);
    const options = httpConnect.mock.calls[0]?.[0] as http.ClientRequestArgs & { lookup: PinnedLookup };
    expect(options.host).toBe('public.test');
    const pinned = await new Promise((resolve) =>
      options.lookup('public.test', { all: true }, (_e, all) => resolve(all)),
    );
    expect(pinned).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it.each(PUBLIC_ADDRESSES)('connects to the public literal %s (%s)', async (address) => {
    suppressConnections();
    const { attempt } = await send(urlOf(address));

    expect(attempt.errorCode).toBe('network-error');
    expect(httpConnect).toHaveBeenCalledTimes(1);
    expect(httpConnect.mock.calls[0]?.[0]).toMatchObject({ host: address });
  });

  it('connects to a public literal address over https', async () => {
    suppressConnections();
    await send('https://93.184.216.34/hook');

    expect(httpsConnect).toHaveBeenCalledTimes(1);
    expect(httpsConnect.mock.calls[0]?.[0]).toMatchObject({ host: '93.184.216.34' });
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

type PinnedLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: Error | null, addresses: unknown) => void,
) => void;
