import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { WebhookSecretError } from '../errors';
import { describeType } from './describe-type';
import { decodeStrictBase64, describeBase64Problem } from './strict-base64';

/** Marks a Standard Webhooks ed25519 private (signing) key. */
export const PRIVATE_KEY_PREFIX = 'whsk_';
/** Marks a Standard Webhooks ed25519 public (verification) key. */
export const PUBLIC_KEY_PREFIX = 'whpk_';

const ED25519_KEY_BYTES = 32;
// RFC 8410 DER wrappers (PKCS#8 PrivateKeyInfo, SubjectPublicKeyInfo) around a raw 32-byte ed25519 key,
// so node:crypto can import and export raw keys without a JWK round trip.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** An ed25519 key pair in the Standard Webhooks text form. */
export interface WebhookKeyPair {
  /** `whsk_` + base64 of the 32-byte ed25519 seed. Stays with the sender; signs `v1a` signatures. */
  readonly privateKey: string;
  /** `whpk_` + base64 of the 32-byte ed25519 public key. Given to receivers; verifies `v1a` signatures. */
  readonly publicKey: string;
}

/**
 * Makes a new ed25519 key pair for asymmetric (`v1a`) signatures. The private key is the 32-byte seed,
 * as in the Standard Webhooks reference library (Go, `ed25519.NewKeyFromSeed`); `parsePrivateKey`
 * also reads the 64-byte seed + public key form that Svix produces.
 */
export function generateKeyPair(): WebhookKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: PRIVATE_KEY_PREFIX + rawPrivateKey(privateKey).toString('base64'),
    publicKey: PUBLIC_KEY_PREFIX + rawPublicKey(publicKey).toString('base64'),
  };
}

/**
 * Reads a `whsk_` key into a node:crypto private KeyObject. The base64 must be strict and decode to
 * 32 bytes (the seed) or 64 bytes (the seed followed by its public key, whose second half must match
 * the first). The error never includes key material.
 *
 * @throws WebhookSecretError (`invalid-key`) when the key breaks any of these rules.
 */
export function parsePrivateKey(key: string): KeyObject {
  const bytes = decodeKey(key, PRIVATE_KEY_PREFIX, 'private');
  if (bytes.length !== ED25519_KEY_BYTES && bytes.length !== 2 * ED25519_KEY_BYTES) {
    throw invalidKey(
      'private',
      `it decodes to ${bytes.length} bytes; an ed25519 private key is ${ED25519_KEY_BYTES} bytes (the seed) ` +
        `or ${2 * ED25519_KEY_BYTES} (the seed followed by the public key). Make a new pair with generateKeyPair().`,
    );
  }
  const seed = bytes.subarray(0, ED25519_KEY_BYTES);
  const privateKey = importKey('private', () =>
    createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
  );
  if (bytes.length === 2 * ED25519_KEY_BYTES) {
    const derived = rawPublicKey(createPublicKey(privateKey));
    if (!derived.equals(bytes.subarray(ED25519_KEY_BYTES))) {
      throw invalidKey(
        'private',
        'it is 64 bytes but its second half is not the public key of its first half, so it is corrupted.',
      );
    }
  }
  return privateKey;
}

/**
 * Reads a `whpk_` key into a node:crypto public KeyObject. The base64 must be strict and decode to the
 * 32-byte ed25519 public key.
 *
 * @throws WebhookSecretError (`invalid-key`) when the key breaks either rule.
 */
export function parsePublicKey(key: string): KeyObject {
  const bytes = decodeKey(key, PUBLIC_KEY_PREFIX, 'public');
  if (bytes.length !== ED25519_KEY_BYTES) {
    throw invalidKey(
      'public',
      `it decodes to ${bytes.length} bytes; an ed25519 public key is ${ED25519_KEY_BYTES} bytes.`,
    );
  }
  return importKey('public', () =>
    createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, bytes]), format: 'der', type: 'spki' }),
  );
}

type KeyKind = 'private' | 'public';

function decodeKey(key: string, prefix: string, kind: KeyKind): Buffer {
  if (typeof key !== 'string') throw invalidKey(kind, `it must be a string, got ${describeType(key)}.`);
  if (!key.startsWith(prefix)) {
    const other = kind === 'private' ? PUBLIC_KEY_PREFIX : PRIVATE_KEY_PREFIX;
    throw invalidKey(
      kind,
      key.startsWith(other)
        ? `it starts with "${other}", the ${kind === 'private' ? 'public' : 'private'} half of the pair; ` +
            `pass the "${prefix}" key here.`
        : `it does not start with "${prefix}". generateKeyPair() makes a whsk_ / whpk_ pair.`,
    );
  }
  const decoded = decodeStrictBase64(key.slice(prefix.length));
  if (!decoded.ok) throw invalidKey(kind, `the part after "${prefix}" ${describeBase64Problem(decoded.problem)}.`);
  return decoded.bytes;
}

function importKey(kind: KeyKind, create: () => KeyObject): KeyObject {
  try {
    return create();
  } catch (error) {
    // OpenSSL's message names no key bytes, but it is kept as the cause rather than in our message.
    throw new WebhookSecretError('invalid-key', `Invalid ed25519 ${kind} key: node:crypto cannot import it.`, {
      cause: error,
    });
  }
}

function invalidKey(kind: KeyKind, reason: string): WebhookSecretError {
  return new WebhookSecretError('invalid-key', `Invalid ed25519 ${kind} key: ${reason}`);
}

function rawPrivateKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_ED25519_PREFIX.length);
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}
