import { generateSecret, WebhookClient, WebhookClientConfigError } from 'hookspec';
import type { EndpointStore, WebhookEndpoint } from 'hookspec';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Subscription, subscription } from '../client/fixtures';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { TRANSPORTS, type TransportKind } from '../support/transports';

// The connections of a client's own transport (each built-in one), seen from the server it delivers to.
const LOOPBACK = ['127.0.0.0/8'];

let server: RecordingServer;

beforeEach(async () => {
  server = await startRecordingServer();
});

afterEach(async () => {
  await server.close();
});

/**
 * Lets one event-loop turn pass: undici hands a connection back to its pool a turn after the response
 * (so that a receiver closing it despite keep-alive is noticed first), where Node's agent does at once.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A client delivering to one endpoint whose URL the test may change between sends. */
function clientFor(transport: TransportKind, path: string) {
  const endpoint: WebhookEndpoint = { id: 'e1', url: `${server.url}${path}`, secret: generateSecret() };
  const store: EndpointStore = { endpointsFor: async () => [endpoint], endpointById: async () => endpoint };
  const client = new WebhookClient({
    webhooks: [Subscription],
    endpoints: store,
    transport,
    allowNetworks: LOOPBACK,
    retry: { schedule: [] },
  });
  return {
    client,
    moveTo: (next: string) => Object.assign(endpoint, { url: `${server.url}${next}` }),
    async deliver() {
      await client.send(subscription());
      await client.drain();
    },
  };
}

describe.each(TRANSPORTS)('the %s transport', (transport) => {
  describe('connections', () => {
    it('reuses one kept-alive connection for consecutive attempts', async () => {
      const { client, deliver } = clientFor(transport, '/status/204');
      await deliver();
      await nextTurn();
      await deliver();
      await client.close();

      expect(server.requests).toHaveLength(2);
      expect(server.connections()).toBe(1);
    });

    it('does not reuse the connection of a truncated response, and keeps the next one alive', async () => {
      const { client, deliver, moveTo } = clientFor(transport, '/big?bytes=100000');
      const truncated: (boolean | undefined)[] = [];
      client.on('attempt', (event) => truncated.push(event.attempt.responseTruncated));
      await deliver();
      moveTo('/status/204');
      await deliver();
      const opened = server.connections();
      for (let more = 0; more < 4; more += 1) await deliver();
      await client.close();

      expect(truncated).toEqual([true, undefined, undefined, undefined, undefined, undefined]);
      expect(opened).toBeGreaterThanOrEqual(2);
      // Back to back, undici may open one more (its connection returns a turn later), then reuses both;
      // after an aborted response, undici 7 itself opens a new one for every request (nodejs/undici#5845).
      expect(server.connections()).toBeLessThanOrEqual(opened + 1);
    });
  });

  describe('close()', () => {
    it('destroys the pooled sockets', async () => {
      const { client, deliver } = clientFor(transport, '/status/204');
      await deliver();
      expect(server.openConnections()).toBe(1);

      await client.close();

      await vi.waitFor(() => expect(server.openConnections()).toBe(0));
    });

    it('is idempotent, and send() afterwards rejects without connecting', async () => {
      const { client } = clientFor(transport, '/status/204');
      await client.close();
      await client.close();

      await expect(client.send(subscription())).rejects.toMatchObject({ code: 'client-closed' });
      expect(server.connections()).toBe(0);
    });
  });
});

describe('the attempt deadline', () => {
  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('refuses timeoutMs %s', (timeoutMs) => {
    const make = () => new WebhookClient({ webhooks: [Subscription], endpoints: [], timeoutMs });

    expect(make).toThrow(WebhookClientConfigError);
    expect(make).toThrow('timeoutMs must be a number of milliseconds above 0 up to 2147483647');
  });
});
