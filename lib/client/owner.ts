import { WebhookSendError } from '../errors';
import { describe } from '../options';

/** The longest owner id: customer and account ids, UUIDs, prefixed ids all fit. */
export const MAX_OWNER_LENGTH = 128;

/**
 * An owner as given to a call: absent, or a non-empty string of at most MAX_OWNER_LENGTH characters,
 * without NUL.
 */
export function checkOwner(owner: unknown, where: string): string | undefined {
  if (owner === undefined) return undefined;
  if (typeof owner !== 'string' || owner === '' || owner.length > MAX_OWNER_LENGTH) {
    throw new WebhookSendError(
      'invalid-option',
      `${where}: owner is the customer or account id the message is for, a non-empty string of at most ` +
        `${MAX_OWNER_LENGTH} characters; got ${describe(owner)}. Leave it out to send to endpoints without an owner.`,
    );
  }
  if (owner.includes('\0')) {
    // PostgreSQL text cannot hold it, and the endpoint stores refuse it: no endpoint could have this owner.
    throw new WebhookSendError(
      'invalid-option',
      `${where}: owner holds a NUL character (U+0000), which no queue or endpoint store keeps; remove it.`,
    );
  }
  return owner;
}
