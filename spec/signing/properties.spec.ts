import fc from 'fast-check';
import { generateKeyPair, generateSecret, sign, verifySignature } from 'hookspec';
import { describe, expect, it } from 'vitest';

const RUNS = { numRuns: 200 };
const SECRET = generateSecret();
const PAIR = generateKeyPair();
// Both kinds of key sign every generated message, so each property covers v1 and v1a.
const SIGNING_KEYS = [SECRET, PAIR.privateKey];
const VERIFYING_KEYS = [SECRET, PAIR.publicKey];

/** Visible ASCII without ".", the alphabet a message id may use. */
const idCharacter = fc.integer({ min: 0x21, max: 0x7e }).filter((code) => code !== 0x2e);
const messageId = fc.array(idCharacter, { minLength: 1, maxLength: 64 }).map((codes) => String.fromCharCode(...codes));
const timestamp = fc.integer({ min: 0, max: 2 ** 40 });
const body = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);
const message = fc.record({ id: messageId, timestamp, body });

function bytesOf(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

describe('sign and verifySignature, for generated messages', () => {
  it('round-trip: what sign makes, verifySignature accepts, with each key alone', () => {
    fc.assert(
      fc.property(message, (msg) => {
        const header = sign(msg, SIGNING_KEYS);
        return verifySignature(msg, header, SECRET) && verifySignature(msg, header, PAIR.publicKey);
      }),
      RUNS,
    );
  });

  it('changing any one byte of the body makes verification fail', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 1, max: 255 }), (msg, position, delta) => {
        const original = bytesOf(msg.body);
        fc.pre(original.length > 0);
        const changed = Buffer.from(original);
        const index = position % changed.length;
        changed[index] = ((changed[index] ?? 0) + delta) % 256;
        const header = sign({ ...msg, body: original }, SIGNING_KEYS);
        return !verifySignature({ ...msg, body: changed }, header, VERIFYING_KEYS);
      }),
      RUNS,
    );
  });

  it('changing any one character of the id makes verification fail', () => {
    fc.assert(
      fc.property(message, fc.nat(), idCharacter, (msg, position, replacement) => {
        const index = position % msg.id.length;
        fc.pre(msg.id.charCodeAt(index) !== replacement);
        const id = msg.id.slice(0, index) + String.fromCharCode(replacement) + msg.id.slice(index + 1);
        return !verifySignature({ ...msg, id }, sign(msg, SIGNING_KEYS), VERIFYING_KEYS);
      }),
      RUNS,
    );
  });

  it('a different timestamp makes verification fail', () => {
    fc.assert(
      fc.property(message, timestamp, (msg, other) => {
        fc.pre(other !== msg.timestamp);
        return !verifySignature({ ...msg, timestamp: other }, sign(msg, SIGNING_KEYS), VERIFYING_KEYS);
      }),
      RUNS,
    );
  });

  it('random header strings never throw and never verify', () => {
    const entry = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc
        .constantFrom('v1', 'v1a', 'v2')
        .chain((version) => fc.base64String({ maxLength: 100 }).map((signature) => `${version},${signature}`)),
      fc
        .constantFrom('v1', 'v1a')
        .chain((version) =>
          fc
            .uint8Array({ minLength: version === 'v1' ? 32 : 64, maxLength: version === 'v1' ? 32 : 64 })
            .map((bytes) => `${version},${Buffer.from(bytes).toString('base64')}`),
        ),
    );
    const header = fc.oneof(
      fc.string({ maxLength: 500 }),
      fc.array(entry, { maxLength: 8 }).map((e) => e.join(' ')),
    );
    fc.assert(
      fc.property(message, header, (msg, signatureHeader) => {
        expect(verifySignature(msg, signatureHeader, VERIFYING_KEYS)).toBe(false);
      }),
      RUNS,
    );
  });
});
