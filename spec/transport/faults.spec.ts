import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deliverOnce, type OnceOptions } from '../support/deliver-once';
import { closedPort, startRecordingServer, type RecordingServer } from '../support/recording-server';
import { TRANSPORTS } from '../support/transports';
import { stubLookup } from './stub-lookup';

// Each case is one attempt of a real WebhookClient, as its attempt log records it, with each built-in transport.
const LOOPBACK = ['127.0.0.0/8', '::1/128'];
const MB = 1024 * 1024;
/** What the client keeps of a response body (DESIGN.md). */
const KEPT_BYTES = 20 * 1024;

let server: RecordingServer;

beforeEach(async () => {
  server = await startRecordingServer();
});

afterEach(async () => {
  await server.close();
});

describe.each(TRANSPORTS)('the %s transport', (transport) => {
  const once = (url: string, options: OnceOptions = {}) => deliverOnce(url, { transport, ...options });
  const send = (path: string, options: OnceOptions = {}) =>
    once(`${server.url}${path}`, { allowNetworks: LOOPBACK, ...options });

  describe('responses: every status is an answer, never an exception', () => {
    it('records a 200 with its body and a duration', async () => {
      const { attempt } = await send('/status/200?X-Request-Id=abc');

      expect(attempt).toMatchObject({ status: 200, response: 'status 200', attempt: 1 });
      expect(attempt.responseTruncated).toBeUndefined();
      expect(attempt.errorCode).toBeUndefined();
      expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
      expect(server.requests).toHaveLength(1);
    });

    it('records a 500 as a response, and schedules a retry', async () => {
      const { attempt, retryDelayMs } = await send('/status/500');

      expect(attempt).toMatchObject({ status: 500, response: 'status 500' });
      expect(retryDelayMs).toBe(3_600_000);
    });

    it('honours a 429 with Retry-After in seconds, whatever the case of the header name', async () => {
      const { attempt, retryDelayMs } = await send('/status/429?RETRY-AFTER=3', {
        retry: { schedule: [1], jitter: 0 },
      });

      expect(attempt.status).toBe(429);
      expect(retryDelayMs).toBe(3_000);
    });

    it('honours a 429 with Retry-After as an HTTP date', async () => {
      const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3_600_000);
      const { attempt, retryDelayMs } = await send(`/status/429?Retry-After=${encodeURIComponent(at.toUTCString())}`, {
        retry: { schedule: [1], jitter: 0 },
      });

      expect(attempt.status).toBe(429);
      expect(retryDelayMs).toBeGreaterThan(3_500_000);
      expect(retryDelayMs).toBeLessThanOrEqual(3_601_000);
    });

    it('records a 410 (the client disables the endpoint)', async () => {
      const { attempt, retryDelayMs } = await send('/status/410');

      expect(attempt.status).toBe(410);
      expect(retryDelayMs).toBeUndefined();
    });

    it('records a 302 without following it: the target sees no request', async () => {
      const target = await startRecordingServer();
      try {
        const location = `${target.url}/echo`;
        const { attempt } = await send(`/status/302?Location=${encodeURIComponent(location)}`);

        expect(attempt.status).toBe(302);
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
      const { attempt } = await send('/never', { timeoutMs: 300 });
      const elapsed = performance.now() - started;

      expect(attempt.errorCode).toBe('timeout');
      expect(attempt.error).toContain('within 300 ms');
      expect(elapsed).toBeGreaterThanOrEqual(250);
    });

    it('fails with timeout when the server drips one byte every 100 ms (each byte would reset an idle timeout)', async () => {
      const started = performance.now();
      const { attempt } = await send('/drip?interval=100', { timeoutMs: 300 });
      const elapsed = performance.now() - started;

      expect(attempt.errorCode).toBe('timeout');
      expect(elapsed).toBeGreaterThanOrEqual(250);
    });

    it('fails with timeout when DNS never answers', async () => {
      const { attempt } = await once('http://hangs.test/hook', {
        allowNetworks: LOOPBACK,
        lookup: () => undefined,
        timeoutMs: 200,
      });

      expect(attempt.errorCode).toBe('timeout');
    });
  });

  describe('at most 20 kB of the body', () => {
    it('reads 20 kB of a 100 MB response, stops the server sending, and keeps memory flat', async () => {
      const before = process.memoryUsage();
      const { attempt } = await send(`/big?bytes=${100 * MB}`, { timeoutMs: 4_000 });
      const after = process.memoryUsage();

      expect(attempt.status).toBe(200);
      expect(attempt.responseTruncated).toBe(true);
      expect(Buffer.byteLength(attempt.response ?? '')).toBe(KEPT_BYTES);
      await vi.waitFor(() => expect(server.bigBody.closed).toBe(true));
      // Socket buffers hold a few MB at most; reading it all would have sent all 100 MB.
      expect(server.bigBody.bytesSent).toBeLessThan(50 * MB);
      // Buffers live outside the JS heap, so count both; buffering 100 MB would show as >= 100 MB.
      const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
      expect(grown).toBeLessThan(50 * MB);
    });

    it('keeps a body of exactly 20 kB whole, and truncates one byte more', async () => {
      const exact = await send(`/big?bytes=${KEPT_BYTES}`);
      const over = await send(`/big?bytes=${KEPT_BYTES + 1}`);

      expect(exact.attempt.responseTruncated).toBeUndefined();
      expect(exact.attempt.response).toBe('a'.repeat(KEPT_BYTES));
      expect(over.attempt).toMatchObject({ responseTruncated: true, response: 'a'.repeat(KEPT_BYTES) });
    });
  });

  describe('network failures', () => {
    it('fails with connection-reset when the server destroys the socket', async () => {
      expect((await send('/reset')).attempt.errorCode).toBe('connection-reset');
    });

    it('fails with connection-refused on a closed port', async () => {
      const port = await closedPort();
      const { attempt } = await once(`http://127.0.0.1:${port}/hook`, { allowNetworks: LOOPBACK });

      expect(attempt.errorCode).toBe('connection-refused');
      expect(attempt.error).toBe(`POST http://127.0.0.1:${port}/hook: connection refused (ECONNREFUSED)`);
    });

    it('fails with dns-failure when the name does not resolve', async () => {
      const { attempt } = await once('http://no-such-host.test/hook', { lookup: stubLookup({}).lookup });

      expect(attempt.errorCode).toBe('dns-failure');
      expect(attempt.error).toContain('cannot resolve no-such-host.test (ENOTFOUND)');
    });
  });
});
