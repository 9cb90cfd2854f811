import { randomBytes } from 'node:crypto';
import {
  generateSecret,
  HookspecError,
  verifyWebhook,
  verifyWebhookMessage,
  WebhookReceiverConfigError,
  WebhookVerificationError,
} from 'hookspec';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BODY, NOW, NOW_SECONDS, SECRET, signedRequest, verificationError } from './signed-request';

const at = { now: NOW };

describe('verifyWebhook: a correctly signed request', () => {
  it('returns the parsed JSON body', () => {
    const { body, headers } = signedRequest();
    expect(verifyWebhook(body, headers, SECRET, at)).toEqual({ type: 'invoice.paid', amount: 4200 });
  });

  it('returns a JSON array or scalar body as it is', () => {
    for (const body of ['[1,2,3]', '"text"', '42', 'null', 'true']) {
      const request = signedRequest({ body });
      expect(verifyWebhook(request.body, request.headers, SECRET, at)).toEqual(JSON.parse(body));
    }
  });

  it('accepts a string body and a Buffer body, multi-byte UTF-8 included', () => {
    const text = '{"note":"café ☕ 𝄞"}';
    const fromString = signedRequest({ body: text });
    const fromBuffer = signedRequest({ body: Buffer.from(text, 'utf8') });
    expect(fromString.signature).toBe(fromBuffer.signature);
    expect(verifyWebhook(text, fromString.headers, SECRET, at)).toEqual({ note: 'café ☕ 𝄞' });
    expect(verifyWebhook(Buffer.from(text, 'utf8'), fromString.headers, SECRET, at)).toEqual({ note: 'café ☕ 𝄞' });
  });

  it('reads only the bytes of a Uint8Array view into a larger buffer', () => {
    const { headers } = signedRequest({ body: '{"ok":true}' });
    const backing = Buffer.from('xxxx{"ok":true}yyyy');
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, 11);
    expect(verifyWebhook(view, headers, SECRET, at)).toEqual({ ok: true });
  });

  it('uses the clock when no `now` is given', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const { body, headers } = signedRequest({ timestamp });
    expect(verifyWebhook(body, headers, SECRET)).toEqual({ type: 'invoice.paid', amount: 4200 });
  });

  it('takes `now` as a Date as well as milliseconds', () => {
    const { body, headers } = signedRequest();
    expect(verifyWebhook(body, headers, SECRET, { now: new Date(NOW) })).toEqual(DEFAULT_BODY);
  });

  it('verifyWebhookMessage also resolves to the id and the timestamp as a Date', async () => {
    const { body, headers, id } = signedRequest();
    await expect(verifyWebhookMessage(body, headers, SECRET, at)).resolves.toEqual({
      id,
      timestamp: new Date(NOW),
      body: { type: 'invoice.paid', amount: 4200 },
    });
  });
});

