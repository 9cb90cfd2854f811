import { verifyWebhook } from 'hookspec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../lib/version';
import { subscription } from '../client/fixtures';
import { deliverOnce, type OnceOptions } from '../support/deliver-once';
import { startRecordingServer, type RecordingServer } from '../support/recording-server';
import { TRANSPORTS } from '../support/transports';

let server: RecordingServer;

beforeAll(async () => {
  server = await startRecordingServer();
});

afterAll(async () => {
  await server.close();
});

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe.each(TRANSPORTS)('the %s transport', (transport) => {
  /** What the server saw of one delivery to its `/echo` route, and the endpoint's secret. */
  async function echo(options: OnceOptions = {}): Promise<Echo & { secret: string }> {
    const { attempt, secret } = await deliverOnce(`${server.url}/echo?page=1`, {
      transport,
      allowNetworks: ['127.0.0.0/8'],
      ...options,
    });
    expect(attempt.status).toBe(200);
    return { ...(JSON.parse(attempt.response ?? '') as Echo), secret };
  }

  describe('the request', () => {
    it('is a POST to the URL as given, query string included', async () => {
      const seen = await echo();

      expect(seen.method).toBe('POST');
      expect(seen.url).toBe('/echo?page=1');
    });

    it("carries content-type, the client's user-agent, the webhook-* headers and the endpoint's own", async () => {
      const seen = await echo({ endpoint: { headers: { 'x-tenant': 'acme', 'X-Mixed': 'Yes' } } });

      expect(seen.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': `hookspec/${VERSION}`,
        'webhook-id': expect.stringMatching(/^msg_/),
        'webhook-timestamp': expect.stringMatching(/^\d+$/),
        'webhook-signature': expect.stringMatching(/^v1,/),
        'x-tenant': 'acme',
        'x-mixed': 'Yes',
      });
      expect(seen.headers['user-agent']).not.toMatch(/axios/);
    });

    it('sends the body byte for byte: non-ASCII survives, so the signature still verifies', async () => {
      const seen = await echo({ payload: subscription({ username: 'Zoë 🚀 "quoted"' }) });

      expect(JSON.parse(seen.body)).toMatchObject({ username: 'Zoë 🚀 "quoted"' });
      expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(seen.body)));
      expect(verifyWebhook(seen.body, seen.headers, seen.secret)).toMatchObject({ username: 'Zoë 🚀 "quoted"' });
    });
  });
});
