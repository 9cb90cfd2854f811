import { generateKeyPair, generateSecret, sign, verifyWebhook, WebhookVerificationError } from 'hookspec';
import type { VerificationFailure } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BODY, NOW, SECRET, signedRequest, verificationError } from './signed-request';

const at = { now: NOW };
const request = signedRequest({ body: '{"a":1}', id: 'msg_1' });
// Bit 0 turns a digit into another digit; the others make a different, usually non-digit, character.
const MASKS = [0x01, 0x02, 0x10, 0x20, 0x40, 0x80, 0xff];

function outcome(action: () => unknown): VerificationFailure | 'accepted' {
  try {
    action();
    return 'accepted';
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return error.code;
  }
}

function flipCharacter(text: string, index: number, mask: number): string {
  return text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ mask) + text.slice(index + 1);
}

describe('a one-byte change anywhere in the signed content is refused', () => {
  it('in the body: every byte, every mask -> invalid-signature', () => {
    const original = Buffer.from(request.body);
    for (let index = 0; index < original.length; index++) {
      for (const mask of MASKS) {
        const changed = Buffer.from(original);
        changed[index] = (changed[index] ?? 0) ^ mask;
        expect(
          outcome(() => verifyWebhook(changed, request.headers, SECRET, at)),
          `byte ${index} ^ ${mask}`,
        ).toBe('invalid-signature');
      }
    }
  });

  it('in the body: one byte appended or removed -> invalid-signature', () => {
    const original = Buffer.from(request.body);
    for (const changed of [
      Buffer.concat([original, Buffer.from(' ')]),
      original.subarray(1),
      original.subarray(0, -1),
    ]) {
      expect(outcome(() => verifyWebhook(changed, request.headers, SECRET, at))).toBe('invalid-signature');
    }
  });

  it('in the id: every character, every mask -> invalid-signature', () => {
    for (let index = 0; index < request.id.length; index++) {
      for (const mask of MASKS) {
        const headers = { ...request.headers, 'webhook-id': flipCharacter(request.id, index, mask) };
        expect(
          outcome(() => verifyWebhook(request.body, headers, SECRET, at)),
          `id[${index}] ^ ${mask}`,
        ).toBe('invalid-signature');
      }
    }
  });

  it('in the timestamp: every character, every mask -> a timestamp or signature error, never a pass', () => {
    const timestamp = String(request.timestamp);
    const codes = new Set<string>();
    for (let index = 0; index < timestamp.length; index++) {
      for (const mask of MASKS) {
        const headers = { ...request.headers, 'webhook-timestamp': flipCharacter(timestamp, index, mask) };
        // A generous tolerance lets changed digits near the end reach the signature check.
        for (const toleranceSeconds of [300, 10 ** 10]) {
          const code = outcome(() => verifyWebhook(request.body, headers, SECRET, { ...at, toleranceSeconds }));
          expect(['invalid-timestamp', 'timestamp-too-old', 'timestamp-too-new', 'invalid-signature']).toContain(code);
          codes.add(code);
        }
      }
    }
    expect([...codes].sort()).toEqual([
      'invalid-signature',
      'invalid-timestamp',
      'timestamp-too-new',
      'timestamp-too-old',
    ]);
  });

  it('in the timestamp: a leading digit added or removed -> never a pass', () => {
    const timestamp = String(request.timestamp);
    for (const changed of [`1${timestamp}`, timestamp.slice(1), timestamp.slice(0, -1), `${timestamp}0`]) {
      const headers = { ...request.headers, 'webhook-timestamp': changed };
      expect(
        outcome(() => verifyWebhook(request.body, headers, SECRET, { ...at, toleranceSeconds: 10 ** 15 })),
      ).not.toBe('accepted');
    }
  });

  it('in the signature: every base64 character, every mask -> invalid-signature', () => {
    for (let index = 0; index < request.signature.length; index++) {
      for (const mask of MASKS) {
        const headers = { ...request.headers, 'webhook-signature': flipCharacter(request.signature, index, mask) };
        expect(
          outcome(() => verifyWebhook(request.body, headers, SECRET, at)),
          `signature[${index}] ^ ${mask}`,
        ).toBe('invalid-signature');
      }
    }
  });

  it('refuses bytes moved from the body into the id under the same signature', () => {
    // Signed: `msg_1.T.T.{"a":1}` (id msg_1, body `T.{"a":1}`). Read as id `msg_1.T`, timestamp T and body
    // `{"a":1}`, the bytes are the same and T is current: only the rule that an id has no "." refuses it.
    const stamp = String(request.timestamp);
    const original = signedRequest({ id: 'msg_1', body: `${stamp}.{"a":1}` });
    const headers = { ...original.headers, 'webhook-id': `msg_1.${stamp}` };
    expect(outcome(() => verifyWebhook('{"a":1}', headers, SECRET, at))).toBe('invalid-signature');
  });
});

