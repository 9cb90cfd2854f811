/*
 * The framework-neutral receiver: options, keys, the seen-claim, the event and payload of a body. The
 * Express middleware, the Fastify route and pre-handler, the NestJS guard and `hookspec listen` are thin
 * adapters over it, and answer failures with receiver-answers.ts, so that all of them answer alike.
 */
import type { ServerResponse } from 'node:http';
import type { SeenClaimReport } from './seen-claim';
import { SeenClaim } from './seen-claim';
import { resolveReceiverOptions } from './receiver-options';
import type { ReceiverScope } from './receiver-options';
import { verifyWebhookMessage } from './verify-webhook';
import type { VerifiedWebhook } from './verify-webhook';
import type { WebhookHeaders } from './webhook-headers';

/** A verified webhook, as the adapters put it on the request (`req.webhook`, `request.webhook`). */
export interface ReceivedWebhook<T = unknown> {
  /** The `webhook-id`: the same on every retry, so use it to drop duplicates. */
  readonly id: string;
  /** The `webhook-timestamp` of this attempt. */
  readonly timestamp: Date;
  /**
   * The webhook's name: the signed envelope's `type`, or the name the payload class declares; undefined
   * when neither says it (a bare body and no `@Webhook` class).
   */
  readonly event: string | undefined;
  /** The validated instance of the payload class, or the verified JSON body without one. */
  readonly payload: T;
}

export interface WebhookReceiver {
  /** The largest body accepted, in bytes. */
  readonly limit: number;
  /**
   * Verifies the request and, with `seen`, claims its id; the id is given back if verification fails
   * after the claim, and, once it resolves, unless `res` finishes with a 2xx.
   */
  verify(
    rawBody: string | Uint8Array,
    headers: WebhookHeaders,
    res: ServerResponse | undefined,
  ): Promise<VerifiedWebhook>;
  /** The event name and payload of a verified body. Rejects as `parseWebhook` does. */
  payloadOf(body: unknown): Promise<{ event: string | undefined; payload: unknown }>;
  /** `verify`, then `payloadOf`; an invalid payload gives the claimed id back before it rejects. */
  receive(rawBody: string | Uint8Array, headers: WebhookHeaders, res: ServerResponse): Promise<ReceivedWebhook>;
}

/**
 * Checks the options once, when the adapter is created, so that a missing or malformed key or an unknown
 * option fails at startup rather than on the first request.
 */
export function createWebhookReceiver(
  options: unknown,
  scope: ReceiverScope & { readonly reportForgetFailure?: SeenClaimReport },
): WebhookReceiver {
  const { keys, verify: verifyOptions, seen, limit, payloadOf } = resolveReceiverOptions(options, scope);

  async function claimed<R>(
    rawBody: string | Uint8Array,
    headers: WebhookHeaders,
    res: ServerResponse | undefined,
    then: (message: VerifiedWebhook) => Promise<R>,
  ): Promise<R> {
    const claim = new SeenClaim(seen, scope.reportForgetFailure);
    let result: R;
    try {
      const message = await verifyWebhookMessage(rawBody, headers, keys, { ...verifyOptions, seen: claim.store });
      result = await then(message);
    } catch (error) {
      await claim.forget();
      throw error;
    }
    if (res !== undefined) claim.forgetUnlessAcknowledged(res);
    return result;
  }

  return {
    limit,
    payloadOf,
    verify: (rawBody, headers, res) => claimed(rawBody, headers, res, async (message) => message),
    receive: (rawBody, headers, res) =>
      claimed(rawBody, headers, res, async ({ id, timestamp, body }) => ({
        id,
        timestamp,
        ...(await payloadOf(body)),
      })),
  };
}
