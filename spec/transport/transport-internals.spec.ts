import type { LookupAddress } from 'node:dns';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookClientConfigError, WebhookTransportError } from '../../lib/errors';
import { createAxiosTransport, createUndiciTransport, type Transport } from '../../lib/transport';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { rejectionOf } from './stub-lookup';

/*
 * What the transports offer that no public entry reaches: the client always keeps connections alive,
 * keeps 20 kB of a body, passes no abort signal and closes its worker before its transport. Every
 * other transport behaviour is specified through a WebhookClient (the other files here).
 */
const FACTORIES = [
  ['axios', createAxiosTransport],
  ['undici', createUndiciTransport],
] as const;
const LOOPBACK = ['127.0.0.0/8'];

let server: RecordingServer;

beforeEach(async () => {
  server = await startRecordingServer();
});

afterEach(async () => {
  await server.close();
});

const ping = (transport: Transport, path = '/status/204') =>
  transport.send({ url: `${server.url}${path}`, headers: {}, body: '{}', timeoutMs: 2_000 });

describe.each(FACTORIES)('the %s transport', (_name, create) => {
  describe('keepAlive: false', () => {
    it('opens a connection per attempt', async () => {
      const transport = create({ allowNetworks: LOOPBACK, keepAlive: false });
      await ping(transport);
      await ping(transport);
      await transport.close();

      expect(server.connections()).toBe(2);
    });
  });

  describe('maxResponseBytes', () => {
    it('keeps a body of exactly maxResponseBytes whole, and truncates one byte more', async () => {
      const small = create({ allowNetworks: LOOPBACK, maxResponseBytes: 1_000 });
      try {
        expect(await ping(small, '/big?bytes=1000')).toMatchObject({ truncated: false, body: 'a'.repeat(1_000) });
        expect(await ping(small, '/big?bytes=1001')).toMatchObject({ truncated: true, body: 'a'.repeat(1_000) });
      } finally {
        await small.close();
      }
    });

    it.each([-1, 1.5, Number.NaN])('refuses %s at construction with invalid-option', (maxResponseBytes) => {
      const make = () => create({ maxResponseBytes });

      expect(make).toThrow(WebhookClientConfigError);
      expect(make).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    });
  });

  describe("the caller's abort signal", () => {
    it('fails the attempt with aborted, before the deadline', async () => {
      const transport = create({ allowNetworks: LOOPBACK });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const error = await rejectionOf(
        transport.send({
          url: `${server.url}/never`,
          headers: {},
          body: '',
          timeoutMs: 2_000,
          signal: controller.signal,
        }),
      );
      await transport.close();

      expect(error).toBeInstanceOf(WebhookTransportError);
      expect(error).toMatchObject({ code: 'aborted' });
    });

    it('is detached after each attempt, so one long-lived shutdown signal does not collect listeners', async () => {
      const shutdown = new AbortController();
      const transport = create({ allowNetworks: LOOPBACK });
      const request = (path: string) =>
        transport.send({
          url: `${server.url}${path}`,
          headers: {},
          body: '',
          timeoutMs: 2_000,
          signal: shutdown.signal,
        });
      for (let i = 0; i < 3; i += 1) await request('/status/204');
      await rejectionOf(request('/reset'));
      await transport.close();

      expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    });

    it('fails with aborted, without connecting, when it is already aborted', async () => {
      const transport = create({ allowNetworks: LOOPBACK });
      const error = await rejectionOf(
        transport.send({ url: server.url, headers: {}, body: '', timeoutMs: 2_000, signal: AbortSignal.abort() }),
      );
      await transport.close();

      expect(error).toMatchObject({ code: 'aborted' });
      expect(server.connections()).toBe(0);
    });
  });

  describe('close() of the transport itself', () => {
    it('opens no socket for an attempt that was still resolving its host', async () => {
      let answer: ((addresses: LookupAddress[]) => void) | undefined;
      const transport = create({
        allowNetworks: LOOPBACK,
        lookup: (_hostname, _options, callback) => {
          answer = (addresses) => callback(null, addresses);
        },
      });
      const pending = rejectionOf(
        transport.send({ url: `http://slow-dns.test:${server.port}/`, headers: {}, body: '', timeoutMs: 2_000 }),
      );
      await expect.poll(() => typeof answer).toBe('function');

      await transport.close();
      answer?.([{ address: '127.0.0.1', family: 4 }]);

      expect(await pending).toMatchObject({ code: 'network-error', message: expect.stringContaining('closed') });
      expect(server.connections()).toBe(0);
    });

    it('is idempotent, and send() afterwards rejects', async () => {
      const transport = create({ allowNetworks: LOOPBACK });
      await transport.close();
      await transport.close();

      const error = await rejectionOf(ping(transport));
      expect(error).toBeInstanceOf(WebhookTransportError);
      expect(error).toMatchObject({ code: 'network-error', message: expect.stringContaining('closed') });
      expect(server.connections()).toBe(0);
    });
  });

  describe('a request', () => {
    it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])(
      'refuses a request timeoutMs of %s with invalid-option',
      async (timeoutMs) => {
        const transport = create({ allowNetworks: LOOPBACK });
        try {
          const error = await rejectionOf(transport.send({ url: server.url, headers: {}, body: '', timeoutMs }));
          expect(error).toBeInstanceOf(WebhookTransportError);
          expect(error).toMatchObject({
            code: 'invalid-option',
            message: expect.stringContaining('timeoutMs must be a number of milliseconds above 0'),
          });
        } finally {
          await transport.close();
        }
      },
    );
  });
});
