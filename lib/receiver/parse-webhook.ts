import type { ClassConstructor } from 'class-transformer';
import { WebhookReceiverConfigError } from '../errors';
import { checkKnownKeys } from '../options';
import type { PayloadFromBodyOptions } from '../payload';
import { payloadFromBody } from '../payload';
import type { VerifyOptions } from './verify-options';
import { VERIFY_OPTION_KEYS, verifyWebhookMessage } from './verify-webhook';
import type { WebhookHeaders } from './webhook-headers';

export interface ParseOptions extends VerifyOptions, PayloadFromBodyOptions {}

const PARSE_OPTION_KEYS = [...VERIFY_OPTION_KEYS, 'envelope', 'event'];

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
  return (await parseWebhookMessage(type, rawBody, headers, secretOrKeys, options)).payload;
}

/** `parseWebhook`, returning the verified id and timestamp beside the instance (`payload`). */
export async function parseWebhookMessage<T extends object>(
  type: ClassConstructor<T>,
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: ParseOptions = {},
): Promise<{ readonly id: string; readonly timestamp: Date; readonly payload: T }> {
  if (typeof options === 'object' && options !== null) {
    checkKnownKeys(options as Record<string, unknown>, PARSE_OPTION_KEYS, {
      where: 'parseWebhook options',
      fail: (code, message) => new WebhookReceiverConfigError(code, message),
    });
  }
  const { envelope, event, ...verify } = options;
  const { id, timestamp, body } = await verifyWebhookMessage(rawBody, headers, secretOrKeys, verify);
  return { id, timestamp, payload: await payloadFromBody(type, body, { envelope, event }) };
}
