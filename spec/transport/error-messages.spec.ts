import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookTransportError } from '../../lib/errors';
import { createAxiosTransport, type AxiosTransportOptions } from '../../lib/transport';
import { closedPort, startRecordingServer, type RecordingServer } from '../support/recording-server';
import { rejectionOf } from './stub-lookup';

const SIGNATURE = 'v1,c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1sZWFr';
const BODY = '{"card":"body-that-must-never-leak"}';

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});

afterAll(async () => {
  await server.close();
});

async function failure(url: string, options: AxiosTransportOptions, timeoutMs = 2_000) {
  const transport = createAxiosTransport(options);
  try {
    const error = await rejectionOf(
      transport.send({
        url,
        headers: { 'webhook-signature': SIGNATURE, authorization: 'Bearer t0ken' },
        body: BODY,
        timeoutMs,
      }),
    );
    expect(error).toBeInstanceOf(WebhookTransportError);
    return error as WebhookTransportError;
  } finally {
    await transport.close();
  }
}

const loopback = { allowNetworks: ['127.0.0.0/8'] };

describe('error messages', () => {
  it('say method and URL, without user info or query string', async () => {
    const port = await closedPort();
    const error = await failure(`http://alice:hunter2@127.0.0.1:${port}/hook?token=s3cret#frag`, loopback);

    expect(error.method).toBe('POST');
    expect(error.url).toBe(`http://127.0.0.1:${port}/hook`);
    expect(error.message).toMatch(new RegExp(`^POST http://127\\.0\\.0\\.1:${port}/hook: `));
    expect(inspect(error, { depth: 10 })).not.toMatch(/hunter2|s3cret|alice/);
  });

  it('redact a URL that cannot even be parsed', async () => {
    const error = await failure('http://alice:hunter2@[not-an-ip/hook?token=s3cret', {});

    expect(error.code).toBe('invalid-url');
    expect(inspect(error, { depth: 10 })).not.toMatch(/hunter2|s3cret|alice/);
  });

  const cases: Array<[what: string, url: () => Promise<string>, options: AxiosTransportOptions, timeoutMs?: number]> = [
    ['connection-refused', async () => `http://127.0.0.1:${await closedPort()}/hook`, loopback],
    ['connection-reset', async () => `${server.url}/reset`, loopback],
    ['timeout', async () => `${server.url}/never`, loopback, 200],
    ['ssrf-blocked', async () => `${server.url}/echo`, {}],
    ['unsupported-protocol', async () => 'gopher://127.0.0.1/', {}],
  ];

  it.each(cases)('never carry headers or body, nor do their causes (%s)', async (code, url, options, timeoutMs) => {
    const error = await failure(await url(), options, timeoutMs);

    expect(error.code).toBe(code);
    const everything = inspect(error, { depth: 10, showHidden: true });
    expect(everything).not.toContain('signature-that');
    expect(everything).not.toContain(SIGNATURE);
    expect(everything).not.toContain('body-that-must-never-leak');
    expect(everything).not.toContain('t0ken');
  });
});
