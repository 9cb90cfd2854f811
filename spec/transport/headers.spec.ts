import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAxiosTransport, type Transport } from '../../lib/transport';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';

let server: RecordingServer;
let transport: Transport;

beforeAll(async () => {
  server = await startRecordingServer();
  transport = createAxiosTransport({ allowNetworks: ['127.0.0.0/8'] });
});

afterAll(async () => {
  await transport.close();
  await server.close();
});

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function echo(headers: Record<string, string>, body: string): Promise<Echo> {
  const response = await transport.send({ url: `${server.url}/echo?page=1`, headers, body, timeoutMs: 2_000 });
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as Echo;
}

const webhookHeaders = {
  'content-type': 'application/json',
  'user-agent': 'hookspec/0.1.0',
  'webhook-id': 'msg_2mSCTRZ6Jq0cQmQ0G6KyF0o9pVx',
  'webhook-timestamp': '1767225600',
  'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
  'x-tenant': 'acme',
};

describe('the request', () => {
  it('is a POST to the URL as given, query string included', async () => {
    const seen = await echo(webhookHeaders, '{}');

    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/echo?page=1');
  });

  it('carries the headers as given: content-type, user-agent, webhook-* and custom ones', async () => {
    const seen = await echo(webhookHeaders, '{}');

    expect(seen.headers).toMatchObject(webhookHeaders);
  });

  it('sends the user-agent the caller set, not axios/<version>', async () => {
    const seen = await echo({ ...webhookHeaders, 'user-agent': 'hookspec/9.9.9' }, '{}');

    expect(seen.headers['user-agent']).toBe('hookspec/9.9.9');
  });

  it('keeps content-type as given, parameters included', async () => {
    const seen = await echo({ 'content-type': 'application/json; charset=utf-8' }, '{}');

    expect(seen.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('sends the body byte for byte: whitespace and non-ASCII survive, so signatures still verify', async () => {
    const body = ' {"name":"Zoë 🚀", "n": 1}\n';
    const seen = await echo(webhookHeaders, body);

    expect(seen.body).toBe(body);
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });
});

describe('the response', () => {
  it('has lower-case header names', async () => {
    const response = await transport.send({
      url: `${server.url}/status/202?X-Mixed-Case=yes`,
      headers: {},
      body: '',
      timeoutMs: 2_000,
    });

    expect(response.headers['x-mixed-case']).toBe('yes');
    expect(Object.keys(response.headers).every((name) => name === name.toLowerCase())).toBe(true);
  });
});
