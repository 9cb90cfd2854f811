import { createHmac } from 'node:crypto';
import { generateKeyPair, generateSecret, sign } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { WebhookMessageError, WebhookSecretError } from '../../lib/errors';
import { findMessageProblem, signedContent } from '../../lib/signing';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MESSAGE = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('sign', () => {
  it('makes v1,<base64 HMAC-SHA256 of id.timestamp.body>', () => {
    const key = Buffer.from(SECRET.slice(6), 'base64');
    const expected = createHmac('sha256', key).update(`${MESSAGE.id}.${MESSAGE.timestamp}.${MESSAGE.body}`);
    expect(sign(MESSAGE, SECRET)).toBe(`v1,${expected.digest('base64')}`);
  });

  it('signs with every key, space-separated, in the order given', () => {
    const other = generateSecret();
    const { privateKey } = generateKeyPair();
    const parts = sign(MESSAGE, [other, privateKey, SECRET]).split(' ');
    expect(parts).toHaveLength(3);
    expect(parts[0]).toBe(sign(MESSAGE, other));
    expect(parts[1]).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    expect(parts[2]).toBe(sign(MESSAGE, SECRET));
  });

  it('gives the same v1a signature every time (ed25519 is deterministic)', () => {
    const { privateKey } = generateKeyPair();
    expect(sign(MESSAGE, privateKey)).toBe(sign(MESSAGE, privateKey));
  });

  it('takes a Date and rounds it down to the second', () => {
    const at = new Date(MESSAGE.timestamp * 1000 + 999);
    expect(sign({ ...MESSAGE, timestamp: at }, SECRET)).toBe(sign(MESSAGE, SECRET));
  });

  it('signs a string body as its UTF-8 bytes, the same as the Buffer of them', () => {
    const body = 'naïve — 日本語 🎉';
    expect(sign({ ...MESSAGE, body }, SECRET)).toBe(sign({ ...MESSAGE, body: Buffer.from(body, 'utf8') }, SECRET));
  });

  it('signs the bytes a Uint8Array view covers, not its whole buffer', () => {
    const backing = Buffer.from('xx{"a":1}yy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 2, 7);
    expect(sign({ ...MESSAGE, body: view }, SECRET)).toBe(sign({ ...MESSAGE, body: '{"a":1}' }, SECRET));
  });

  it('signs an empty body and timestamp 0', () => {
    expect(sign({ id: 'msg_1', timestamp: 0, body: '' }, SECRET)).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('refuses a whpk_ public key, which cannot sign', () => {
    const error = thrown(() => sign(MESSAGE, generateKeyPair().publicKey));
    expect(error).toBeInstanceOf(WebhookSecretError);
    expect(error).toMatchObject({ code: 'invalid-key' });
    expect(error.message).toMatch(/a "whpk_" public key only verifies; sign with its "whsk_" private key/);
  });

  it('refuses a key with an unknown prefix, naming both accepted prefixes', () => {
    const error = thrown(() => sign(MESSAGE, 'sk_live_abcdefabcdefabcdefabcdef'));
    expect(error).toMatchObject({ code: 'invalid-secret' });
    expect(error.message).toMatch(/starts with neither "whsec_" .* nor "whsk_"/);
    expect(error.message).not.toContain('abcdef');
  });

  it('names the index of the faulty key in a rotation list, without showing it', () => {
    const bad = 'whsec_c2hvcnQ=';
    const error = thrown(() => sign(MESSAGE, [SECRET, bad]));
    expect(error).toBeInstanceOf(WebhookSecretError);
    expect(error.message).toMatch(/^keys\[1\]: Invalid webhook secret: it decodes to 5 bytes/);
    expect(error.message).not.toContain('c2hvcnQ');
  });

  it('refuses an empty key list', () => {
    expect(thrown(() => sign(MESSAGE, []))).toMatchObject({
      code: 'invalid-secret',
      message: expect.stringMatching(/No keys given/),
    });
  });

  it.each([
    ['an empty id', { id: '' }, 'invalid-message-id', /got an empty string/],
    ['an id with "."', { id: 'msg.1' }, 'invalid-message-id', /has "\." at index 3/],
    ['an id with a space', { id: 'msg 1' }, 'invalid-message-id', /has a space at index 3/],
    ['an id with a line break', { id: 'msg\n1' }, 'invalid-message-id', /has U\+000A at index 3/],
    ['an id with non-ASCII', { id: 'msg_é' }, 'invalid-message-id', /has U\+00E9 at index 4/],
    ['a 257-character id', { id: 'a'.repeat(257) }, 'invalid-message-id', /1 to 256 .*; got 257/],
    ['a negative timestamp', { timestamp: -1 }, 'invalid-timestamp', /non-negative integer.*got -1/],
    ['a fractional timestamp', { timestamp: 1.5 }, 'invalid-timestamp', /got 1\.5/],
    ['milliseconds beyond the safe range', { timestamp: 2 ** 53 }, 'invalid-timestamp', /got 9007199254740992/],
    ['NaN', { timestamp: Number.NaN }, 'invalid-timestamp', /got NaN/],
    ['an invalid Date', { timestamp: new Date('nope') }, 'invalid-timestamp', /an invalid or pre-1970 Date/],
    ['a pre-1970 Date', { timestamp: new Date(-1000) }, 'invalid-timestamp', /an invalid or pre-1970 Date/],
    ['a body that is neither string nor bytes', { body: { a: 1 } }, 'invalid-body', /string or a Buffer/],
  ])('refuses %s with a WebhookMessageError that says the rule', (_case, change, code, message) => {
    const error = thrown(() => sign({ ...MESSAGE, ...change } as typeof MESSAGE, SECRET));
    expect(error).toBeInstanceOf(WebhookMessageError);
    expect(error).toMatchObject({ code });
    expect(error.message).toMatch(/^sign\(\): message\./);
    expect(error.message).toMatch(message);
  });

  it('accepts ids made of any visible ASCII except "."', () => {
    for (const id of [
      'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      '3f1c9a52-8e1b-4f0e-9d7a-2c5b1e0f4a63',
      'a',
      'evt:1,2;x=y/+',
    ]) {
      expect(findMessageProblem({ ...MESSAGE, id })).toBeUndefined();
    }
  });
});

describe('signedContent', () => {
  it('is id.timestamp.body as bytes, with the body bytes unchanged', () => {
    const body = Buffer.from([0x00, 0xff, 0xfe, 0x2e]);
    expect(signedContent({ id: 'msg_1', timestamp: new Date(5999), body })).toEqual(
      Buffer.concat([Buffer.from('msg_1.5.'), body]),
    );
  });

  it('refuses what sign refuses', () => {
    expect(() => signedContent({ ...MESSAGE, id: 'a.b' })).toThrow(WebhookMessageError);
  });
});
