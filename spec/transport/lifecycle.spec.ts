import type { LookupAddress } from 'node:dns';
import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HookspecError, WebhookTransportError } from '../../lib/errors';
import { createAxiosTransport, type Transport } from '../../lib/transport';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { rejectionOf } from './stub-lookup';

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

describe('connections', () => {
  it('reuses one kept-alive connection for consecutive attempts by default', async () => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK });
    await ping(transport);
    await ping(transport);
    await transport.close();

    expect(server.connections()).toBe(1);
  });

  it('opens a connection per attempt with keepAlive: false', async () => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK, keepAlive: false });
    await ping(transport);
    await ping(transport);
    await transport.close();

    expect(server.connections()).toBe(2);
  });

  it('does not reuse the connection of a truncated response', async () => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK, maxResponseBytes: 10 });
    expect((await ping(transport, '/big?bytes=100000')).truncated).toBe(true);
    await ping(transport);
    await transport.close();

    expect(server.connections()).toBe(2);
  });
});

describe('close()', () => {
  it('destroys the pooled sockets', async () => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK });
    await ping(transport);
    expect(server.openConnections()).toBe(1);

    await transport.close();

    await vi.waitFor(() => expect(server.openConnections()).toBe(0));
  });

  it('opens no socket for an attempt that was still resolving its host', async () => {
    let answer: ((addresses: LookupAddress[]) => void) | undefined;
    const transport = createAxiosTransport({
      allowNetworks: LOOPBACK,
      lookup: (_hostname, _options, callback) => {
        answer = (addresses) => callback(null, addresses);
      },
    });
    const pending = rejectionOf(
      transport.send({ url: `http://slow-dns.test:${server.port}/`, headers: {}, body: '', timeoutMs: 2_000 }),
    );
    await vi.waitFor(() => expect(answer).toBeDefined());

    await transport.close();
    answer?.([{ address: '127.0.0.1', family: 4 }]);

    expect(await pending).toMatchObject({ code: 'network-error', message: expect.stringContaining('closed') });
    expect(server.connections()).toBe(0);
  });

  it('is idempotent, and send() afterwards rejects', async () => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK });
    await transport.close();
    await transport.close();

    const error = await rejectionOf(ping(transport));
    expect(error).toBeInstanceOf(WebhookTransportError);
    expect(error).toMatchObject({ code: 'network-error', message: expect.stringContaining('closed') });
    expect(server.connections()).toBe(0);
  });
});

describe('the caller signal', () => {
  it('is detached after each attempt, so one long-lived shutdown signal does not collect listeners', async () => {
    const shutdown = new AbortController();
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK });
    for (let i = 0; i < 3; i += 1) {
      await transport.send({
        url: `${server.url}/status/204`,
        headers: {},
        body: '',
        timeoutMs: 2_000,
        signal: shutdown.signal,
      });
    }
    await rejectionOf(
      transport.send({ url: `${server.url}/reset`, headers: {}, body: '', timeoutMs: 2_000, signal: shutdown.signal }),
    );
    await transport.close();

    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });

  it('fails with aborted, without connecting, when it is already aborted', async () => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK });
    const error = await rejectionOf(
      transport.send({ url: server.url, headers: {}, body: '', timeoutMs: 2_000, signal: AbortSignal.abort() }),
    );
    await transport.close();

    expect(error).toMatchObject({ code: 'aborted' });
    expect(server.connections()).toBe(0);
  });
});

describe('options', () => {
  it.each([-1, 1.5, Number.NaN])('refuses maxResponseBytes %s at construction', (maxResponseBytes) => {
    expect(() => createAxiosTransport({ maxResponseBytes })).toThrow(HookspecError);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('refuses timeoutMs %s', async (timeoutMs) => {
    const transport = createAxiosTransport({ allowNetworks: LOOPBACK });
    try {
      const error = await rejectionOf(transport.send({ url: server.url, headers: {}, body: '', timeoutMs }));
      expect(error).toBeInstanceOf(HookspecError);
      expect((error as Error).message).toContain('timeoutMs must be a number of milliseconds above 0');
    } finally {
      await transport.close();
    }
  });
});
