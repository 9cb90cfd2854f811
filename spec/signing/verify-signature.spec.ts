import { generateKeyPair, generateSecret, sign, verifySignature } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { WebhookSecretError } from '../../lib/errors';
import { MAX_SIGNATURE_HEADER_LENGTH, MAX_SIGNATURES_EXAMINED, parseSignatureHeader } from '../../lib/signing';

const SECRET = generateSecret();
const PAIR = generateKeyPair();
const MESSAGE = { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp: 1674087231, body: '{"type":"contact.created"}' };
const GOOD = sign(MESSAGE, SECRET);
const GOOD_V1A = sign(MESSAGE, PAIR.privateKey);

/** The signature with one base64 character changed, so it decodes to different bytes of the same length. */
function flipSignature(header: string): string {
  const [version, signature = ''] = header.split(',');
  const replacement = signature[0] === 'A' ? 'B' : 'A';
  return `${version},${replacement}${signature.slice(1)}`;
}

describe('verifySignature', () => {
  it('accepts a v1 signature made with the secret, and a v1a signature under the public key', () => {
    expect(verifySignature(MESSAGE, GOOD, SECRET)).toBe(true);
    expect(verifySignature(MESSAGE, GOOD_V1A, PAIR.publicKey)).toBe(true);
  });

  it.each([
    ['a changed body', { body: '{"type":"contact.deleted"}' }],
    ['a body with an extra space', { body: '{"type": "contact.created"}' }],
    ['a changed id', { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4X' }],
    ['a changed timestamp', { timestamp: 1674087232 }],
  ])('rejects %s', (_case, change) => {
    expect(verifySignature({ ...MESSAGE, ...change }, GOOD, SECRET)).toBe(false);
    expect(verifySignature({ ...MESSAGE, ...change }, GOOD_V1A, PAIR.publicKey)).toBe(false);
  });

  it('rejects a signature with one character changed', () => {
    expect(verifySignature(MESSAGE, flipSignature(GOOD), SECRET)).toBe(false);
    expect(verifySignature(MESSAGE, flipSignature(GOOD_V1A), PAIR.publicKey)).toBe(false);
  });

  it('rejects a signature with one byte changed', () => {
    const bytes = Buffer.from(GOOD.slice(3), 'base64');
    bytes[31] = (bytes[31] ?? 0) ^ 0x01;
    expect(verifySignature(MESSAGE, `v1,${bytes.toString('base64')}`, SECRET)).toBe(false);
  });

  it('rejects a wrong key', () => {
    expect(verifySignature(MESSAGE, GOOD, generateSecret())).toBe(false);
    expect(verifySignature(MESSAGE, GOOD_V1A, generateKeyPair().publicKey)).toBe(false);
  });

  it('accepts "v1,bad v1,good": any matching entry is enough', () => {
    expect(verifySignature(MESSAGE, `${flipSignature(GOOD)} ${GOOD}`, SECRET)).toBe(true);
  });

  it('skips unknown versions and malformed entries around a good one', () => {
    const header = ['v2,abc', 'garbage', 'v1,', 'v1,!!!', `v1a,${GOOD.slice(3)}`, GOOD, 'v3,x,y'].join(' ');
    expect(verifySignature(MESSAGE, header, SECRET)).toBe(true);
  });

  it('tolerates repeated spaces between entries', () => {
    expect(verifySignature(MESSAGE, `  ${flipSignature(GOOD)}   ${GOOD}  `, SECRET)).toBe(true);
  });

  it('rejects a header with only unknown versions, even carrying the right bytes', () => {
    expect(verifySignature(MESSAGE, `v2,${GOOD.slice(3)}`, SECRET)).toBe(false);
    expect(verifySignature(MESSAGE, `V1,${GOOD.slice(3)}`, SECRET)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['a bare version', 'v1'],
    ['a truncated signature', GOOD.slice(0, 20)],
    ['a signature without padding', GOOD.replace(/=$/, '')],
    ['a signature with trailing junk', `${GOOD}AAAA`],
  ])('rejects a %s header', (_case, header) => {
    expect(verifySignature(MESSAGE, header, SECRET)).toBe(false);
  });

  it('rejects the base64url spelling of a correct signature', () => {
    // The Standard Webhooks test vector, whose signature contains both "+" and "/".
    const vector = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    expect(verifySignature(vector, signature, secret)).toBe(true);
    expect(verifySignature(vector, signature.replace('+', '-').replace('/', '_'), secret)).toBe(false);
  });

  it('rotation: a header signed with [old, new] verifies with either, and with both', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const header = sign(MESSAGE, [oldSecret, newSecret]);
    expect(verifySignature(MESSAGE, header, oldSecret)).toBe(true);
    expect(verifySignature(MESSAGE, header, newSecret)).toBe(true);
    expect(verifySignature(MESSAGE, header, [generateSecret(), newSecret])).toBe(true);
    expect(verifySignature(MESSAGE, header, [generateSecret(), generateSecret()])).toBe(false);
  });

  it('rotation across schemes: a whsec_ + whsk_ header verifies with the secret or the public key', () => {
    const header = sign(MESSAGE, [SECRET, PAIR.privateKey]);
    expect(verifySignature(MESSAGE, header, SECRET)).toBe(true);
    expect(verifySignature(MESSAGE, header, PAIR.publicKey)).toBe(true);
  });

  it('rejects a message that sign would refuse instead of throwing', () => {
    expect(verifySignature({ ...MESSAGE, id: '' }, GOOD, SECRET)).toBe(false);
    expect(verifySignature({ ...MESSAGE, timestamp: -1 }, GOOD, SECRET)).toBe(false);
  });

  it('does not let bytes move between id and body: a "." in the id never verifies', () => {
    // id "a", body "1.x" and id "a.1", body "x" would sign the same bytes if ids could hold a ".".
    const signed = sign({ id: 'a', timestamp: 5, body: '6.x' }, SECRET);
    expect(verifySignature({ id: 'a.5', timestamp: 6, body: 'x' }, signed, SECRET)).toBe(false);
  });

  it('returns false for a 100 kB signature header', () => {
    const header = `${GOOD} ${'v1,'.padEnd(100_000, 'A')}`;
    expect(verifySignature(MESSAGE, header, SECRET)).toBe(false);
  });

  it(`examines only the first ${MAX_SIGNATURES_EXAMINED} v1 / v1a entries`, () => {
    const junk = (count: number) => Array.from({ length: count }, () => flipSignature(GOOD_V1A));
    const withinLimit = [...junk(MAX_SIGNATURES_EXAMINED - 1), GOOD_V1A].join(' ');
    const pastLimit = [...junk(MAX_SIGNATURES_EXAMINED), GOOD_V1A].join(' ');
    expect(withinLimit.length).toBeLessThan(MAX_SIGNATURE_HEADER_LENGTH);
    expect(verifySignature(MESSAGE, withinLimit, PAIR.publicKey)).toBe(true);
    expect(verifySignature(MESSAGE, pastLimit, PAIR.publicKey)).toBe(false);
  });

  it('throws for a malformed key: a misconfigured receiver must not silently reject everything', () => {
    expect(() => verifySignature(MESSAGE, GOOD, 'whsec_short')).toThrow(WebhookSecretError);
    expect(() => verifySignature(MESSAGE, GOOD, [])).toThrow(/No keys given/);
    expect(() => verifySignature(MESSAGE, GOOD, 'not-a-key')).toThrow(
      /starts with none of "whsec_" .*, "whpk_" .* or "whsk_"/,
    );
  });
});

describe('parseSignatureHeader', () => {
  it('decodes v1 and v1a entries and skips the rest', () => {
    const entries = parseSignatureHeader(`v2,x ${GOOD} nonsense ${GOOD_V1A}`);
    expect(entries.map((entry) => [entry.version, entry.signature.length])).toEqual([
      ['v1', 32],
      ['v1a', 64],
    ]);
  });

  it(`examines at most ${MAX_SIGNATURES_EXAMINED} entries`, () => {
    const header = Array.from({ length: MAX_SIGNATURES_EXAMINED + 5 }, () => GOOD).join(' ');
    expect(parseSignatureHeader(header)).toHaveLength(MAX_SIGNATURES_EXAMINED);
  });

  it(`reads nothing from a header over ${MAX_SIGNATURE_HEADER_LENGTH} characters`, () => {
    const fits = `${GOOD} `.repeat(Math.floor(MAX_SIGNATURE_HEADER_LENGTH / (GOOD.length + 1)));
    expect(fits.length).toBeLessThanOrEqual(MAX_SIGNATURE_HEADER_LENGTH);
    expect(parseSignatureHeader(fits).length).toBeGreaterThan(0);
    expect(parseSignatureHeader(GOOD.padEnd(MAX_SIGNATURE_HEADER_LENGTH + 1, ' '))).toEqual([]);
  });

  it('holds a realistic rotation header: two v1 and two v1a entries', () => {
    const header = sign(MESSAGE, [SECRET, generateSecret(), PAIR.privateKey, generateKeyPair().privateKey]);
    expect(parseSignatureHeader(header)).toHaveLength(4);
  });
});

describe('entries of the right length in characters but not in bytes', () => {
  it('are skipped, so a good signature beside one still verifies and nothing throws', () => {
    const secret = generateSecret();
    const message = { id: 'msg_len', timestamp: 1_700_000_000, body: '{"a":1}' };
    const good = sign(message, secret);
    const unpadded = `v1,${'A'.repeat(44)}`; // 44 characters without padding decode to 33 bytes
    expect(verifySignature(message, unpadded, secret)).toBe(false);
    expect(verifySignature(message, `${unpadded} ${good}`, secret)).toBe(true);
  });
});
