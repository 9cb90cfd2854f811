import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
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
