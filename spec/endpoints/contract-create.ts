import { describe, expect, it } from 'vitest';
import { generateSecret, generateKeyPair } from '../../lib/signing';
import { parseSecret } from '../../lib/signing';
import { expectRefusal, T0, useStore, type MakeEndpointStore } from './contract-harness';

/** create() and get(): what is stored, what is generated, and every field rule. */
export function describeCreateContract(makeStore: MakeEndpointStore): void {
  const store = useStore(makeStore);
  const url = 'https://hooks.example.com/in';

  describe('create', () => {
    it('generates an ep_ id and a whsec_ secret, and answers the stored endpoint with defaults', async () => {
      const { endpoint, secret } = await store().create({ url }, { now: T0 });
      expect(endpoint).toEqual({
        id: expect.stringMatching(/^ep_[A-Za-z0-9]{24}$/),
        url,
        enabled: true,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(parseSecret(secret)).toHaveLength(32);
      expect(await store().get(endpoint.id)).toEqual(endpoint);
    });

    it('generates a different id and secret for every endpoint', async () => {
      const made = await Promise.all(Array.from({ length: 20 }, () => store().create({ url }, { now: T0 })));
      expect(new Set(made.map((m) => m.endpoint.id)).size).toBe(20);
      expect(new Set(made.map((m) => m.secret)).size).toBe(20);
    });

    it('keeps every field it is given, and the caller id', async () => {
      const input = {
        id: 'acct_1:billing.v2-main',
        owner: 'acct_1',
        url: 'http://hooks.example.com:8080/in?x=1',
        events: ['payment.succeeded', 'invoice_paid'],
        description: 'Billing hooks',
        headers: { 'X-Api-Key': 'k-123' },
        metadata: { team: 'billing', '': 'empty key' },
        enabled: false,
      };
      const { endpoint } = await store().create(input, { now: T0 });
      const { enabled: _, ...fields } = input;
      expect(endpoint).toEqual({ ...fields, enabled: false, createdAt: T0, updatedAt: T0 });
      expect(await store().get(input.id)).toEqual(endpoint);
    });

    it('keeps a whsec_ secret it is given', async () => {
      const secret = generateSecret(24);
      const created = await store().create({ id: 'given', url, secret }, { now: T0 });
      expect(created.secret).toBe(secret);
      expect((await store().endpointById('given'))?.secrets).toEqual([secret]);
    });

    it('is not changed by later changes to the objects it was given', async () => {
      const headers: Record<string, string> = { 'x-team': 'a' };
      const events = ['a.created'];
      await store().create({ id: 'ep1', url, headers, events }, { now: T0 });
      headers['x-team'] = 'changed';
      events.push('b.created');
      expect(await store().get('ep1')).toMatchObject({ headers: { 'x-team': 'a' }, events: ['a.created'] });
      expect(await store().endpointsFor('b.created')).toEqual([]);
    });

    it('refuses a taken id with duplicate-endpoint and keeps the first endpoint', async () => {
      const first = await store().create({ id: 'same', url }, { now: T0 });
      await expectRefusal(
        store().create({ id: 'same', url: 'https://other.example/h' }, { now: T0 + 1 }),
        'duplicate-endpoint',
        /'same' exists already/,
      );
      expect(await store().get('same')).toEqual(first.endpoint);
    });
  });

  describe('create refuses a malformed field with invalid-endpoint, and stores nothing', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['an empty id', { id: '' }, /id must be 1 to 128 letters/],
      ['an id with a space', { id: 'a b' }, /id must be 1 to 128/],
      ['an id of 129 characters', { id: 'x'.repeat(129) }, /id must be 1 to 128/],
      ['an id with a slash', { id: 'a/b' }, /id must be/],
      ['an empty owner', { owner: '' }, /owner must be a non-empty string of at most 128/],
      ['an owner of 129 characters', { owner: 'o'.repeat(129) }, /owner must be/],
      ['an owner that is a number', { owner: 7 }, /owner must be .*got 7/],
      ['no url', { url: undefined }, /url must be the endpoint's http: or https: URL/],
      ['a relative url', { url: '/hooks' }, /the url is not a valid absolute URL/],
      ['an ftp url', { url: 'ftp://example.com/h' }, /only http: and https: URLs receive webhooks, not ftp:/],
      [
        'a url of 2049 characters',
        { url: `https://example.com/${'a'.repeat(2029)}` },
        /url has 2049 characters; the most is 2048/,
      ],
      ['an empty events list', { events: [] }, /events must be a non-empty array of webhook names/],
      ['events that is a string', { events: 'order.paid' }, /events must be a non-empty array/],
      ['an event that is no webhook name', { events: ['ok', 'not ok'] }, /events\[1\] must be a webhook name/],
      ['an event listed twice', { events: ['a', 'a'] }, /events lists 'a' twice/],
      [
        'a description of 1001 characters',
        { description: 'd'.repeat(1001) },
        /description must be a string of at most 1000/,
      ],
      ['metadata that is an array', { metadata: ['x'] }, /metadata must be an object of string keys and values/],
      [
        'metadata of 51 keys',
        { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) },
        /metadata has 51 keys; the most is 50/,
      ],
      [
        'a metadata value of 1001 characters',
        { metadata: { note: 'v'.repeat(1001) } },
        /metadata\['note'\] must be a string of at most 1000 characters, got 1001 characters/,
      ],
      ['a metadata value that is a number', { metadata: { n: 1 } }, /metadata\['n'\] must be a string/],
      [
        'a metadata key of 1001 characters',
        { metadata: { ['k'.repeat(1001)]: 'v' } },
        /metadata has a key of 1001 characters/,
      ],
      ['enabled that is a string', { enabled: 'false' }, /enabled must be true or false/],
      ['headers that is an array', { headers: ['x'] }, /headers must be an object of name: value/],
      [
        'a header name with a space',
        { headers: { 'x key': 'v' } },
        /headers has the name "x key", which is not an HTTP header name/,
      ],
      ['a header value that is a number', { headers: { 'x-n': 1 } }, /headers\['x-n'\] must be a string/],
      ['a misspelt field', { secrte: 'x' }, /unknown option 'secrte' \(did you mean 'secret'\?\)/],
    ];
    it.each(cases)('%s', async (_, fields, message) => {
      await expectRefusal(store().create({ url, ...fields } as never, { now: T0 }), 'invalid-endpoint', message);
      expect((await store().list({})).items).toEqual([]);
    });

    it('accepts the limits themselves: a 2048-character url, 50 metadata keys, a 128-character id and owner', async () => {
      const longUrl = `https://example.com/${'a'.repeat(2028)}`;
      const metadata = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
      const { endpoint } = await store().create(
        { id: 'i'.repeat(128), owner: 'o'.repeat(128), url: longUrl, metadata, description: 'd'.repeat(1000) },
        { now: T0 },
      );
      expect(endpoint).toMatchObject({ url: longUrl, metadata });
      expect(longUrl).toHaveLength(2048);
    });

    it('refuses an endpoint that is not an object', async () => {
      await expectRefusal(
        store().create(null as never, { now: T0 }),
        'invalid-endpoint',
        /the endpoint must be an object/,
      );
    });
  });

  describe('create refuses headers as the client does, never showing a value', () => {
    it.each(['Webhook-Signature', 'webhook-id', 'Content-Type', 'Host', 'Connection', 'Expect', 'Transfer-Encoding'])(
      'reserved-header for %s',
      async (name) => {
        await expectRefusal(
          store().create({ url, headers: { [name]: 'v4lue-kept-secret' } }, { now: T0 }),
          'reserved-header',
          new RegExp(`headers may not set '${name}'`),
          ['v4lue-kept-secret'],
        );
      },
    );

    it.each([
      ['CR LF', 'k3y-s3cret\r\nx-injected: 1'],
      ['a bare LF', 'k3y-s3cret\nmore'],
      ['a NUL', 'k3y-s3cret\0'],
    ])('invalid-endpoint for a value with %s', async (_, value) => {
      await expectRefusal(
        store().create({ url, headers: { 'x-api-key': value } }, { now: T0 }),
        'invalid-endpoint',
        /headers\['x-api-key'\] holds a line break \(CR or LF\) or a NUL/,
        ['k3y-s3cret'],
      );
    });
  });

  describe('every store refuses a NUL character (U+0000) in a field kept as text, which PostgreSQL cannot keep', () => {
    it.each([
      ['owner', { owner: 'acme\0' }],
      ['url', { url: 'https://hooks.example.com/in\0' }],
      ['description', { description: 'for\0people' }],
    ])('create answers invalid-endpoint for one in %s', async (name, fields) => {
      await expectRefusal(
        store().create({ url, ...fields }, { now: T0 }),
        'invalid-endpoint',
        new RegExp(`create\\(\\): ${name} holds a NUL character \\(U\\+0000\\), which no endpoint store keeps`),
      );
      expect((await store().list({})).items).toEqual([]);
    });

    it('update and setEnabled refuse one too, and change nothing', async () => {
      const { endpoint } = await store().create({ id: 'e1', url }, { now: T0 });
      await expectRefusal(
        store().update('e1', { description: 'a\0b' }, { now: T0 + 1 }),
        'invalid-endpoint',
        /description holds a NUL character/,
      );
      await expectRefusal(
        store().setEnabled('e1', false, { now: T0 + 1, reason: 'a\0b' }),
        'invalid-option',
        /reason holds a NUL character/,
      );
      expect(await store().get('e1')).toEqual(endpoint);
    });
  });

  describe('create refuses a secret that cannot sign, never showing it', () => {
    const short = `whsec_${Buffer.alloc(16, 7).toString('base64')}`;
    it.each([
      ['too short a key', short, /secret is not a usable webhook secret .*decodes to 16 bytes/],
      ['no whsec_ prefix', Buffer.alloc(32, 9).toString('base64'), /does not start with "whsec_"/],
      ['broken base64', 'whsec_not*base64*at*all*but*long*enough*to*be*one', /secret is not a usable webhook secret/],
      ['an ed25519 key', generateKeyPair().privateKey, /ed25519 key/],
      ['a number', 42, /it must be a string/],
    ])('%s', async (_, secret, message) => {
      await expectRefusal(store().create({ url, secret } as never, { now: T0 }), 'invalid-endpoint', message, [
        ...(typeof secret === 'string' ? [secret, secret.slice(6, 20)] : []),
      ]);
      expect((await store().list({})).items).toEqual([]);
    });
  });

  describe('create checks its options', () => {
    it('refuses a missing or malformed now with invalid-option', async () => {
      for (const options of [undefined, {}, { now: -1 }, { now: 1.5 }, { now: '2026-01-01' }]) {
        await expectRefusal(
          store().create({ url }, options as never),
          'invalid-option',
          /now must be the time in epoch milliseconds|needs an options object/,
        );
      }
    });

    it('refuses an unknown option with unknown-option and a did-you-mean', async () => {
      await expectRefusal(store().create({ url }, { now: T0, nwo: 1 } as never), 'unknown-option', /'nwo'/);
    });
  });

  describe('get', () => {
    it('answers undefined for an unknown id', async () => {
      expect(await store().get('ep_nothing')).toBeUndefined();
    });

    it('never answers a secret', async () => {
      const { endpoint, secret } = await store().create({ url }, { now: T0 });
      const got = await store().get(endpoint.id);
      expect(Object.keys(got ?? {}).sort()).toEqual(['createdAt', 'enabled', 'id', 'updatedAt', 'url']);
      expect(JSON.stringify(got)).not.toContain(secret.slice(6));
    });
  });
}
