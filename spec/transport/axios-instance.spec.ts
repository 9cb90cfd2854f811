import axios, { type CreateAxiosDefaults } from 'axios';
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookTransportError } from '../../lib/errors';
import { createAxiosTransport, type AxiosTransportOptions } from '../../lib/transport';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { rejectionOf } from './stub-lookup';

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});

afterAll(async () => {
  await server.close();
});

/** A transport in the sense of axios's `transport` option, which would connect without our agent. */
const agentless = {
  request: (options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) =>
    http.request({ ...options, agent: false }, callback),
};

async function send(path: string, options: AxiosTransportOptions) {
  const transport = createAxiosTransport(options);
  try {
    return await transport.send({ url: `${server.url}${path}`, headers: {}, body: '{}', timeoutMs: 2_000 });
  } finally {
    await transport.close();
  }
}

describe("the user's axios instance", () => {
  it('runs its request interceptors: a header they add reaches the server', async () => {
    const instance = axios.create();
    instance.interceptors.request.use((config) => {
      config.headers.set('x-trace-id', 'trace-42');
      return config;
    });
    const response = await send('/echo', { axios: instance, allowNetworks: ['127.0.0.0/8'] });

    const seen = JSON.parse(response.body) as { headers: Record<string, string> };
    expect(seen.headers['x-trace-id']).toBe('trace-42');
  });

  it('runs its response interceptors', async () => {
    const instance = axios.create();
    const statuses: number[] = [];
    instance.interceptors.response.use((response) => {
      statuses.push(response.status);
      return response;
    });
    await send('/status/503', { axios: instance, allowNetworks: ['127.0.0.0/8'] });

    expect(statuses).toEqual([503]);
  });

  const bypasses: Array<[what: string, defaults: CreateAxiosDefaults]> = [
    ['its own http agent', { httpAgent: new http.Agent() }],
    ['the fetch adapter', { adapter: 'fetch' }],
    ['HTTP/2', { httpVersion: 2 }],
    ['a Unix socket path', { socketPath: '/var/run/docker.sock' }],
    ['a custom transport that drops the agent', { transport: agentless }],
  ];

  it.each(bypasses)('cannot bypass the SSRF guard with %s as a default', async (_what, defaults) => {
    const before = server.connections();
    const error = await rejectionOf(send('/echo', { axios: axios.create(defaults) }));

    expect(error).toBeInstanceOf(WebhookTransportError);
    expect(error).toMatchObject({ code: 'ssrf-blocked' });
    expect(server.connections()).toBe(before);
  });

  it('does not follow redirects nor reject statuses, whatever its defaults say', async () => {
    const instance = axios.create({ maxRedirects: 5, validateStatus: (status) => status < 300 });
    const response = await send(`/status/302?Location=${encodeURIComponent(`${server.url}/echo`)}`, {
      axios: instance,
      allowNetworks: ['127.0.0.0/8'],
    });

    expect(response.status).toBe(302);
  });
});