describe('the webhook-signature header', () => {
  const good = request.signature.slice('v1,'.length);
  const bad = Buffer.alloc(32, 7).toString('base64');

  it.each([
    ['a bad entry before the good one', `v1,${bad} v1,${good}`],
    ['a bad entry after the good one', `v1,${good} v1,${bad}`],
    ['unknown versions beside the good one', `v2,${good} v1,${good} v1b,xyz`],
    ['an entry without a comma beside the good one', `garbage v1,${good}`],
    ['a v1a entry beside the good v1 one', `v1a,${Buffer.alloc(64).toString('base64')} v1,${good}`],
  ])('accepts %s', (_label, header) => {
    const headers = { ...request.headers, 'webhook-signature': header };
    expect(verifyWebhook(request.body, headers, SECRET, at)).toEqual({ a: 1 });
  });

  it.each([
    ['only unknown versions', `v2,${good} v0,${good} V1,${good}`],
    ['the good signature labelled v1a', `v1a,${good}`],
    ['the good signature without padding', `v1,${good.replace(/=+$/, '')}`],
    ['the good signature with a trailing comma', `v1,${good},`],
    ['a bad signature after a leading space', ` v1,${bad}`],
    ['an empty header', ''],
    ['a lone version', 'v1,'],
  ])('refuses %s with invalid-signature', (_label, header) => {
    const headers = { ...request.headers, 'webhook-signature': header };
    expect(outcome(() => verifyWebhook(request.body, headers, SECRET, at))).toBe('invalid-signature');
  });

  it('refuses an unpadded 44-character v1 entry (33 bytes) with invalid-signature, not invalid-secret', () => {
    // Found by properties.spec.ts: the entry passes the length check, and timingSafeEqual throws on 33 vs 32 bytes.
    for (const header of [`v1,${good.slice(0, -1)}A`, `v1,${good.slice(0, -1)}/`]) {
      const headers = { ...request.headers, 'webhook-signature': header };
      expect(outcome(() => verifyWebhook(request.body, headers, SECRET, at))).toBe('invalid-signature');
    }
  });

  it('refuses an unpadded 88-character v1a entry (66 bytes) with invalid-signature', () => {
    const pair = generateKeyPair();
    const signed = signedRequest({ keys: pair.privateKey });
    const headers = { ...signed.headers, 'webhook-signature': `${signed.signature.slice(0, -2)}AA` };
    expect(outcome(() => verifyWebhook(signed.body, headers, pair.publicKey, at))).toBe('invalid-signature');
  });

  it('refuses a good signature written in base64url with invalid-signature', () => {
    // Only a signature with "+" or "/" differs in base64url; about one in four has neither.
    const withSymbols = Array.from({ length: 50 }, (_, n) => signedRequest({ body: '{"a":1}', id: `msg_${n}` })).find(
      (candidate) => /[+/]/.test(candidate.signature),
    )!;
    const urlSafe = withSymbols.signature.replace(/\+/g, '-').replace(/\//g, '_');
    const headers = { ...withSymbols.headers, 'webhook-signature': urlSafe };
    expect(outcome(() => verifyWebhook(withSymbols.body, headers, SECRET, at))).toBe('invalid-signature');
  });

  it('refuses a 100 kB header, whatever it holds, with only WebhookVerificationError', () => {
    const filler = `v1,${bad} `.repeat(Math.ceil(100_000 / (bad.length + 4)));
    for (const header of [
      filler + request.signature,
      request.signature + ' ' + filler,
      'v'.repeat(100_000),
      ','.repeat(100_000),
    ]) {
      expect(header.length).toBeGreaterThanOrEqual(100_000);
      const headers = { ...request.headers, 'webhook-signature': header };
      expect(outcome(() => verifyWebhook(request.body, headers, SECRET, at))).toBe('invalid-signature');
    }
  });
});

describe('several keys on the receiving side (rotation)', () => {
  const [oldSecret, newSecret, otherSecret] = [generateSecret(), generateSecret(24), generateSecret(64)];

  it('accepts a message signed with any one of the keys', () => {
    for (const keys of [oldSecret, newSecret]) {
      const { body, headers } = signedRequest({ keys });
      expect(verifyWebhook(body, headers, [oldSecret, newSecret], at)).toEqual(DEFAULT_BODY);
      expect(verifyWebhook(body, headers, [newSecret, oldSecret], at)).toEqual(DEFAULT_BODY);
    }
  });

  it('accepts a message signed with both keys under either key alone', () => {
    const { body, headers } = signedRequest({ keys: [oldSecret, newSecret] });
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook(body, headers, oldSecret, at)).toEqual(DEFAULT_BODY);
    expect(verifyWebhook(body, headers, newSecret, at)).toEqual(DEFAULT_BODY);
  });

  it('refuses a message signed with a key the receiver does not hold', () => {
    const { body, headers } = signedRequest({ keys: otherSecret });
    expect(outcome(() => verifyWebhook(body, headers, [oldSecret, newSecret], at))).toBe('invalid-signature');
  });
});