describe('verifyWebhook: headers', () => {
  const request = signedRequest();
  const expected = { type: 'invoice.paid', amount: 4200 };

  it('accepts the svix-* spellings of the three headers', () => {
    const headers = {
      'svix-id': request.id,
      'svix-timestamp': String(request.timestamp),
      'svix-signature': request.signature,
    };
    expect(verifyWebhook(request.body, headers, SECRET, at)).toEqual(expected);
  });

  it('accepts header names in any casing', () => {
    const headers = {
      'Webhook-Id': request.id,
      'WEBHOOK-TIMESTAMP': String(request.timestamp),
      'webhook-Signature': request.signature,
    };
    expect(verifyWebhook(request.body, headers, SECRET, at)).toEqual(expected);
    const svix = {
      'Svix-Id': request.id,
      'SVIX-Timestamp': String(request.timestamp),
      'svix-SIGNATURE': request.signature,
    };
    expect(verifyWebhook(request.body, svix, SECRET, at)).toEqual(expected);
  });

  it('accepts Node IncomingHttpHeaders, with other headers and undefined values beside them', () => {
    const headers: NodeJS.Dict<string | string[]> = {
      host: 'example.com',
      'content-type': 'application/json',
      'content-length': undefined,
      'set-cookie': ['a=1', 'b=2'],
      ...request.headers,
    };
    expect(verifyWebhook(request.body, headers, SECRET, at)).toEqual(expected);
  });

  it('treats every value of a repeated webhook-signature (string[]) as a candidate', () => {
    const headers = { ...request.headers, 'webhook-signature': [`v1,${'A'.repeat(43)}=`, request.signature] };
    expect(verifyWebhook(request.body, headers, SECRET, at)).toEqual(expected);
  });

  it('uses the first value of a repeated webhook-id or webhook-timestamp', () => {
    const headers = {
      ...request.headers,
      'webhook-id': [request.id, 'msg_other'],
      'webhook-timestamp': [String(request.timestamp), '1'],
    };
    expect(verifyWebhook(request.body, headers, SECRET, at)).toEqual(expected);
  });

  it('accepts a Fetch Headers object, under either spelling', () => {
    expect(verifyWebhook(request.body, new Headers(request.headers), SECRET, at)).toEqual(expected);
    const svix = new Headers({
      'Svix-Id': request.id,
      'Svix-Timestamp': String(request.timestamp),
      'Svix-Signature': request.signature,
    });
    expect(verifyWebhook(request.body, svix, SECRET, at)).toEqual(expected);
  });

  it('refuses with missing-header, naming all three, when none is there', () => {
    const error = verificationError(
      () => verifyWebhook(request.body, { 'content-type': 'application/json' }, SECRET, at),
      'missing-header',
    );
    expect(error.message).toContain('webhook-id, webhook-timestamp, webhook-signature headers');
  });

  it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
    'refuses with missing-header naming only %s when it alone is missing',
    (name) => {
      const headers: Record<string, string> = { ...request.headers };
      delete headers[name];
      const error = verificationError(() => verifyWebhook(request.body, headers, SECRET, at), 'missing-header');
      expect(error.message).toContain(`no ${name} header:`);
    },
  );

  it('names the svix-* header that is missing when the request uses svix-* names', () => {
    const headers = { 'svix-id': request.id, 'svix-timestamp': String(request.timestamp) };
    const error = verificationError(() => verifyWebhook(request.body, headers, SECRET, at), 'missing-header');
    expect(error.message).toContain('no svix-signature header');
  });

  it('refuses a Fetch Headers object without the headers, and no headers at all', () => {
    verificationError(() => verifyWebhook(request.body, new Headers(), SECRET, at), 'missing-header');
    for (const headers of [undefined, null, 'webhook-id: x']) {
      verificationError(() => verifyWebhook(request.body, headers as never, SECRET, at), 'missing-header');
    }
  });
});

describe('verifyWebhook: timestamp', () => {
  function verifyStamped(timestamp: number, options: { toleranceSeconds?: number } = {}) {
    const { body, headers } = signedRequest({ timestamp });
    return verifyWebhook(body, headers, SECRET, { ...at, ...options });
  }

  it.each(['123abc', '-5', '1.5', '', ' 1767225600', '1767225600 ', '1e9', '0x10', '+1767225600', '１２３'])(
    'refuses %j with invalid-timestamp: digits only',
    (timestamp) => {
      const { body, headers } = signedRequest();
      verificationError(
        () => verifyWebhook(body, { ...headers, 'webhook-timestamp': timestamp }, SECRET, at),
        'invalid-timestamp',
      );
    },
  );

  it('refuses a timestamp too long to be a safe integer with invalid-timestamp', () => {
    const { body, headers } = signedRequest();
    verificationError(
      () => verifyWebhook(body, { ...headers, 'webhook-timestamp': '9'.repeat(20) }, SECRET, at),
      'invalid-timestamp',
    );
  });

  it('accepts 299 and 300 seconds either way by default', () => {
    for (const offset of [-300, -299, 299, 300]) expect(verifyStamped(NOW_SECONDS + offset)).toEqual(DEFAULT_BODY);
  });

  it('refuses 301 seconds in the past with timestamp-too-old', () => {
    const error = verificationError(() => verifyStamped(NOW_SECONDS - 301), 'timestamp-too-old');
    expect(error.message).toContain('301 s in the past');
  });

  it('refuses 301 seconds in the future with timestamp-too-new', () => {
    const error = verificationError(() => verifyStamped(NOW_SECONDS + 301), 'timestamp-too-new');
    expect(error.message).toContain('301 s in the future');
  });

  it('refuses a timestamp far from now before it looks at the keys', () => {
    const { body, headers } = signedRequest({ timestamp: 0 });
    verificationError(() => verifyWebhook(body, headers, 'not a secret', at), 'timestamp-too-old');
  });

  it('honours a custom toleranceSeconds both ways', () => {
    expect(verifyStamped(NOW_SECONDS - 10, { toleranceSeconds: 10 })).toEqual(DEFAULT_BODY);
    expect(verifyStamped(NOW_SECONDS + 10, { toleranceSeconds: 10 })).toEqual(DEFAULT_BODY);
    verificationError(() => verifyStamped(NOW_SECONDS - 11, { toleranceSeconds: 10 }), 'timestamp-too-old');
    verificationError(() => verifyStamped(NOW_SECONDS + 11, { toleranceSeconds: 10 }), 'timestamp-too-new');
    expect(verifyStamped(NOW_SECONDS - 3600, { toleranceSeconds: 3600 })).toEqual(DEFAULT_BODY);
  });

  it('with toleranceSeconds 0 accepts only the current second', () => {
    const { body, headers } = signedRequest();
    expect(verifyWebhook(body, headers, SECRET, { now: NOW + 999, toleranceSeconds: 0 })).toEqual(DEFAULT_BODY);
    verificationError(() => verifyStamped(NOW_SECONDS - 1, { toleranceSeconds: 0 }), 'timestamp-too-old');
    verificationError(() => verifyStamped(NOW_SECONDS + 1, { toleranceSeconds: 0 }), 'timestamp-too-new');
  });
});

