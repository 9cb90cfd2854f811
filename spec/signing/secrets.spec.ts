import { generateSecret } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { WebhookSecretError } from '../../lib/errors';
import { parseSecret } from '../../lib/signing';

/** `whsec_` + standard base64 of `length` bytes chosen so the encoding uses "+" and "/". */
function secretOf(length: number): string {
  return `whsec_${Buffer.alloc(length, 0xfb).toString('base64')}`;
}

/** Runs `fn`, expects a WebhookSecretError, and returns it. */
function secretError(fn: () => unknown): WebhookSecretError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSecretError);
    return error as WebhookSecretError;
  }
  throw new Error('expected a WebhookSecretError');
}

describe('generateSecret', () => {
  it('makes whsec_ + base64 of 32 random bytes by default', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSecret(secret)).toHaveLength(32);
  });

  it('makes a different secret every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => generateSecret()));
    expect(secrets.size).toBe(100);
  });

  it('makes 24- and 64-byte secrets on request', () => {
    expect(parseSecret(generateSecret(24))).toHaveLength(24);
    expect(parseSecret(generateSecret(64))).toHaveLength(64);
  });

  it.each([23, 65, 0, -1, 32.5, Number.NaN])('refuses %s bytes and states the range', (bytes) => {
    const error = secretError(() => generateSecret(bytes));
    expect(error.code).toBe('invalid-secret');
    expect(error.message).toMatch(/bytes must be an integer from 24 to 64, got .*Omit it for the default of 32/);
  });

  it('does not echo a string passed by mistake, which is probably a secret', () => {
    const secret = secretOf(32);
    const error = secretError(() => generateSecret(secret as unknown as number));
    expect(error.message).toContain('got a string');
    expect(error.message).not.toContain(secret.slice(6));
  });
});

describe('parseSecret', () => {
  it('returns the decoded key bytes', () => {
    expect(parseSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual(
      Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'),
    );
  });

  it('accepts the bounds, 24 and 64 bytes', () => {
    expect(parseSecret(secretOf(24))).toHaveLength(24);
    expect(parseSecret(secretOf(64))).toHaveLength(64);
  });

  it.each([
    ['an empty secret', '', /it is empty\. Expected "whsec_" followed by the base64 of 24 to 64 bytes/],
    ['whsec_ alone', 'whsec_', /the part after "whsec_" is empty/],
    ['characters outside base64', 'whsec_!!!!', /outside standard base64/],
    ['a missing prefix', secretOf(32).slice(6), /does not start with "whsec_".*prefixed with "whsec_"/],
    ['another prefix', `wh_${secretOf(32).slice(6)}`, /does not start with "whsec_"/],
    ['an upper-case prefix', `WHSEC_${secretOf(32).slice(6)}`, /does not start with "whsec_"/],
    ['an ed25519 key', `whsk_${secretOf(32).slice(6)}`, /an ed25519 key \(whsk_ \/ whpk_\), not an HMAC secret/],
    ['a 16-byte secret', secretOf(16), /decodes to 16 bytes; Standard Webhooks secrets are 24 to 64 bytes/],
    ['a 23-byte secret', secretOf(23), /decodes to 23 bytes/],
    ['a 65-byte secret', secretOf(65), /decodes to 65 bytes; Standard Webhooks secrets are 24 to 64 bytes/],
    ['base64url characters', `whsec_${Buffer.alloc(32, 0xfb).toString('base64url')}=`, /base64url \("-", "_"\)/],
    ['missing padding', secretOf(32).replace(/=+$/, ''), /is not correctly padded/],
    ['extra padding', `${secretOf(32)}=`, /is not correctly padded/],
    ['padding in the middle', `whsec_AAAA=AAA${secretOf(32).slice(6)}`, /is not correctly padded/],
    ['a trailing line break', `${secretOf(32)}\n`, /whitespace and line breaks are not accepted/],
    ['a space inside', `whsec_${'A'.repeat(20)} ${'A'.repeat(19)}`, /whitespace and line breaks are not accepted/],
    ['leftover bits in the last character', `whsec_${'A'.repeat(42)}B=`, /does not decode exactly/],
  ])('refuses %s', (_case, secret, message) => {
    const error = secretError(() => parseSecret(secret));
    expect(error.code).toBe('invalid-secret');
    expect(error.name).toBe('WebhookSecretError');
    expect(error.message).toMatch(/^Invalid webhook secret: /);
    expect(error.message).toMatch(message);
  });

  it('refuses a value that is not a string, naming only its type', () => {
    const error = secretError(() => parseSecret(Buffer.alloc(32) as unknown as string));
    expect(error.message).toBe('Invalid webhook secret: it must be a string, got an object.');
  });

  it('never puts the secret, or a piece of it, in the message', () => {
    const body = 'Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4';
    const secrets = [
      body,
      `whsec_${body}`.slice(0, -1),
      `whsec_${body}-`,
      `whsec_${body}==`,
      `whsec_${body.slice(0, 20)}`,
      `whsec_${Buffer.alloc(80, 7).toString('base64')}`,
      `whsk_${body}`,
    ];
    for (const secret of secrets) {
      const { message } = secretError(() => parseSecret(secret));
      expect(message).not.toContain(secret);
      // Any 8 consecutive characters of the key part would already be a leak.
      const keyPart = secret.replace(/^wh[a-z]+_/, '');
      for (let i = 0; i + 8 <= keyPart.length; i++) expect(message).not.toContain(keyPart.slice(i, i + 8));
    }
  });
});
