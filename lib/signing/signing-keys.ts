import { createPublicKey, type KeyObject } from 'node:crypto';
import { WebhookSecretError } from '../errors';
import { parsePrivateKey, parsePublicKey, PRIVATE_KEY_PREFIX, PUBLIC_KEY_PREFIX } from './key-pair';
import { parseSecret, SECRET_PREFIX } from './secret';
import { describeType } from './describe-type';

/** A key that makes one signature: an HMAC secret (`v1`) or an ed25519 private key (`v1a`). */
export type SigningKey =
  { readonly version: 'v1'; readonly secret: Buffer } | { readonly version: 'v1a'; readonly privateKey: KeyObject };

/** A key that checks signatures: an HMAC secret (`v1`) or an ed25519 public key (`v1a`). */
export type VerificationKey =
  { readonly version: 'v1'; readonly secret: Buffer } | { readonly version: 'v1a'; readonly publicKey: KeyObject };

/** Reads a `whsec_` secret or a `whsk_` private key; a `whpk_` public key cannot sign. */
export function parseSigningKey(key: string): SigningKey {
  if (typeof key === 'string' && key.startsWith(PRIVATE_KEY_PREFIX)) {
    return { version: 'v1a', privateKey: parsePrivateKey(key) };
  }
  if (typeof key === 'string' && key.startsWith(PUBLIC_KEY_PREFIX)) {
    throw new WebhookSecretError(
      'invalid-key',
      `Invalid signing key: a "${PUBLIC_KEY_PREFIX}" public key only verifies; sign with its "${PRIVATE_KEY_PREFIX}" private key.`,
    );
  }
  if (typeof key === 'string' && !key.startsWith(SECRET_PREFIX)) {
    throw new WebhookSecretError(
      'invalid-secret',
      `Invalid signing key: it starts with neither "${SECRET_PREFIX}" (an HMAC secret, see generateSecret()) ` +
        `nor "${PRIVATE_KEY_PREFIX}" (an ed25519 private key, see generateKeyPair()).`,
    );
  }
  return { version: 'v1', secret: parseSecret(key) };
}

/** Reads a `whsec_` secret, a `whpk_` public key, or a `whsk_` private key (its public half is used). */
export function parseVerificationKey(key: string): VerificationKey {
  if (typeof key === 'string' && key.startsWith(PUBLIC_KEY_PREFIX)) {
    return { version: 'v1a', publicKey: parsePublicKey(key) };
  }
  if (typeof key === 'string' && key.startsWith(PRIVATE_KEY_PREFIX)) {
    return { version: 'v1a', publicKey: createPublicKey(parsePrivateKey(key)) };
  }
  if (typeof key === 'string' && !key.startsWith(SECRET_PREFIX)) {
    throw new WebhookSecretError(
      'invalid-secret',
      `Invalid verification key: it starts with none of "${SECRET_PREFIX}" (an HMAC secret), ` +
        `"${PUBLIC_KEY_PREFIX}" (an ed25519 public key) or "${PRIVATE_KEY_PREFIX}" (an ed25519 private key). ` +
        `A bare base64 secret from another provider works once prefixed with "${SECRET_PREFIX}".`,
    );
  }
  return { version: 'v1', secret: parseSecret(key) };
}

/**
 * Parses one key or a list of keys (rotation: every key signs, any key verifies). An error from the
 * n-th key is prefixed `keys[n]:` so the faulty one can be found without printing any of them.
 */
export function parseKeyList<T>(keys: string | readonly string[], parse: (key: string) => T): T[] {
  if (typeof keys === 'string') return [parse(keys)];
  if (!Array.isArray(keys)) {
    throw new WebhookSecretError(
      'invalid-secret',
      `Expected a key string or an array of key strings, got ${describeType(keys)}.`,
    );
  }
  if (keys.length === 0) {
    throw new WebhookSecretError(
      'invalid-secret',
      `No keys given: pass at least one "${SECRET_PREFIX}" secret or ed25519 key.`,
    );
  }
  return keys.map((key: string, index: number) => {
    try {
      return parse(key);
    } catch (error) {
      if (!(error instanceof WebhookSecretError)) throw error;
      throw new WebhookSecretError(error.code, `keys[${index}]: ${error.message}`, { cause: error });
    }
  });
}
