import type { ClassConstructor } from 'class-transformer';
import type { PayloadFromBodyOptions } from '../payload';
import { payloadFromBody } from '../payload';
import type { VerifyOptions } from './verify-options';
import { verifyWebhookMessage } from './verify-webhook';
import type { WebhookHeaders } from './webhook-headers';

export interface ParseOptions extends VerifyOptions, PayloadFromBodyOptions {}

/**
 * Verifies a request (see `verifyWebhook`), then turns the body into an instance of `type` with
 * class-transformer (dates become `Date`s) and validates it with class-validator. Rejects with
 * `WebhookVerificationError`, or `WebhookValidationError` listing every failing property path.
 */
export async function parseWebhook<T extends object>(
  type: ClassConstructor<T>,
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: ParseOptions = {},
): Promise<T> {
  return (await parseWebhookMessage(type, rawBody, headers, secretOrKeys, options)).event;
}

/** `parseWebhook`, returning the verified id and timestamp beside the instance. */
export async function parseWebhookMessage<T extends object>(
  type: ClassConstructor<T>,
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: ParseOptions = {},
): Promise<{ readonly id: string; readonly timestamp: Date; readonly event: T }> {
  const { id, timestamp, body } = await verifyWebhookMessage(rawBody, headers, secretOrKeys, options);
  return { id, timestamp, event: await payloadFromBody(type, body, options) };
}