describe('v1a: ed25519 with whpk_ keys', () => {
  const pair = generateKeyPair();
  const otherPair = generateKeyPair();
  const signed = signedRequest({ keys: pair.privateKey });

  it('signs v1a entries', () => {
    expect(signed.signature).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
  });

  it('accepts a v1a signature under the whpk_ public key, alone or beside secrets', () => {
    expect(verifyWebhook(signed.body, signed.headers, pair.publicKey, at)).toEqual({
      type: 'invoice.paid',
      amount: 4200,
    });
    expect(verifyWebhook(signed.body, signed.headers, [SECRET, otherPair.publicKey, pair.publicKey], at)).toEqual(
      DEFAULT_BODY,
    );
  });

  it('refuses a v1a signature under another public key or an HMAC secret', () => {
    expect(outcome(() => verifyWebhook(signed.body, signed.headers, otherPair.publicKey, at))).toBe(
      'invalid-signature',
    );
    expect(outcome(() => verifyWebhook(signed.body, signed.headers, SECRET, at))).toBe('invalid-signature');
  });

  it('refuses a v1 signature under a public key only', () => {
    const { body, headers } = signedRequest();
    expect(outcome(() => verifyWebhook(body, headers, pair.publicKey, at))).toBe('invalid-signature');
  });

  it('accepts a header with v1 and v1a entries under either kind of key', () => {
    const { body, headers } = signedRequest({ keys: [SECRET, pair.privateKey] });
    expect(verifyWebhook(body, headers, SECRET, at)).toEqual(DEFAULT_BODY);
    expect(verifyWebhook(body, headers, pair.publicKey, at)).toEqual(DEFAULT_BODY);
  });

  it('refuses a v1a signature with any byte of the body changed', () => {
    const original = Buffer.from(signed.body);
    for (let index = 0; index < original.length; index++) {
      const changed = Buffer.from(original);
      changed[index] = (changed[index] ?? 0) ^ 0x01;
      expect(outcome(() => verifyWebhook(changed, signed.headers, pair.publicKey, at))).toBe('invalid-signature');
    }
  });

  it('accepts a whsk_ private key (its public half is used) and refuses a malformed one with invalid-secret', () => {
    expect(verifyWebhook(signed.body, signed.headers, pair.privateKey, at)).toEqual(DEFAULT_BODY);
    verificationError(() => verifyWebhook(signed.body, signed.headers, 'whsk_AAAA', at), 'invalid-secret');
  });

  it('signs with sign() what verifyWebhook checks: the same bytes for a string and a Buffer body', () => {
    const message = { id: 'msg_v1a', timestamp: Math.floor(NOW / 1000), body: '{"é":1}' };
    const header = sign({ ...message, body: Buffer.from(message.body) }, pair.privateKey);
    const headers = {
      'webhook-id': message.id,
      'webhook-timestamp': String(message.timestamp),
      'webhook-signature': header,
    };
    expect(verifyWebhook(message.body, headers, pair.publicKey, at)).toEqual({ é: 1 });
  });
});
