import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { generateKeyPair, sign } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { WebhookSecretError } from '../../lib/errors';
import { parsePrivateKey, parsePublicKey, signedContent } from '../../lib/signing';

// The asymmetric test vector of the Standard Webhooks reference library
// (standard-webhooks/standard-webhooks, libraries/go/webhook_asymmetric_test.go, TestAsymmetricWebhookSign):
// the key is the base64 of a 32-byte seed.
const GO_VECTOR = {
  key: 'whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==',
};

function keyError(fn: () => unknown): WebhookSecretError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSecretError);
    expect((error as WebhookSecretError).code).toBe('invalid-key');
    return error as WebhookSecretError;
  }
  throw new Error('expected a WebhookSecretError');
}

/** The raw seed and public key of a fresh node:crypto ed25519 pair. */
function rawPair(): { seed: Buffer; publicKey: Buffer } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { seed: Buffer.from(jwk.d ?? '', 'base64url'), publicKey: Buffer.from(jwk.x ?? '', 'base64url') };
}

describe('generateKeyPair', () => {
  it('makes whsk_ + base64 of the 32-byte seed and whpk_ + base64 of the 32-byte public key', () => {
    const { privateKey, publicKey } = generateKeyPair();
    expect(privateKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
  });

  it('makes a pair whose public key is the one node:crypto derives from the private key', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const derived = createPublicKey(parsePrivateKey(privateKey)).export({ format: 'jwk' });
    expect(Buffer.from(derived.x ?? '', 'base64url').toString('base64')).toBe(publicKey.slice(5));
  });

  it('makes a different pair every time', () => {
    const keys = new Set(Array.from({ length: 20 }, () => generateKeyPair().privateKey));
    expect(keys.size).toBe(20);
  });
});

describe('parsePrivateKey', () => {
  it('reads the 32-byte seed form and reproduces the Standard Webhooks Go test vector', () => {
    const { key, signature, ...message } = GO_VECTOR;
    expect(parsePrivateKey(key).asymmetricKeyType).toBe('ed25519');
    expect(sign(message, key)).toBe(signature);
  });

  it('reads the 64-byte seed + public key form (as Svix serializes whsk_) and signs like the seed', () => {
    const { seed, publicKey } = rawPair();
    const short = `whsk_${seed.toString('base64')}`;
    const long = `whsk_${Buffer.concat([seed, publicKey]).toString('base64')}`;
    const message = { id: 'msg_1', timestamp: 1700000000, body: '{}' };
    expect(sign(message, long)).toBe(sign(message, short));
  });

  it('refuses a 64-byte key whose second half is not the public key of its first half', () => {
    const long = `whsk_${Buffer.concat([rawPair().seed, rawPair().publicKey]).toString('base64')}`;
    expect(keyError(() => parsePrivateKey(long)).message).toMatch(
      /second half is not the public key of its first half, so it is corrupted/,
    );
  });

  it.each([
    ['a missing prefix', rawPair().seed.toString('base64'), /does not start with "whsk_"/],
    ['the public half', `whpk_${rawPair().publicKey.toString('base64')}`, /starts with "whpk_", the public half/],
    ['a 31-byte key', `whsk_${Buffer.alloc(31, 1).toString('base64')}`, /decodes to 31 bytes; .* 32 bytes .* or 64/],
    ['a 48-byte key', `whsk_${Buffer.alloc(48, 1).toString('base64')}`, /decodes to 48 bytes/],
    ['base64url', `whsk_${Buffer.alloc(32, 0xfb).toString('base64url')}=`, /outside standard base64/],
    ['missing padding', `whsk_${Buffer.alloc(32, 1).toString('base64').slice(0, -1)}`, /not correctly padded/],
    ['an empty key', 'whsk_', /the part after "whsk_" is empty/],
  ])('refuses %s', (_case, key, message) => {
    const error = keyError(() => parsePrivateKey(key));
    expect(error.message).toMatch(/^Invalid ed25519 private key: /);
    expect(error.message).toMatch(message);
    const material = key.slice(5, 15);
    if (material.length > 0) expect(error.message).not.toContain(material);
  });
});

describe('parsePublicKey', () => {
  it('reads a whpk_ key that verifies what the matching whsk_ signed', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const message = { id: 'msg_1', timestamp: 1700000000, body: 'hello' };
    const signature = Buffer.from(sign(message, privateKey).slice('v1a,'.length), 'base64');
    expect(verify(null, signedContent(message), parsePublicKey(publicKey), signature)).toBe(true);
  });

  it.each([
    ['the private half', () => generateKeyPair().privateKey, /starts with "whsk_", the private half/],
    ['a whsec_ secret', () => `whsec_${Buffer.alloc(32, 2).toString('base64')}`, /does not start with "whpk_"/],
    ['a 64-byte key', () => `whpk_${Buffer.alloc(64, 2).toString('base64')}`, /decodes to 64 bytes; .* is 32 bytes/],
    ['a key with a line break', () => `${generateKeyPair().publicKey}\n`, /whitespace and line breaks/],
  ])('refuses %s', (_case, makeKey, message) => {
    const key = makeKey();
    const error = keyError(() => parsePublicKey(key));
    expect(error.message).toMatch(/^Invalid ed25519 public key: /);
    expect(error.message).toMatch(message);
    const material = key.slice(5, 15);
    if (material.length > 0) expect(error.message).not.toContain(material);
  });
});
