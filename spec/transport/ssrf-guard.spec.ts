import * as http from 'node:http';
import * as https from 'node:https';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { WebhookTransportError } from '../../lib/errors';
import { createAxiosTransport, type AxiosTransportOptions } from '../../lib/transport';
import { loopbackIPv6Available, startTestServer, type TestServer } from '../support/test-server';
import { rejectionOf, stubLookup } from './stub-lookup';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const ipv6 = await loopbackIPv6Available();

// The stub resolver is the only DNS these tests use: nothing is resolved or sent off the machine.
const dns = stubLookup({
  localhost: ['127.0.0.1'],
  'mixed.test': ['93.184.216.34', '10.0.0.1'],
  'public.test': ['93.184.216.34'],
  'metadata.test': ['169.254.169.254'],
});

let server: TestServer;
let server6: TestServer | undefined;
// Every socket the transport could open goes through these two: not called = no connection attempt.
let httpConnect: MockInstance<http.Agent['createConnection']>;
let httpsConnect: MockInstance<https.Agent['createConnection']>;

beforeAll(async () => {
  server = await startTestServer();
  server6 = ipv6 ? await startTestServer('::1') : undefined;
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

async function send(url: string, options: AxiosTransportOptions = {}) {
  const transport = createAxiosTransport({ lookup: dns.lookup, ...options });
  try {
    return await transport.send({ url, headers: {}, body: '{}', timeoutMs: 2_000 });
  } finally {
    await transport.close();
  }
}

async function refusal(url: string, options: AxiosTransportOptions = {}): Promise<WebhookTransportError> {
  const connectionsBefore = server.connections();
  const error = await rejectionOf(send(url, options));
  expect(error).toBeInstanceOf(WebhookTransportError);
  expect(httpConnect).not.toHaveBeenCalled();
  expect(httpsConnect).not.toHaveBeenCalled();
  expect(server.connections()).toBe(connectionsBefore);
  return error as WebhookTransportError;
}

const port = () => server.port;

describe('the SSRF guard refuses non-public addresses before any connection', () => {
  const cases: Array<[what: string, url: () => string, message: string]> = [
    ['127.0.0.1', () => `http://127.0.0.1:${port()}/hook`, '127.0.0.1 (loopback) is refused'],
    [
      'localhost (resolves to 127.0.0.1)',
      () => `http://localhost:${port()}/hook`,
      'localhost resolves to 127.0.0.1 (loopback)',
    ],
    ['[::1]', () => `http://[::1]:${port()}/hook`, '::1 (loopback)'],
    ['0.0.0.0 (reaches localhost on Linux)', () => `http://0.0.0.0:${port()}/hook`, '0.0.0.0 (unspecified)'],
    ['[::]', () => `http://[::]:${port()}/hook`, ':: (unspecified)'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254 (linkLocal)'],
    [
      'a name for the metadata address',
      () => 'http://metadata.test/',
      'metadata.test resolves to 169.254.169.254 (linkLocal)',
    ],
    ['IPv4-mapped loopback [::ffff:127.0.0.1]', () => `http://[::ffff:127.0.0.1]:${port()}/`, '127.0.0.1 (loopback)'],
    ['NAT64 of the metadata address', () => 'http://[64:ff9b::a9fe:a9fe]/', 'carrying 169.254.169.254 (linkLocal)'],
    [
      '6to4 of the metadata address',
      () => 'http://[2002:a9fe:a9fe::]/',
      '(6to4, carrying 169.254.169.254 (linkLocal))',
    ],
    ['Teredo', () => 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', '(teredo, carrying'],
    ['2130706433 (decimal 127.0.0.1)', () => `http://2130706433:${port()}/`, '127.0.0.1 (loopback)'],
    ['0x7f.1 (hex 127.0.0.1)', () => `http://0x7f.1:${port()}/`, '127.0.0.1 (loopback)'],
    ['10.0.0.1', () => 'http://10.0.0.1/hook', '10.0.0.1 (private)'],
    ['172.16.0.1', () => 'http://172.16.0.1/hook', '172.16.0.1 (private)'],
    ['192.168.1.1', () => 'http://192.168.1.1/hook', '192.168.1.1 (private)'],
    ['100.64.0.1 (CGNAT)', () => 'http://100.64.0.1/hook', '100.64.0.1 (carrierGradeNat)'],
    ['198.18.0.1 (benchmarking)', () => 'http://198.18.0.1/hook', '198.18.0.1 (reserved)'],
    ['[fd00::1] (unique local)', () => 'http://[fd00::1]/hook', 'fd00::1 (uniqueLocal)'],
    ['[fe80::1] (link-local)', () => 'http://[fe80::1]/hook', 'fe80::1 (linkLocal)'],
    ['224.0.0.1 (multicast)', () => 'http://224.0.0.1/hook', '224.0.0.1 (multicast)'],
    ['255.255.255.255 (broadcast)', () => 'http://255.255.255.255/hook', '255.255.255.255 (broadcast)'],
    ['https://10.0.0.1', () => 'https://10.0.0.1/hook', '10.0.0.1 (private)'],
    [
      'a name with one public and one private address',
      () => 'http://mixed.test/hook',
      'mixed.test resolves to 10.0.0.1 (private)',
    ],
  ];

  it.each(cases)('refuses %s with ssrf-blocked', async (_what, url, message) => {
    const error = await refusal(url());

    expect(error.code).toBe('ssrf-blocked');
    expect(error.message).toContain(message);
    expect(error.message).toContain('allowNetworks');
  });

  it('refuses https:// names through the https agent too', async () => {
    const error = await refusal('https://metadata.test/hook');

    expect(error.code).toBe('ssrf-blocked');
  });

  it('still refuses private and unspecified addresses when only loopback is allowed', async () => {
    for (const url of [
      'http://10.0.0.1/',
      'http://169.254.169.254/',
      `http://0.0.0.0:${port()}/`,
      'http://mixed.test/',
    ]) {
      expect((await refusal(url, { allowNetworks: LOOPBACK })).code).toBe('ssrf-blocked');
    }
  });

  it('refuses NAT64 of a private address even when the NAT64 prefix is allowed', async () => {
    const error = await refusal('http://[64:ff9b::a00:1]/', { allowNetworks: ['64:ff9b::/96'] });

    expect(error.message).toContain('carrying 10.0.0.1 (private)');
  });
});

describe('allowNetworks opens loopback on purpose', () => {
  const allowed: Array<[what: string, host: string]> = [
    ['127.0.0.1', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['[::ffff:127.0.0.1]', '[::ffff:127.0.0.1]'],
    ['2130706433', '2130706433'],
    ['0x7f.1', '0x7f.1'],
  ];

  it.each(allowed)('reaches the loopback server at %s', async (_what, host) => {
    const before = server.requests.length;
    const response = await send(`http://${host}:${port()}/status/204`, { allowNetworks: LOOPBACK });

    expect(response.status).toBe(204);
    expect(server.requests).toHaveLength(before + 1);
  });

  it.skipIf(!ipv6)('reaches a server on [::1]', async () => {
    const response = await send(`http://[::1]:${server6?.port}/status/204`, { allowNetworks: LOOPBACK });

    expect(response.status).toBe(204);
  });

  it('connects with the guard off, without any allow-list', async () => {
    expect((await send(`http://127.0.0.1:${port()}/status/204`, { ssrfGuard: false })).status).toBe(204);
  });

  it('returns a redirect to a private address as a 302, never connecting to it', async () => {
    const response = await send(`http://127.0.0.1:${port()}/status/302?Location=http://10.0.0.1/`, {
      allowNetworks: LOOPBACK,
    });

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('http://10.0.0.1/');
    expect(httpConnect).toHaveBeenCalledTimes(1);
    expect(httpConnect.mock.calls[0][0]).toMatchObject({ host: '127.0.0.1' });
  });
});

describe('a public address passes the guard (the connection itself is suppressed)', () => {
  it('connects to a name resolving to a public address, pinned to the address it checked', async () => {
    httpConnect.mockImplementation(() => {
      throw new Error('connection suppressed by the test');
    });
    const error = await rejectionOf(send('http://public.test/hook'));

    expect(error).toMatchObject({ code: 'network-error' });
    expect((error as Error).message).toContain('connection suppressed by the test');
    expect(httpConnect).toHaveBeenCalledTimes(1);
    const options = httpConnect.mock.calls[0][0] as http.ClientRequestArgs & { lookup: PinnedLookup };
    expect(options.host).toBe('public.test');
    const pinned = await new Promise((resolve) =>
      options.lookup('public.test', { all: true }, (_e, all) => resolve(all)),
    );
    expect(pinned).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('connects to a public literal address', async () => {
    httpsConnect.mockImplementation(() => {
      throw new Error('connection suppressed by the test');
    });
    await rejectionOf(send('https://93.184.216.34/hook'));

    expect(httpsConnect).toHaveBeenCalledTimes(1);
    expect(httpsConnect.mock.calls[0][0]).toMatchObject({ host: '93.184.216.34' });
  });
});

describe('only http: and https: URLs', () => {
  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:70/_x', 'ftp://example.com/', 'data:text/plain,hi'])(
    'refuses %s with unsupported-protocol before anything else',
    async (url) => {
      const error = await refusal(url, { ssrfGuard: false });

      expect(error.code).toBe('unsupported-protocol');
      expect(dns.calls).not.toContain('example.com');
    },
  );

  it('refuses garbage with invalid-url', async () => {
    expect((await refusal('not a url')).code).toBe('invalid-url');
  });
});

type PinnedLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: Error | null, addresses: unknown) => void,
) => void;
