import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAxiosTransport, type AxiosTransportOptions } from '../../lib/transport';
import { startTestServer, type TestServer } from '../support/test-server';
import { rejectionOf, stubLookup } from './stub-lookup';

const LOOPBACK = ['127.0.0.0/8'];
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

let proxy: TestServer;
let target: TestServer;
const savedEnv = new Map<string, string | undefined>();

beforeAll(async () => {
  proxy = await startTestServer();
  target = await startTestServer();
  for (const name of PROXY_VARIABLES) savedEnv.set(name, process.env[name]);
});

afterEach(() => {
  for (const [name, value] of savedEnv) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

afterAll(async () => {
  await proxy.close();
  await target.close();
});

async function send(url: string, options: AxiosTransportOptions) {
  const transport = createAxiosTransport({ lookup: stubLookup({}).lookup, ...options });
  try {
    return await transport.send({ url, headers: {}, body: '{}', timeoutMs: 2_000 });
  } finally {
    await transport.close();
  }
}

describe('proxies', () => {
  it('ignores HTTP_PROXY unless a proxy is configured', async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.http_proxy = proxy.url;
    const before = proxy.connections();
    const response = await send(`${target.url}/status/204`, { allowNetworks: LOOPBACK });

    expect(response.status).toBe(204);
    expect(proxy.connections()).toBe(before);
  });

  it('sends through a configured proxy, which resolves the target itself', async () => {
    const response = await send('http://webhooks.example/hook', {
      allowNetworks: LOOPBACK,
      proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port },
    });

    expect(response.status).toBe(404);
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', url: 'http://webhooks.example/hook' });
  });

  it('still refuses a literal private target behind a proxy, before connecting to the proxy', async () => {
    const before = proxy.connections();
    const error = await rejectionOf(
      send('http://10.0.0.1/hook', {
        allowNetworks: LOOPBACK,
        proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port },
      }),
    );

    expect(error).toMatchObject({ code: 'ssrf-blocked' });
    expect(proxy.connections()).toBe(before);
  });

  it('applies the guard to the proxy address itself for http: targets', async () => {
    const error = await rejectionOf(
      send('http://webhooks.example/hook', { proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port } }),
    );

    expect(error).toMatchObject({ code: 'ssrf-blocked' });
  });
});
