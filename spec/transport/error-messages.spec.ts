import { Writable } from 'node:stream';
import { generateSecret, WebhookClient, WebhookClientConfigError } from 'hookspec';
import type { AttemptRecord, EndpointStore, WebhookClientOptions } from 'hookspec';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subscription, subscription } from '../client/fixtures';
import { closedPort, startRecordingServer, type RecordingServer } from '../support/recording-server';
import { TRANSPORTS } from '../support/transports';

const BODY_MARKER = 'body-that-must-never-leak';
const loopback = ['127.0.0.0/8'];

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});

afterAll(async () => {
  await server.close();
});

/**
 * One failed attempt through a real client whose endpoint comes from a store (so no URL is refused
 * before its attempt), with everything the client said about it: the attempt, the log lines, the events.
 */
async function failure(
  url: string,
  options: Partial<WebhookClientOptions<readonly [typeof Subscription]>>,
): Promise<{ attempt: AttemptRecord; said: string; signatures: string[] }> {
  const lines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );
  const secret = generateSecret();
  const endpoint = { id: 'e1', url, secret, headers: { authorization: 'Bearer t0ken' } };
  const store: EndpointStore = { endpointsFor: async () => [endpoint], endpointById: async () => endpoint };
  const client = new WebhookClient({
    webhooks: [Subscription],
    endpoints: store,
    retry: { schedule: [] },
    logger,
    ...options,
  });
  const events: unknown[] = [];
  client.on('attempt', (event) => events.push(event));
  client.on('exhausted', (event) => events.push(event));
  try {
    await client.send(subscription({ username: BODY_MARKER }));
    await client.drain();
  } finally {
    await client.close();
  }
  const attempt = (events[0] as { attempt: AttemptRecord }).attempt;
  return { attempt, said: [...lines, JSON.stringify(events)].join('\n'), signatures: [secret, secret.slice(6, 20)] };
}

describe('error messages', () => {
  it.each(TRANSPORTS)('say method and URL, without user info or query string (%s transport)', async (transport) => {
    const port = await closedPort();
    const { attempt, said } = await failure(`http://alice:hunter2@127.0.0.1:${port}/hook?token=s3cret#frag`, {
      transport,
      allowNetworks: loopback,
    });

    expect(attempt.error).toMatch(new RegExp(`^POST http://127\\.0\\.0\\.1:${port}/hook: `));
    expect(said).not.toMatch(/hunter2|s3cret|alice/);
  });

  it('redact a URL that cannot even be parsed', () => {
    let error: unknown;
    try {
      new WebhookClient({
        webhooks: [Subscription],
        endpoints: [{ url: 'http://alice:hunter2@[not-an-ip/hook?token=s3cret', secret: generateSecret() }],
      });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(WebhookClientConfigError);
    expect(error).toMatchObject({ code: 'invalid-endpoint', message: expect.stringContaining('(an invalid URL)') });
    expect(String((error as Error).message)).not.toMatch(/hunter2|s3cret|alice/);
  });

  const cases: Array<
    [code: string, url: () => Promise<string>, options: { allowNetworks?: string[]; timeoutMs?: number }]
  > = [
    ['connection-refused', async () => `http://127.0.0.1:${await closedPort()}/hook`, { allowNetworks: loopback }],
    ['connection-reset', async () => `${server.url}/reset`, { allowNetworks: loopback }],
    ['timeout', async () => `${server.url}/never`, { allowNetworks: loopback, timeoutMs: 200 }],
    ['ssrf-blocked', async () => `${server.url}/echo`, {}],
    ['invalid-endpoint', async () => 'gopher://127.0.0.1/', {}],
  ];

  it.each(TRANSPORTS.flatMap((transport) => cases.map((entry) => [transport, ...entry] as const)))(
    'never carry headers, body or keys, in the attempt, the logs or the events (%s transport, %s)',
    async (transport, code, url, options) => {
      const { attempt, said, signatures } = await failure(await url(), { transport, ...options });

      expect(attempt.errorCode).toBe(code);
      expect(said).not.toContain(BODY_MARKER);
      expect(said).not.toContain('t0ken');
      expect(said).not.toMatch(/v1,[A-Za-z0-9+/=]{20,}/);
      for (const key of signatures) expect(said).not.toContain(key);
    },
  );
});
