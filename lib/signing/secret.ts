import { randomBytes } from 'node:crypto';
import { WebhookSecretError } from '../errors';
import { describeType } from './describe-type';
import { decodeStrictBase64, describeBase64Problem } from './strict-base64';

/** Marks a Standard Webhooks HMAC secret. */
export const SECRET_PREFIX = 'whsec_';
/** Fewest random bytes in a secret: 192 bits, the Standard Webhooks minimum. */
export const MIN_SECRET_BYTES = 24;
/** Most random bytes in a secret: 512 bits, the Standard Webhooks maximum. */
export const MAX_SECRET_BYTES = 64;
/** Random bytes in a secret made by {@link generateSecret} when no size is given. */
export const DEFAULT_SECRET_BYTES = 32;

const RANGE = `${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`;

/**
 * Makes a new HMAC signing secret: `whsec_` + base64 of `bytes` random bytes from the operating
 * system's CSPRNG. Give one to each endpoint; never reuse a secret across subscribers.
 *
 * @param bytes - how many random bytes, an integer from 24 to 64. Default: 32 (256 bits).
 * @throws WebhookSecretError (`invalid-secret`) when `bytes` is out of range.
 */
export function generateSecret(bytes: number = DEFAULT_SECRET_BYTES): string {
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    // A string is not echoed: the likeliest string here is a secret passed to the wrong function.
    const got = typeof bytes === 'number' ? String(bytes) : describeType(bytes);
    throw new WebhookSecretError(
      'invalid-secret',
      `generateSecret(bytes): bytes must be an integer from ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}, got ${got}. ` +
        `Omit it for the default of ${DEFAULT_SECRET_BYTES}.`,
    );
  }
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/**
 * Reads a `whsec_` secret into its key bytes, strictly: the prefix is required, the rest must be
 * canonical standard base64 (a typo must fail, not become a shorter key), and it must decode to 24-64
 * bytes. The error says which rule failed and never includes the secret or any part of it.
 *
 * @throws WebhookSecretError (`invalid-secret`) when the secret breaks any of these rules.
 */
export function parseSecret(secret: string): Buffer {
  if (typeof secret !== 'string') {
    throw invalidSecret(`it must be a string, got ${describeType(secret)}.`);
  }
  if (secret.length === 0) {
    throw invalidSecret(
      `it is empty. Expected "${SECRET_PREFIX}" followed by the base64 of ${RANGE}; generateSecret() makes one.`,
    );
  }
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw invalidSecret(
      secret.startsWith('whsk_') || secret.startsWith('whpk_')
        ? 'it is an ed25519 key (whsk_ / whpk_), not an HMAC secret; use it where signing keys are accepted.'
        : `it does not start with "${SECRET_PREFIX}". A bare base64 secret from another provider works once prefixed with "${SECRET_PREFIX}".`,
    );
  }
  const decoded = decodeStrictBase64(secret.slice(SECRET_PREFIX.length));
  if (!decoded.ok) {
    throw invalidSecret(`the part after "${SECRET_PREFIX}" ${describeBase64Problem(decoded.problem)}.`);
  }
  const length = decoded.bytes.length;
  if (length < MIN_SECRET_BYTES || length > MAX_SECRET_BYTES) {
    throw invalidSecret(
      `it decodes to ${length} bytes; Standard Webhooks secrets are ${RANGE}. Make a new one with generateSecret().`,
    );
  }
  return decoded.bytes;
}

function invalidSecret(reason: string): WebhookSecretError {
  return new WebhookSecretError('invalid-secret', `Invalid webhook secret: ${reason}`);
}
