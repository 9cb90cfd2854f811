import type { ClassConstructor } from 'class-transformer';
import { unwrapEnvelope } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import { WebhookVerificationError } from '../errors';
import { getOwnWebhookMetadata } from '../metadata';
import { instanceFromPlain } from './instance-from-plain';
import { validatePayload } from './validate-payload';

export interface PayloadFromBodyOptions {
  /**
   * `standard` when the sender wraps bodies as `{ type, timestamp, data }`: `type` must be one of the
   * class's webhook names (or `event`), and `data` becomes the instance. Default: `none`.
   */
  envelope?: EnvelopeMode;
  /** The webhook name expected in the envelope, for a payload class of a method-style webhook. */
  event?: string;
}

/**
 * The second half of `parseWebhook`, for a body already verified (by a guard, say): unwraps the
 * envelope, builds the instance (class-transformer for the declared properties; free-form values copied
 * as they are, so keys such as `constructor` or `__proto__` round-trip) and validates it with class-validator.
 */
export async function payloadFromBody<T extends object>(
  type: ClassConstructor<T>,
  body: unknown,
  options: PayloadFromBodyOptions = {},
): Promise<T> {
  const data = options.envelope === 'standard' ? unwrapEnvelope(body, expectedTypes(type, options.event)).data : body;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new WebhookVerificationError(
      'invalid-body',
      `The body is not a JSON object, so it cannot be a ${type.name}.`,
    );
  }
  const instance = instanceFromPlain(type, data);
  await validatePayload(instance, `parseWebhook(${type.name})`, 'the webhook was not accepted');
  return instance;
}

function expectedTypes(type: Function, event: string | undefined): string[] {
  return [...getOwnWebhookMetadata(type).map((record) => record.name), ...(event !== undefined ? [event] : [])];
}
