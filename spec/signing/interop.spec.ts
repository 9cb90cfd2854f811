import { verify as cryptoVerify } from 'node:crypto';
import { generateKeyPair, generateSecret, sign, verifySignature } from 'hookspec';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, signedContent } from '../../lib/signing';

// Both reference libraries check the timestamp against the clock (5 minutes either way), so every
// message here is stamped now.
function freshMessage(body = '{"type":"payment.succeeded","data":{"amount":4200,"note":"café ☕"}}') {
  return { id: `msg_${Math.random().toString(36).slice(2)}`, timestamp: Math.floor(Date.now() / 1000), body };
}

function headers(message: { id: string; timestamp: number }, signature: string): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signature,
  };
}

describe('the published Standard Webhooks HMAC test vector', () => {
  // standard-webhooks/standard-webhooks, libraries/javascript/src/webhook.test.ts, "sign function works".
  const vector = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const signature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

  it('is reproduced by sign', () => {
    expect(sign(vector, secret)).toBe(signature);
  });

  it('is accepted by verifySignature', () => {
    expect(verifySignature(vector, signature, secret)).toBe(true);
  });
});

describe('hookspec -> reference libraries', () => {
  it('a v1 signature from sign verifies with the standardwebhooks package', () => {
    const secret = generateSecret();
    const message = freshMessage();
    const webhook = new StandardWebhook(secret);
    expect(webhook.verify(message.body, headers(message, sign(message, secret)))).toEqual(JSON.parse(message.body));
  });

  it('a v1 signature over a Buffer body verifies with the standardwebhooks package', () => {
    const secret = generateSecret(64);
    const message = { ...freshMessage(), body: Buffer.from('{"ok":true}') };
    const signature = sign(message, secret);
    expect(new StandardWebhook(secret).verify(message.body, headers(message, signature))).toEqual({ ok: true });
  });

  it('a v1 signature from sign verifies with svix, under webhook-* and svix-* headers', () => {
    const secret = generateSecret(24);
    const message = freshMessage();
    const signature = sign(message, secret);
    const webhook = new SvixWebhook(secret);
    expect(webhook.verify(message.body, headers(message, signature))).toEqual(JSON.parse(message.body));
    expect(
      webhook.verify(message.body, {
        'svix-id': message.id,
        'svix-timestamp': String(message.timestamp),
        'svix-signature': signature,
      }),
    ).toEqual(JSON.parse(message.body));
  });

  it('a rotation header (two secrets) verifies with the reference libraries under either secret', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const message = freshMessage();
    const signature = sign(message, [oldSecret, newSecret]);
    for (const secret of [oldSecret, newSecret]) {
      expect(() => new StandardWebhook(secret).verify(message.body, headers(message, signature))).not.toThrow();
      expect(() => new SvixWebhook(secret).verify(message.body, headers(message, signature))).not.toThrow();
    }
  });

  it('the reference libraries skip a v1a entry next to a v1 entry, as the spec asks of unknown versions', () => {
    const secret = generateSecret();
    const message = freshMessage();
    const signature = sign(message, [generateKeyPair().privateKey, secret]);
    expect(signature).toMatch(/^v1a,\S+ v1,\S+$/);
    expect(() => new StandardWebhook(secret).verify(message.body, headers(message, signature))).not.toThrow();
    expect(() => new SvixWebhook(secret).verify(message.body, headers(message, signature))).not.toThrow();
  });

  it('the reference libraries reject a signature made with another secret', () => {
    const message = freshMessage();
    const signature = sign(message, generateSecret());
    expect(() => new StandardWebhook(generateSecret()).verify(message.body, headers(message, signature))).toThrow(
      /No matching signature found/,
    );
  });
});

describe('reference libraries -> hookspec', () => {
  it('a signature from standardwebhooks sign() verifies with verifySignature', () => {
    const secret = generateSecret();
    const message = freshMessage();
    const signature = new StandardWebhook(secret).sign(message.id, new Date(message.timestamp * 1000), message.body);
    expect(verifySignature(message, signature, secret)).toBe(true);
  });

  it('a signature from standardwebhooks sign() with a fractional Date matches ours (both floor to seconds)', () => {
    const secret = generateSecret();
    const date = new Date(1700000000999);
    const message = { id: 'msg_1', timestamp: date, body: 'x' };
    const signature = new StandardWebhook(secret).sign(message.id, date, message.body);
    expect(signature).toBe(sign(message, secret));
    expect(verifySignature({ ...message, timestamp: 1700000000 }, signature, secret)).toBe(true);
  });

  it('a signature from svix sign() verifies with verifySignature', () => {
    const secret = generateSecret();
    const message = freshMessage();
    const signature = new SvixWebhook(secret).sign(message.id, new Date(message.timestamp * 1000), message.body);
    expect(verifySignature(message, signature, secret)).toBe(true);
  });

  it('a svix signature over a Buffer body verifies with verifySignature given the same bytes', () => {
    const secret = generateSecret();
    const message = { ...freshMessage(), body: Buffer.from('{"emoji":"🎉"}') };
    const signature = new SvixWebhook(secret).sign(message.id, new Date(message.timestamp * 1000), message.body);
    expect(verifySignature(message, signature, secret)).toBe(true);
  });
});

describe('v1a (ed25519)', () => {
  it('a v1a signature from sign verifies with node:crypto directly, over id.timestamp.body', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const message = freshMessage();
    const header = sign(message, privateKey);
    expect(header).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
    const signature = Buffer.from(header.slice('v1a,'.length), 'base64');
    const content = Buffer.from(`${message.id}.${message.timestamp}.${message.body}`, 'utf8');
    expect(cryptoVerify(null, content, parsePublicKey(publicKey), signature)).toBe(true);
    expect(signedContent(message)).toEqual(content);
  });

  it('a v1a signature from sign verifies with verifySignature under the whpk_ key, or the whsk_ key', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const message = freshMessage();
    const signature = sign(message, privateKey);
    expect(verifySignature(message, signature, publicKey)).toBe(true);
    expect(verifySignature(message, signature, privateKey)).toBe(true);
    expect(verifySignature(message, signature, generateKeyPair().publicKey)).toBe(false);
  });

  it('a v1a signature does not verify against an HMAC secret, nor a v1 signature against a public key', () => {
    const { privateKey, publicKey } = generateKeyPair();
    const secret = generateSecret();
    const message = freshMessage();
    expect(verifySignature(message, sign(message, privateKey), secret)).toBe(false);
    expect(verifySignature(message, sign(message, secret), publicKey)).toBe(false);
  });
});
