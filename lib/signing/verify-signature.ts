import { createHmac, timingSafeEqual, verify as ed25519Verify } from 'node:crypto';
import { buildSignedContent, findMessageProblem, hmacOfContent, type WebhookMessage } from './message';
import { decodeStrictBase64 } from './strict-base64';
import { parseKeyList, parseVerificationKey, type VerificationKey } from './signing-keys';

/**
 * Longest `webhook-signature` header examined; a longer one never verifies. 8 KiB holds about 85 `v1a`
 * or 170 `v1` entries, far beyond any rotation, while Node's HTTP server caps all headers at 16 KiB.
 */
export const MAX_SIGNATURE_HEADER_LENGTH = 8192;
/**
 * Most `v1` / `v1a` entries examined per header; later ones are ignored. Each `v1a` entry costs one
 * ed25519 verification per key, so this bounds the work an absurd header can cause.
 */
export const MAX_SIGNATURES_EXAMINED = 20;

/** One signature from a `webhook-signature` header, decoded. */
export interface SignatureEntry {
  /** `v1` (HMAC-SHA256) or `v1a` (ed25519). */
  readonly version: 'v1' | 'v1a';
  /** The signature bytes: 32 for `v1`, 64 for `v1a`. */
  readonly signature: Buffer;
}

// Base64 length of a 32-byte HMAC-SHA256 and of a 64-byte ed25519 signature.
const ENCODED_LENGTH = { v1: 44, v1a: 88 } as const;
// Bytes of an HMAC-SHA256 and of an ed25519 signature.
const SIGNATURE_BYTES = { v1: 32, v1a: 64 } as const;

/**
 * Reads a `webhook-signature` header: space-separated `version,base64` entries. Unknown versions,
 * entries without a comma and signatures that are not strict base64 of the right length are skipped
 * (a receiver must tolerate versions it does not know). At most {@link MAX_SIGNATURES_EXAMINED} `v1` /
 * `v1a` entries are read, and a header longer than {@link MAX_SIGNATURE_HEADER_LENGTH} yields none.
 */
export function parseSignatureHeader(header: string): SignatureEntry[] {
  if (typeof header !== 'string' || header.length > MAX_SIGNATURE_HEADER_LENGTH) return [];
  const entries: SignatureEntry[] = [];
  let examined = 0;
  for (const part of header.split(' ')) {
    const comma = part.indexOf(',');
    if (comma < 0) continue;
    const version = part.slice(0, comma);
    if (version !== 'v1' && version !== 'v1a') continue;
    if (++examined > MAX_SIGNATURES_EXAMINED) break;
    const encoded = part.slice(comma + 1);
    if (encoded.length !== ENCODED_LENGTH[version]) continue;
    const decoded = decodeStrictBase64(encoded);
    // 44 characters without padding are 33 bytes: the decoded length is what must match.
    if (decoded.ok && decoded.bytes.length === SIGNATURE_BYTES[version])
      entries.push({ version, signature: decoded.bytes });
  }
  return entries;
}

/**
 * Checks a `webhook-signature` header against a message: true when any `v1` entry equals the
 * HMAC-SHA256 under one of the `whsec_` secrets (compared in constant time), or any `v1a` entry is a
 * valid ed25519 signature under one of the `whpk_` keys (a `whsk_` key is accepted and its public half
 * used). It does not check the timestamp's age: receivers must also reject old timestamps to stop
 * replays.
 *
 * Never throws for what the request carries: a malformed header or a message that {@link sign} would
 * refuse (see `findMessageProblem`) simply does not verify.
 *
 * @param message - id and timestamp from the `webhook-id` / `webhook-timestamp` headers, and the raw
 * body exactly as received (not parsed and re-serialized JSON).
 * @param signatureHeader - the `webhook-signature` header value.
 * @param keys - one key or a non-empty list (during rotation, the old and the new).
 * @throws WebhookSecretError (`invalid-secret`, `invalid-key`) for a malformed key: that is the
 * receiver's configuration, so it fails loudly instead of rejecting every request.
 */
export function verifySignature(
  message: WebhookMessage,
  signatureHeader: string,
  keys: string | readonly string[],
): boolean {
  const verificationKeys = cachedVerificationKeys(keys);
  if (findMessageProblem(message) !== undefined) return false;
  const entries = parseSignatureHeader(signatureHeader);
  if (entries.length === 0) return false;

  const expectedMacs: Buffer[] = [];
  for (const key of verificationKeys) {
    if (key.version === 'v1') expectedMacs.push(hmacOfContent(createHmac('sha256', key.secret), message));
  }
  // ed25519 signs the content in one piece; it is built only when a v1a entry needs it.
  let content: Buffer | undefined;

  for (const entry of entries) {
    if (entry.version === 'v1') {
      // Both sides are 32 bytes (the parser dropped other lengths), as timingSafeEqual requires.
      if (expectedMacs.some((mac) => timingSafeEqual(mac, entry.signature))) return true;
    } else {
      for (const key of verificationKeys) {
        if (key.version !== 'v1a') continue;
        content ??= buildSignedContent(message);
        if (ed25519Verify(null, content, key.publicKey, entry.signature)) return true;
      }
    }
  }
  return false;
}

/**
 * A receiver verifies every request with the same few keys: decoding them once (strict base64, key
 * objects) instead of per request halves the cost of a verification. Bounded, so a process that is
 * handed many keys keeps only the recent ones.
 */
const keyCache = new Map<string, readonly VerificationKey[]>();
const KEY_CACHE_SIZE = 256;
/** The same for one key given as a string: a map of its own, so that no list's JSON can stand for it. */
const singleKeyCache = new Map<string, readonly VerificationKey[]>();

function cachedVerificationKeys(keys: string | readonly string[]): readonly VerificationKey[] {
  // One key (the common case) is looked up as itself, in a map of its own, without writing JSON for it.
  const single = typeof keys === 'string';
  const cache = single ? singleKeyCache : keyCache;
  // JSON keeps ['a', 'b'] and ['a\nb'] apart; anything that is not strings is never cached (and fails to parse).
  const cacheKey = single
    ? keys
    : Array.isArray(keys) && keys.every((key) => typeof key === 'string')
      ? JSON.stringify(keys)
      : undefined;
  const cached = cacheKey === undefined ? undefined : cache.get(cacheKey);
  if (cached) return cached;
  const parsed = parseKeyList(keys, parseVerificationKey);
  if (cacheKey !== undefined) {
    if (cache.size >= KEY_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, parsed);
  }
  return parsed;
}
