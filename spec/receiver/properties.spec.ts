import fc from 'fast-check';
import { generateKeyPair, generateSecret, sign, verifyWebhook, WebhookVerificationError } from 'hookspec';
import type { WebhookHeaders } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { NOW, NOW_SECONDS } from './signed-request';

const RUNS = { numRuns: 200 };
const SECRET = generateSecret();
const PAIR = generateKeyPair();
const KEYS = [SECRET, PAIR.publicKey];
const TOLERANCE = 300;
// lib/signing/verify-signature.ts: later entries of a webhook-signature header are not examined.
const MAX_SIGNATURES_EXAMINED = 20;

/** Visible ASCII without ".", the alphabet of a valid message id. */
const idCharacter = fc.integer({ min: 0x21, max: 0x7e }).filter((code) => code !== 0x2e);
const messageId = fc.array(idCharacter, { minLength: 1, maxLength: 64 }).map((codes) => String.fromCharCode(...codes));
const timestamp = fc.integer({ min: NOW_SECONDS - TOLERANCE, max: NOW_SECONDS + TOLERANCE });
const jsonBody = fc.oneof(fc.json(), fc.json({ stringUnit: 'grapheme' }));
const message = fc.record({ id: messageId, timestamp, body: jsonBody, hmac: fc.boolean() });
type Message = { id: string; timestamp: number; body: string; hmac: boolean };

function headersOf(msg: Message): Record<string, string> {
  return {
    'webhook-id': msg.id,
    'webhook-timestamp': String(msg.timestamp),
    'webhook-signature': sign(msg, msg.hmac ? SECRET : PAIR.privateKey),
  };
}

/** The outcome of a verification: the body, or the code of a WebhookVerificationError; anything else is rethrown. */
function outcome(action: () => unknown): { body: unknown } | { code: string } {
  try {
    return { body: action() };
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { code: error.code };
    throw error;
  }
}

/** `v1` / `v1a` entries in `text`: the receiver examines at most MAX_SIGNATURES_EXAMINED entries of a header. */
function entriesBefore(text: string): number {
  return text.split(' ').filter((part) => part.startsWith('v1,') || part.startsWith('v1a,')).length;
}

