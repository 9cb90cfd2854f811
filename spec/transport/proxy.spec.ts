import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverOnce, type OnceOptions } from '../support/deliver-once';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { TRANSPORTS } from '../support/transports';
import { stubLookup } from './stub-lookup';

const LOOPBACK = ['127.0.0.0/8'];
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'];

let proxy: RecordingServer;
let target: RecordingServer;
const savedEnv = new Map<string, string | undefined>();

beforeAll(async () => {
  proxy = await startRecordingServer();
  target = await startRecordingServer();
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

describe.each(TRANSPORTS)('proxies, with the %s transport', (transport) => {
  // No name resolves: behind a proxy, only the proxy resolves the target.
  const send = (url: string, options: OnceOptions) =>
    deliverOnce(url, { transport, lookup: stubLookup({}).lookup, ...options });

  it('ignores HTTP_PROXY unless a proxy is configured', async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.http_proxy = proxy.url;
    const before = proxy.connections();
    const { attempt } = await send(`${target.url}/status/204`, { allowNetworks: LOOPBACK });

    expect(attempt.status).toBe(204);
    expect(proxy.connections()).toBe(before);
  });

  it('sends through a configured proxy, which resolves the target itself', async () => {
    const { attempt } = await send('http://webhooks.example/hook', {
      allowNetworks: LOOPBACK,
      proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port },
    });

    expect(attempt.status).toBe(204);
    expect(proxy.requests.at(-1)).toMatchObject({ method: 'POST', path: 'http://webhooks.example/hook' });
  });

  it('still refuses a literal private target behind a proxy, before connecting to the proxy', async () => {
    const before = proxy.connections();
    const { attempt } = await send('http://10.0.0.1/hook', {
      allowNetworks: LOOPBACK,
      proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port },
    });

    expect(attempt.errorCode).toBe('ssrf-blocked');
    expect(proxy.connections()).toBe(before);
  });

  it('applies the guard to the proxy address itself for http: targets', async () => {
    const { attempt } = await send('http://webhooks.example/hook', {
      proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port },
    });

    expect(attempt.errorCode).toBe('ssrf-blocked');
    expect(attempt.error).toContain('127.0.0.1 (loopback) is refused');
  });

  it('sends the proxy credentials to the proxy, never the target', async () => {
    const { attempt } = await send('http://webhooks.example/hook', {
      allowNetworks: LOOPBACK,
      proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port, auth: { username: 'u', password: 'p' } },
    });

    expect(attempt.status).toBe(204);
    expect(proxy.requests.at(-1)?.headers).toMatchObject({
      'proxy-authorization': `Basic ${Buffer.from('u:p').toString('base64')}`,
      host: 'webhooks.example',
    });
  });
});

describe('proxies, with the undici transport only', () => {
  it('applies the guard to the proxy address for https: targets too (they are tunnelled with CONNECT)', async () => {
    const before = proxy.connections();
    const { attempt } = await deliverOnce('https://webhooks.example/hook', {
      transport: 'undici',
      lookup: stubLookup({}).lookup,
      proxy: { protocol: 'http', host: '127.0.0.1', port: proxy.port },
    });

    expect(attempt.errorCode).toBe('ssrf-blocked');
    expect(attempt.error).toContain('127.0.0.1 (loopback) is refused');
    expect(proxy.connections()).toBe(before);
  });
});
