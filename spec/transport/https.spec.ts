import * as http from 'node:http';
import * as https from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls, { type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliverOnce } from '../support/deliver-once';
import { TRANSPORTS, type TransportKind } from '../support/transports';
import { stubLookup } from './stub-lookup';

// A self-signed certificate for localhost and webhooks.test (P-256, valid until 2126), test use only.
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgL+l6nDgZ+pU1T9Sh
iqmoVZQaDgxjaS69mMr2dDCV46+hRANCAASgQfb6Ws53Xc1vgZFsLtJ+yVaHpZE5
2WGaOiZq5g/TSFUXqQcUx/Uz2DXOM2dOZw5tFjmT3dTkXm4YtElt8h2z
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBpDCCAUqgAwIBAgIUfut3HU2LyxRd/My1p9wfJ+oGKz0wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzIxNTIxNFoYDzIxMjYxMTAz
MjE1MjE0WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASgQfb6Ws53Xc1vgZFsLtJ+yVaHpZE52WGaOiZq5g/TSFUXqQcUx/Uz
2DXOM2dOZw5tFjmT3dTkXm4YtElt8h2zo3gwdjAdBgNVHQ4EFgQUt+L6PCWZyUr+
Mi9Q95NT7XqT3JcwHwYDVR0jBBgwFoAUt+L6PCWZyUr+Mi9Q95NT7XqT3JcwDwYD
VR0TAQH/BAUwAwEB/zAjBgNVHREEHDAagglsb2NhbGhvc3SCDXdlYmhvb2tzLnRl
c3QwCgYIKoZIzj0EAwIDSAAwRQIgA6YQFsDKtlkhhyEmrqEkZKJ9bwri2CXeo/2x
d3Egd+ACIQC/+6Z6lW/0N59WFvzQzCJaEcsBFM6aGCgLfWJveCZFkQ==
-----END CERTIFICATE-----`;

const { lookup } = stubLookup({ 'webhooks.test': ['127.0.0.1'] });
let server: https.Server;
let port: number;

beforeAll(async () => {
  // Answers with the name the client asked for in TLS (SNI).
  server = https.createServer({ key: KEY, cert: CERT }, (req, res) => {
    res.end((req.socket as TLSSocket & { servername?: string | false }).servername || '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Trusts the test certificate for the connections of this test only, at each transport's TLS door. */
function trustTestCertificate(transport: TransportKind): void {
  if (transport === 'axios') {
    const original = https.Agent.prototype.createConnection;
    vi.spyOn(https.Agent.prototype, 'createConnection').mockImplementation(function (
      this: https.Agent,
      options,
      callback,
    ) {
      return original.call(this, { ...options, ca: CERT }, callback);
    });
  } else {
    // undici's connector calls tls.connect(options): the one-argument overload.
    const original = tls.connect as (options: tls.ConnectionOptions) => TLSSocket;
    vi.spyOn(tls, 'connect').mockImplementation(((options: tls.ConnectionOptions) =>
      original({ ...options, ca: CERT })) as typeof tls.connect);
  }
}

describe.each(TRANSPORTS)('https through the guard of the %s transport', (transport) => {
  const send = async (url: string) =>
    (await deliverOnce(url, { transport, lookup, allowNetworks: ['127.0.0.0/8'], retry: { schedule: [] } })).attempt;

  it('connects to the checked address while TLS still verifies the host name (SNI included)', async () => {
    trustTestCertificate(transport);
    const attempt = await send(`https://webhooks.test:${port}/hook`);

    expect(attempt).toMatchObject({ status: 200, response: 'webhooks.test' });
  });

  it('verifies certificates: an untrusted one fails the attempt', async () => {
    const attempt = await send(`https://webhooks.test:${port}/hook`);

    expect(attempt).toMatchObject({ errorCode: 'network-error', error: expect.stringContaining('self-signed') });
  });
});

describe('https through a proxy, with the undici transport', () => {
  it('tunnels with CONNECT, so TLS and the certificate check run end to end with the receiver', async () => {
    // A CONNECT proxy on loopback that resolves webhooks.test to the https server, and nothing else.
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: Duplex) => {
      tunnels.push(req.url ?? '');
      const upstream = connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      trustTestCertificate('undici');
      const { attempt } = await deliverOnce(`https://webhooks.test:${port}/hook`, {
        transport: 'undici',
        lookup,
        allowNetworks: ['127.0.0.0/8'],
        proxy: { protocol: 'http', host: '127.0.0.1', port: (proxy.address() as AddressInfo).port },
      });

      expect(attempt).toMatchObject({ status: 200, response: 'webhooks.test' });
      expect(tunnels).toEqual([`webhooks.test:${port}`]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