function replaceAt(text: string, index: number, replacement: string): string {
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe('verifyWebhook, for generated messages', () => {
  it('accepts every correctly signed message within the tolerance and returns its JSON', () => {
    fc.assert(
      fc.property(message, fc.boolean(), (msg, asBuffer) => {
        const body = asBuffer ? Buffer.from(msg.body) : msg.body;
        expect(verifyWebhook(body, headersOf(msg), KEYS, { now: NOW })).toEqual(JSON.parse(msg.body));
      }),
      RUNS,
    );
  });

  it('accepts a timestamp exactly when it is within toleranceSeconds of now', () => {
    fc.assert(
      fc.property(
        message,
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 10 ** 5 }),
        (msg, offset, toleranceSeconds) => {
          const stamped = { ...msg, timestamp: NOW_SECONDS + offset };
          const result = outcome(() =>
            verifyWebhook(msg.body, headersOf(stamped), KEYS, { now: NOW, toleranceSeconds }),
          );
          const expected =
            offset < -toleranceSeconds
              ? 'timestamp-too-old'
              : offset > toleranceSeconds
                ? 'timestamp-too-new'
                : undefined;
          expect('code' in result ? result.code : undefined).toBe(expected);
        },
      ),
      RUNS,
    );
  });

  it('never accepts a change to the body, the id or the timestamp', () => {
    const change = fc.oneof(
      fc.record({ part: fc.constant('body' as const), position: fc.nat(), delta: fc.integer({ min: 1, max: 255 }) }),
      fc.record({
        part: fc.constant('id' as const),
        position: fc.nat(),
        replacement: fc.string({ minLength: 1, maxLength: 2 }),
      }),
      fc.record({
        part: fc.constant('timestamp' as const),
        delta: fc.integer({ min: -1e9, max: 1e9 }).filter((d) => d !== 0),
      }),
    );
    fc.assert(
      fc.property(message, change, (msg, mutation) => {
        const headers = headersOf(msg);
        let body: string | Buffer = msg.body;
        if (mutation.part === 'body') {
          const bytes = Buffer.from(msg.body);
          const index = mutation.position % bytes.length;
          bytes[index] = ((bytes[index] ?? 0) + mutation.delta) % 256;
          body = bytes;
        } else if (mutation.part === 'id') {
          const index = mutation.position % msg.id.length;
          fc.pre(msg.id[index] !== mutation.replacement);
          headers['webhook-id'] = replaceAt(msg.id, index, mutation.replacement);
        } else {
          headers['webhook-timestamp'] = String(msg.timestamp + mutation.delta);
        }
        // A tolerance wide enough that a changed timestamp reaches the signature check.
        const result = outcome(() => verifyWebhook(body, headers, KEYS, { now: NOW, toleranceSeconds: 10 ** 10 }));
        expect(result).toHaveProperty('code');
        expect(['invalid-signature', 'invalid-timestamp']).toContain((result as { code: string }).code);
      }),
      RUNS,
    );
  });

  it('never accepts a changed signature header, and keeps accepting benign header changes', () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('replace-char' as const),
        position: fc.nat(),
        character: fc.string({ minLength: 1, maxLength: 1 }),
      }),
      fc.record({ kind: fc.constant('truncate' as const), position: fc.nat() }),
      fc.record({ kind: fc.constant('prefix' as const), junk: fc.string({ maxLength: 30 }) }),
      fc.record({ kind: fc.constant('other-key' as const) }),
      fc.record({ kind: fc.constant('add-entry' as const), entry: fc.string({ maxLength: 100 }) }),
      fc.record({
        kind: fc.constant('case' as const),
        upper: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      }),
      fc.record({ kind: fc.constant('svix' as const) }),
    );
    fc.assert(
      fc.property(message, mutation, (msg, change) => {
        const headers = headersOf(msg);
        const signature = headers['webhook-signature']!;
        let changed: WebhookHeaders = headers;
        let benign = false;
        switch (change.kind) {
          case 'replace-char': {
            const index = change.position % signature.length;
            fc.pre(signature[index] !== change.character);
            changed = { ...headers, 'webhook-signature': replaceAt(signature, index, change.character) };
            break;
          }
          case 'truncate':
            changed = { ...headers, 'webhook-signature': signature.slice(0, change.position % signature.length) };
            break;
          case 'prefix':
            // Junk glued to the entry changes its version; only junk ending in a space leaves it whole.
            fc.pre(change.junk.length > 0);
            changed = { ...headers, 'webhook-signature': change.junk + signature };
            benign = change.junk.endsWith(' ') && entriesBefore(change.junk) < MAX_SIGNATURES_EXAMINED;
            break;
          case 'other-key':
            changed = {
              ...headers,
              'webhook-signature': sign(msg, msg.hmac ? generateSecret() : generateKeyPair().privateKey),
            };
            break;
          case 'add-entry':
            // Another space-separated entry beside the good one: ignored or tried, never in the way.
            changed = { ...headers, 'webhook-signature': `${change.entry} ${signature}` };
            benign = entriesBefore(change.entry) < MAX_SIGNATURES_EXAMINED;
            break;
          case 'case':
            changed = Object.fromEntries(
              Object.entries(headers).map(([name, value]) => [
                [...name].map((c, i) => (change.upper[i] ? c.toUpperCase() : c)).join(''),
                value,
              ]),
            );
            benign = true;
            break;
          case 'svix':
            changed = Object.fromEntries(
              Object.entries(headers).map(([name, value]) => [name.replace('webhook-', 'svix-'), value]),
            );
            benign = true;
            break;
        }
        const result = outcome(() => verifyWebhook(msg.body, changed, KEYS, { now: NOW }));
        if (benign) expect(result).toEqual({ body: JSON.parse(msg.body) });
        else expect(result).toEqual({ code: 'invalid-signature' });
      }),
      RUNS,
    );
  });

  it('throws nothing but WebhookVerificationError, and accepts nothing, for arbitrary requests', () => {
    const headerValue = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }),
      fc.constant(undefined),
      fc.stringMatching(/^\d{1,20}$/),
      fc.constantFrom('v1,', 'v1a,', `v1,${'A'.repeat(43)}=`, `v1a,${'A'.repeat(86)}==`, ' '.repeat(9000)),
    );
    const headerName = fc.oneof(
      fc.constantFrom(
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'svix-id',
        'svix-timestamp',
        'svix-signature',
      ),
      fc.constantFrom('Webhook-Id', 'WEBHOOK-TIMESTAMP', 'Svix-Signature', '__proto__', 'constructor', 'get'),
      fc.string({ maxLength: 20 }),
    );
    const headers = fc.oneof(
      fc.dictionary(headerName, headerValue, { maxKeys: 8 }),
      fc.record({
        'webhook-id': messageId,
        'webhook-timestamp': fc.constant(String(NOW_SECONDS)),
        'webhook-signature': headerValue,
      }),
    );
    const body = fc.oneof(fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), jsonBody);
    fc.assert(
      fc.property(body, headers, fc.boolean(), (rawBody, requestHeaders, asFetchHeaders) => {
        let given: WebhookHeaders = requestHeaders as WebhookHeaders;
        if (asFetchHeaders) {
          const fetchHeaders = new Headers();
          for (const [name, value] of Object.entries(requestHeaders)) {
            try {
              if (typeof value === 'string') fetchHeaders.append(name, value);
            } catch {
              // Fetch refuses names and values HTTP cannot carry; such a request never reaches a handler.
            }
          }
          given = fetchHeaders;
        }
        const result = outcome(() => verifyWebhook(rawBody, given, KEYS, { now: NOW }));
        expect(result).toHaveProperty('code');
      }),
      RUNS,
    );
  });
});
