import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebhookTransportError } from '../../lib/errors';
import { createAxiosTransport, type Transport, type TransportRequest } from '../../lib/transport';
import { closedPort, startRecordingServer, type RecordingServer } from '../support/recording-server';
import { rejectionOf, stubLookup } from './stub-lookup';

const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const MB = 1024 * 1024;

let server: RecordingServer;
let transport: Transport;

beforeEach(async () => {
  server = await startRecordingServer();
  transport = createAxiosTransport({ allowNetworks: LOOPBACK });
});

afterEach(async () => {
  await transport.close();
  await server.close();
});

function attempt(url: string, overrides: Partial<TransportRequest> = {}): TransportRequest {
  return {
    url,
    headers: { 'content-type': 'application/json', 'user-agent': 'hookspec/0.1.0' },
    body: '{"event":"ping"}',
    timeoutMs: 2_000,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<WebhookTransportError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(WebhookTransportError);
  return error as WebhookTransportError;
}

describe('responses: every status is an answer, never an exception', () => {
  it('returns a 200 with its body, lower-case headers and a duration', async () => {
    const response = await transport.send(attempt(`${server.url}/status/200?X-Request-Id=abc`));

    expect(response).toMatchObject({ status: 200, body: 'status 200', truncated: false });
    expect(response.headers['x-request-id']).toBe('abc');
    expect(response.durationMs).toBeGreaterThan(0);
    expect(server.requests).toHaveLength(1);
  });

  it('returns a 500 as a response', async () => {
    expect(await transport.send(attempt(`${server.url}/status/500`))).toMatchObject({
      status: 500,
      body: 'status 500',
    });
  });

  it('returns a 429 with Retry-After in seconds in its headers', async () => {
    const response = await transport.send(attempt(`${server.url}/status/429?Retry-After=3`));

    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
  });

  it('returns a 429 with Retry-After as an HTTP date in its headers', async () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    const response = await transport.send(attempt(`${server.url}/status/429?Retry-After=${encodeURIComponent(date)}`));

    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe(date);
  });

  it('returns a 410 (the caller disables the endpoint)', async () => {
    expect((await transport.send(attempt(`${server.url}/status/410`))).status).toBe(410);
  });

  it('returns a 302 without following it: the target sees no request', async () => {
    const target = await startRecordingServer();
    try {
      const location = `${target.url}/echo`;
      const response = await transport.send(
        attempt(`${server.url}/status/302?Location=${encodeURIComponent(location)}`),
      );

      expect(response.status).toBe(302);
      expect(response.headers.location).toBe(location);
      expect(target.connections()).toBe(0);
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});

describe('one deadline for the whole attempt', () => {
  it('fails with timeout when the server never answers', async () => {
    const started = performance.now();
    const error = await failure(transport.send(attempt(`${server.url}/never`, { timeoutMs: 300 })));
    const elapsed = performance.now() - started;

    expect(error.code).toBe('timeout');
    expect(error.message).toContain('within 300 ms');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('fails with timeout when the server drips one byte every 100 ms (each byte would reset an idle timeout)', async () => {
    const started = performance.now();
    const error = await failure(transport.send(attempt(`${server.url}/drip?interval=100`, { timeoutMs: 300 })));
    const elapsed = performance.now() - started;

    expect(error.code).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('fails with timeout when DNS never answers', async () => {
    const silent = createAxiosTransport({ allowNetworks: LOOPBACK, lookup: () => undefined });
    try {
      const error = await failure(silent.send(attempt('http://hangs.test/hook', { timeoutMs: 200 })));
      expect(error.code).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  it('fails with aborted when the caller aborts, before the deadline', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(
      transport.send(attempt(`${server.url}/never`, { timeoutMs: 2_000, signal: controller.signal })),
    );

    expect(error.code).toBe('aborted');
  });
});

describe('at most maxResponseBytes of the body', () => {
  it('reads 20 kB of a 100 MB response, stops the server sending, and keeps memory flat', async () => {
    const before = process.memoryUsage();
    const response = await transport.send(attempt(`${server.url}/big?bytes=${100 * MB}`, { timeoutMs: 4_000 }));
    const after = process.memoryUsage();

    expect(response.status).toBe(200);
    expect(response.truncated).toBe(true);
    expect(Buffer.byteLength(response.body)).toBe(20_480);
    await vi.waitFor(() => expect(server.bigBody.closed).toBe(true));
    // Socket buffers hold a few MB at most; reading it all would have sent all 100 MB.
    expect(server.bigBody.bytesSent).toBeLessThan(50 * MB);
    // Buffers live outside the JS heap, so count both; buffering 100 MB would show as >= 100 MB.
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(50 * MB);
  });

  it('keeps a body of exactly maxResponseBytes whole, and truncates one byte more', async () => {
    const small = createAxiosTransport({ allowNetworks: LOOPBACK, maxResponseBytes: 1_000 });
    try {
      const exact = await small.send(attempt(`${server.url}/big?bytes=1000`));
      const over = await small.send(attempt(`${server.url}/big?bytes=1001`));

      expect(exact).toMatchObject({ truncated: false, body: 'a'.repeat(1_000) });
      expect(over).toMatchObject({ truncated: true, body: 'a'.repeat(1_000) });
    } finally {
      await small.close();
    }
  });
});

describe('network failures', () => {
  it('fails with connection-reset when the server destroys the socket', async () => {
    const error = await failure(transport.send(attempt(`${server.url}/reset`)));

    expect(error.code).toBe('connection-reset');
  });

  it('fails with connection-refused on a closed port', async () => {
    const port = await closedPort();
    const error = await failure(transport.send(attempt(`http://127.0.0.1:${port}/hook`)));

    expect(error.code).toBe('connection-refused');
    expect(error.message).toBe(`POST http://127.0.0.1:${port}/hook: connection refused (ECONNREFUSED)`);
  });

  it('fails with dns-failure when the name does not resolve', async () => {
    const { lookup } = stubLookup({});
    const unresolved = createAxiosTransport({ lookup });
    try {
      const error = await failure(unresolved.send(attempt('http://no-such-host.test/hook')));

      expect(error.code).toBe('dns-failure');
      expect(error.message).toContain('cannot resolve no-such-host.test (ENOTFOUND)');
    } finally {
      await unresolved.close();
    }
  });
});
