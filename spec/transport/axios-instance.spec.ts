import axios, { type CreateAxiosDefaults } from 'axios';
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverOnce, type OnceOptions } from '../support/deliver-once';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';

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

const send = (path: string, options: OnceOptions) => deliverOnce(`${server.url}${path}`, options);

describe("the user's axios instance, given to the client", () => {
  it('runs its request interceptors: a header they add reaches the server', async () => {
    const instance = axios.create();
    instance.interceptors.request.use((config) => {
      config.headers.set('x-trace-id', 'trace-42');
      return config;
    });
    const { attempt } = await send('/echo', { axios: instance, allowNetworks: ['127.0.0.0/8'] });

    const seen = JSON.parse(attempt.response ?? '') as { headers: Record<string, string> };
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
    const { attempt } = await send('/echo', { axios: axios.create(defaults) });

    expect(attempt.errorCode).toBe('ssrf-blocked');
    expect(server.connections()).toBe(before);
  });

  it('does not follow redirects nor reject statuses, whatever its defaults say', async () => {
    const instance = axios.create({ maxRedirects: 5, validateStatus: (status) => status < 300 });
    const echoesBefore = server.on('/echo').length;
    const { attempt } = await send(`/status/302?Location=${encodeURIComponent(`${server.url}/echo`)}`, {
      axios: instance,
      allowNetworks: ['127.0.0.0/8'],
    });

    expect(attempt.status).toBe(302);
    expect(server.on('/echo')).toHaveLength(echoesBefore);
  });
});