describe('verifyWebhook: options', () => {
  const { body, headers } = signedRequest({ timestamp: 0 });

  // Every comparison with NaN is false, so a NaN tolerance or clock would let any timestamp through.
  it.each([
    ['toleranceSeconds NaN', { toleranceSeconds: Number.NaN }, 'toleranceSeconds'],
    ['toleranceSeconds from an unset variable', { toleranceSeconds: Number(undefined) }, 'toleranceSeconds'],
    ['a negative toleranceSeconds', { toleranceSeconds: -1 }, 'toleranceSeconds'],
    ['toleranceSeconds as a string', { toleranceSeconds: '300' as never }, 'toleranceSeconds'],
    ['an invalid Date as now', { now: new Date('not a date') }, 'now'],
    ['now NaN', { now: Number.NaN }, 'now'],
    ['seenTtlSeconds NaN', { seenTtlSeconds: Number.NaN }, 'seenTtlSeconds'],
  ])(
    'refuses %s with a HookspecError naming the option, instead of accepting a stale message',
    (_label, options, name) => {
      let thrown: unknown;
      try {
        verifyWebhook(body, headers, SECRET, options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HookspecError);
      expect(thrown).not.toBeInstanceOf(WebhookVerificationError);
      expect((thrown as HookspecError).code).toBe('invalid-option');
      expect(thrown).toBeInstanceOf(WebhookReceiverConfigError);
      expect((thrown as Error).message).toContain(name);
    },
  );

  it('refuses an unknown option with unknown-option and a did-you-mean', () => {
    expect(() => verifyWebhook(body, headers, SECRET, { tolerance: 60 } as never)).toThrow(
      expect.objectContaining({
        code: 'unknown-option',
        message: expect.stringContaining("unknown option 'tolerance' (did you mean 'toleranceSeconds'?)"),
      }),
    );
  });

  it('accepts an infinite toleranceSeconds, an explicit choice to skip the age check', () => {
    expect(verifyWebhook(body, headers, SECRET, { now: NOW, toleranceSeconds: Infinity })).toEqual(DEFAULT_BODY);
  });
});

describe('verifyWebhook: raw body', () => {
  const { headers } = signedRequest();

  it.each([
    ['a parsed object', { type: 'invoice.paid', amount: 4200 }],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('refuses %s with raw-body-required, naming the Express, NestJS and Fastify fixes', (_label, body) => {
    const error = verificationError(() => verifyWebhook(body as never, headers, SECRET, at), 'raw-body-required');
    expect(error.message).toContain('Express: express.raw(');
    expect(error.message).toContain('NestJS: NestFactory.create(AppModule, { rawBody: true })');
    expect(error.message).toContain("Fastify: a content-type parser with { parseAs: 'buffer' }");
  });

  it('checks the body before the headers', () => {
    verificationError(() => verifyWebhook({} as never, {}, SECRET, at), 'raw-body-required');
  });
});

describe('verifyWebhook: keys', () => {
  const { body, headers } = signedRequest();
  const shortSecret = `whsec_${randomBytes(16).toString('base64')}`;

  it.each([
    ['a secret that is not base64', 'whsec_!!!!'],
    ['an empty secret', ''],
    ['a 16-byte secret', shortSecret],
    ['a bare base64 secret', SECRET.slice('whsec_'.length)],
    ['a whpk_ key of the wrong length', 'whpk_AAAA'],
  ])('refuses %s with invalid-secret, without echoing it', (_label, secret) => {
    const error = verificationError(() => verifyWebhook(body, headers, secret, at), 'invalid-secret');
    expect(error.message).toMatch(/^The verification key is unusable: /);
    const material = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
    if (material !== '') expect(error.message).not.toContain(material);
    expect(error.cause).toBeInstanceOf(HookspecError);
  });

  it('says that a 16-byte secret is too short', () => {
    const error = verificationError(() => verifyWebhook(body, headers, shortSecret, at), 'invalid-secret');
    expect(error.message).toContain('decodes to 16 bytes');
  });

  it('names the faulty key of a rotation list by index', () => {
    const error = verificationError(() => verifyWebhook(body, headers, [SECRET, 'whsec_!!!!'], at), 'invalid-secret');
    expect(error.message).toContain('keys[1]:');
  });

  it('refuses an empty key list and a key that is not a string', () => {
    verificationError(() => verifyWebhook(body, headers, [], at), 'invalid-secret');
    verificationError(() => verifyWebhook(body, headers, undefined as never, at), 'invalid-secret');
    verificationError(() => verifyWebhook(body, headers, [42] as never, at), 'invalid-secret');
  });

  it('refuses a wrong but well-formed secret with invalid-signature', () => {
    verificationError(() => verifyWebhook(body, headers, generateSecret(), at), 'invalid-signature');
  });
});

describe('verifyWebhook: body and error messages', () => {
  it('refuses a correctly signed body that is not JSON with invalid-body', () => {
    for (const text of ['not json', '', '{"a":1', '{"a":1}{"b":2}']) {
      const { body, headers } = signedRequest({ body: text });
      verificationError(() => verifyWebhook(body, headers, SECRET, at), 'invalid-body');
    }
  });

  it('never puts the signature or the body in a message', () => {
    const secretBody = '{"card":"4111-1111-1111-1111"}';
    const { signature, headers } = signedRequest({ body: secretBody });
    const encoded = signature.slice('v1,'.length);
    const failures = [
      () => verifyWebhook(secretBody.replace('4111', '4112'), headers, SECRET, at),
      () => verifyWebhook(secretBody, headers, generateSecret(), at),
      () => verifyWebhook(secretBody, { ...headers, 'webhook-timestamp': '1' }, SECRET, at),
      () => verifyWebhook(secretBody, { ...headers, 'webhook-timestamp': 'x' }, SECRET, at),
      () => verifyWebhook(secretBody, { 'webhook-signature': signature }, SECRET, at),
      () => verifyWebhook(secretBody, headers, 'whsec_!!!!', at),
      () => verifyWebhook(JSON.parse(secretBody) as never, headers, SECRET, at),
    ];
    const notJson = signedRequest({ body: 'card 4111-1111-1111-1111' });
    failures.push(() => verifyWebhook(notJson.body, notJson.headers, SECRET, at));
    for (const failure of failures) {
      const error = verificationError(failure);
      for (const text of [encoded, notJson.signature.slice(3), '4111', 'card']) {
        expect(error.message).not.toContain(text);
      }
    }
  });

  it('throws a WebhookVerificationError, a HookspecError named WebhookVerificationError', () => {
    const { body, headers } = signedRequest();
    const error = verificationError(() => verifyWebhook(body, headers, generateSecret(), at), 'invalid-signature');
    expect(error).toBeInstanceOf(HookspecError);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error.name).toBe('WebhookVerificationError');
  });
});
