import { Writable } from 'node:stream';
import { generateSecret, WebhookClient } from 'hookspec';
import type { EndpointStore, ExhaustedEvent, WebhookEndpoint } from 'hookspec';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../support/recording-server';
import { LOOPBACK, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A real pino logger writing JSON lines into memory. */
function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

describe('logging and events', () => {
  it('tell the story of a delivery through a pino logger without a secret, a signature or a URL credential', async () => {
    const server = await startRecordingServer({ answer: (_r, n) => ({ status: n === 1 ? 500 : 204 }) });
    const secret = generateSecret();
    const { logger, lines } = memoryLogger();
    const url = `${server.url.replace('http://', 'http://user:pa55word@')}/hook?token=s3cr3t-token`;
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ id: 'crm', url, secret, headers: { authorization: 'Bearer abc.def' } }],
      allowNetworks: LOOPBACK,
      retry: { schedule: [10] },
      logger,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const seen: unknown[] = [];
    client.on('attempt', (e) => seen.push(e));
    client.on('retry-scheduled', (e) => seen.push(e));
    client.on('delivered', (e) => seen.push(e));
    client.on('endpoint-recovered', (e) => seen.push(e));
    const { id } = await client.send(subscription());
    await client.drain();

    const messages = lines.map((line) => JSON.parse(line).msg);
    expect(messages).toEqual([
      'webhook accepted',
      'webhook attempt failed; retry scheduled',
      'endpoint recovered',
      'webhook delivered',
    ]);
    // The operators hear that the failing endpoint answers again, and since when it had failed.
    expect(JSON.parse(lines[2]!)).toMatchObject({ endpointId: 'crm', url: `${server.url}/hook` });
    expect(seen.find((e) => !('attempt' in (e as object)) && 'failingSince' in (e as object))).toEqual({
      endpointId: 'crm',
      url: `${server.url}/hook`,
      messageId: id,
      failingSince: new Date((seen[0] as { attempt: { startedAt: number } }).attempt.startedAt),
    });
    expect(JSON.parse(lines[3]!)).toMatchObject({
      messageId: id,
      event: 'new-subscription',
      endpointId: 'crm',
      status: 204,
      attempt: 2,
    });
    const signatures = server.requests.map((r) => String(r.headers['webhook-signature']).slice(3));
    const everything = [...lines, JSON.stringify(seen), JSON.stringify(await client.getMessage(id))].join('\n');
    for (const leak of [secret, secret.slice(6, 20), ...signatures, 'pa55word', 's3cr3t-token', 'abc.def']) {
      expect(everything).not.toContain(leak);
    }
    expect(JSON.stringify(seen)).toContain(`${server.url}/hook`);
  });

  it('keep delivering when a listener throws, and report it as an error event', async () => {
    const server = await startRecordingServer();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url: server.url, secret: generateSecret() }],
      allowNetworks: LOOPBACK,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('attempt', () => {
      throw new Error('listener bug');
    });
    await client.send(subscription());
    await client.send(subscription());
    await client.drain();
    expect(server.requests).toHaveLength(2);
    expect(errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug']);
  });
});

describe('the log line of a refused attempt', () => {
  it('carries the error message with its fix, as the attempt log does', async () => {
    const server = await startRecordingServer();
    const { logger, lines } = memoryLogger();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ id: 'internal', url: `${server.url}/hook`, secret: generateSecret() }],
      retry: { schedule: [5] },
      logger,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const { id } = await client.send(subscription());
    await client.drain();

    const [retry, exhausted] = lines.map((line) => JSON.parse(line)).filter((line) => line.errorCode);
    const attempts = (await client.getMessage(id))?.deliveries[0]?.attempts ?? [];
    expect(retry).toMatchObject({ msg: 'webhook attempt failed; retry scheduled', errorCode: 'ssrf-blocked' });
    expect(retry.error).toContain('127.0.0.1 (loopback) is refused');
    expect(retry.error).toContain('list the network in allowNetworks to reach it on purpose');
    expect(retry.error).toBe(attempts[0]?.error);
    expect(exhausted).toMatchObject({ msg: 'webhook exhausted: no attempt left', error: attempts[1]?.error });
  });
});

