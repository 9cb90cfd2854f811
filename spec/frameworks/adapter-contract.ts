import { generateSecret } from 'hookspec';
import { describe, expect, it } from 'vitest';
import type { ReceivedWebhook, WebhookReceiverOptions } from '../../lib/frameworks/express';
import { Subscription } from '../client/fixtures';
import {
  INVALID_SUBSCRIPTION_JSON,
  post,
  postChunked,
  signWithStandardWebhooks,
  SpySeenStore,
  SUBSCRIPTION_JSON,
} from './signed-request';

/** Serves `POST` at the returned `url` through the adapter with `options`; the handler records and answers 204. */
export type HookServer = (
  options: WebhookReceiverOptions,
) => Promise<{ readonly url: string; readonly received: readonly ReceivedWebhook[] }>;

/**
 * What the Express and Fastify adapters answer alike beyond the receiver table (receiver-table.spec.ts,
 * which all four adapters answer): requests from another signer, chunked bodies, giving ids back.
 */
export function describeReceiverAdapter(name: string, hookServer: HookServer): void {
  describe(`${name} answers as every receiver adapter does`, () => {
    it('accepts a request signed by the standardwebhooks package', async () => {
      const secret = generateSecret();
      const { url, received } = await hookServer({ secret, webhook: Subscription });
      const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON, { id: 'msg_from_elsewhere' });

      expect((await post(url, signed)).status).toBe(204);
      expect(received[0]).toMatchObject({ id: 'msg_from_elsewhere', timestamp: expect.any(Date) });
      expect(received[0]?.payload).toBeInstanceOf(Subscription);
      expect(received[0]?.payload).toMatchObject({ username: 'ada', start_date: new Date('2026-01-01T00:00:00.000Z') });
    });

    it('answers 401 invalid-signature to a tampered body, echoing neither the secret nor the signature', async () => {
      const secret = generateSecret();
      const { url, received } = await hookServer({ secret, webhook: Subscription });
      const signed = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);

      const answer = await post(url, { ...signed, body: signed.body.replace('9.99', '0.99') });

      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({ code: 'invalid-signature', message: expect.any(String) });
      expect(answer.text).not.toContain(secret.slice('whsec_'.length));
      expect(answer.text).not.toContain(signed.headers['webhook-signature']!.slice('v1,'.length));
      expect(received).toEqual([]);
    });

    it('answers 413 body-too-large to a body over the limit, declared or streamed', async () => {
      const secret = generateSecret();
      const { url, received } = await hookServer({ secret, limit: 1024 });
      const big = signWithStandardWebhooks(secret, { ...SUBSCRIPTION_JSON, username: 'a'.repeat(2000) });

      for (const answer of [await post(url, big), await postChunked(url, big)]) {
        expect(answer.status).toBe(413);
        expect(answer.json).toEqual({ code: 'body-too-large', message: expect.stringContaining('1024 bytes') });
      }
      const small = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON);
      expect((await postChunked(url, small)).status).toBe(204);
      expect(received).toHaveLength(1);
    });

    it('forgets the webhook-id of a signed but invalid payload (400), and of nothing it did not claim', async () => {
      const secret = generateSecret();
      const seen = new SpySeenStore();
      const { url, received } = await hookServer({ secret, webhook: Subscription, seen });
      const invalid = signWithStandardWebhooks(secret, INVALID_SUBSCRIPTION_JSON);
      const id = invalid.headers['webhook-id']!;

      expect((await post(url, invalid)).status).toBe(400);
      expect(seen.forgotten).toEqual([id]);

      // The corrected message, under the same id, is processed.
      const corrected = signWithStandardWebhooks(secret, SUBSCRIPTION_JSON, { id });
      expect((await post(url, corrected)).status).toBe(204);
      expect(received.map((webhook) => webhook.id)).toEqual([id]);

      // A forged request reusing the accepted id is refused before the store, and releases nothing.
      const forged = await post(url, { ...corrected, body: corrected.body.replace('9.99', '0.99') });
      expect(forged.status).toBe(401);
      expect((await post(url, corrected)).status).toBe(200);
      expect(seen.forgotten).toEqual([id]);
    });
  });
}