describe('an endpoint store', () => {
  it('may hand out endpoints with keys of their own (database columns): they are delivered to', async () => {
    const server = await startRecordingServer();
    const row = { id: 'row-1', url: server.url, secret: generateSecret(), tenant_id: 42, created_at: '2026-01-01' };
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: { endpointsFor: async () => [row], endpointById: async () => row },
      allowNetworks: LOOPBACK,
      retry: { schedule: [] },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const delivered: string[] = [];
    client.on('delivered', (event) => delivered.push(event.endpointId));
    await client.send(subscription());
    await client.drain();

    expect(delivered).toEqual(['row-1']);
    expect(server.requests).toHaveLength(1);
  });

  it("has each endpoint's headers checked before its attempt: a line break fails the attempt, nothing is sent", async () => {
    const server = await startRecordingServer();
    const endpoint: WebhookEndpoint = {
      id: 'crlf',
      url: server.url,
      secret: generateSecret(),
      headers: { 'x-api-key': 'k3y\r\nx-injected: yes' },
    };
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: { endpointsFor: async () => [endpoint], endpointById: async () => endpoint },
      allowNetworks: LOOPBACK,
      retry: { schedule: [] },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const exhausted: ExhaustedEvent[] = [];
    client.on('exhausted', (event) => exhausted.push(event));
    await client.send(subscription());
    await client.drain();

    expect(server.requests).toEqual([]);
    expect(exhausted[0]?.attempts).toMatchObject([
      {
        errorCode: 'invalid-endpoint',
        error: expect.stringMatching(
          /^endpoint 'crlf' \(http:\/\/127\.0\.0\.1:\d+\/\): headers\['x-api-key'\] holds a line break/,
        ),
      },
    ]);
    expect(JSON.stringify(exhausted)).not.toContain('k3y');
  });

  it('is asked on every send and before every attempt, so a rotated secret signs the next retry', async () => {
    const server = await startRecordingServer({ answer: (_r, n) => ({ status: n === 1 ? 500 : 204 }) });
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const endpoints = new Map<string, WebhookEndpoint>([['e1', { id: 'e1', url: server.url, secret: oldSecret }]]);
    const disabled: string[] = [];
    const store: EndpointStore = {
      endpointsFor: async () => [...endpoints.values()],
      endpointById: async (id) => endpoints.get(id),
      disable: async (id) => void disabled.push(id),
    };
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: store,
      allowNetworks: LOOPBACK,
      retry: { schedule: [50] },
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    client.once('retry-scheduled', () => endpoints.set('e1', { id: 'e1', url: server.url, secret: newSecret }));
    await client.send(subscription());
    await client.drain();
    const { sign } = await import('hookspec');
    const [first, second] = server.requests;
    const signed = (secret: string, r: typeof first) =>
      sign(
        { id: String(r?.headers['webhook-id']), timestamp: Number(r?.headers['webhook-timestamp']), body: r!.body },
        secret,
      );
    expect(first?.headers['webhook-signature']).toBe(signed(oldSecret, first));
    expect(second?.headers['webhook-signature']).toBe(signed(newSecret, second));
    expect(disabled).toEqual([]);
  });

  it('is told when an endpoint answers 410', async () => {
    const server = await startRecordingServer({ answer: () => ({ status: 410 }) });
    const endpoint: WebhookEndpoint = { id: 'gone', url: server.url, secret: generateSecret() };
    const disabled: string[] = [];
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: {
        endpointsFor: async () => [endpoint],
        endpointById: async () => endpoint,
        disable: async (id, reason) => void disabled.push(`${id}:${reason}`),
      },
      allowNetworks: LOOPBACK,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    await client.send(subscription());
    await client.drain();
    expect(disabled).toEqual(['gone:gone']);
  });
});
