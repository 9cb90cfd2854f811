import { generateSecret, MemorySeenStore, parseWebhook, verifyWebhook, verifyWebhookMessage } from 'hookspec';
import type { SeenStore } from 'hookspec';
import { describe, expect, it } from 'vitest';
import { Subscription } from '../client/fixtures';
import { NOW, NOW_SECONDS, SECRET, signedRequest, verificationRejection } from './signed-request';

const BODY = { type: 'invoice.paid', amount: 4200 };

/** A clock for a MemorySeenStore, moved by hand. */
function manualClock(start = NOW): { now: () => number; advance: (seconds: number) => void } {
  let current = start;
  return { now: () => current, advance: (seconds) => (current += seconds * 1000) };
}

describe('verifyWebhook with a seen store', () => {
  it('returns a Promise of the body', async () => {
    const { body, headers } = signedRequest();
    const result = verifyWebhook(body, headers, SECRET, { now: NOW, seen: new MemorySeenStore() });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toEqual(BODY);
  });

  it('refuses the same webhook-id a second time with replayed, naming the id', async () => {
    const seen = new MemorySeenStore();
    const { body, headers, id } = signedRequest();
    await verifyWebhook(body, headers, SECRET, { now: NOW, seen });
    const error = await verificationRejection(
      Promise.resolve(verifyWebhook(body, headers, SECRET, { now: NOW, seen })),
      'replayed',
    );
    expect(error.message).toContain(id);
  });

  it('refuses a re-signed message that reuses an id (a retry arriving twice)', async () => {
    const seen = new MemorySeenStore();
    const first = signedRequest({ id: 'msg_retry' });
    const retry = signedRequest({ id: 'msg_retry', timestamp: NOW_SECONDS + 5 });
    await verifyWebhook(first.body, first.headers, SECRET, { now: NOW, seen });
    await verificationRejection(
      Promise.resolve(verifyWebhook(retry.body, retry.headers, SECRET, { now: NOW + 5000, seen })),
      'replayed',
    );
  });

  it('accepts different ids', async () => {
    const seen = new MemorySeenStore();
    for (const id of ['msg_a', 'msg_b', 'msg_c']) {
      const { body, headers } = signedRequest({ id });
      await expect(verifyWebhook(body, headers, SECRET, { now: NOW, seen })).resolves.toEqual(BODY);
    }
  });

  it('rejects the Promise, rather than throwing, when verification fails', async () => {
    const { body, headers } = signedRequest();
    const options = { now: NOW, seen: new MemorySeenStore() };
    let result: unknown;
    expect(() => (result = verifyWebhook(body, headers, generateSecret(), options))).not.toThrow();
    await verificationRejection(result as Promise<unknown>, 'invalid-signature');
    expect(() => (result = verifyWebhook({} as never, headers, SECRET, options))).not.toThrow();
    await verificationRejection(result as Promise<unknown>, 'raw-body-required');
  });

  it('lets one of two concurrent deliveries of an id through', async () => {
    const seen = new MemorySeenStore();
    const { body, headers } = signedRequest();
    const results = await Promise.allSettled(
      [1, 2].map(() => verifyWebhook(body, headers, SECRET, { now: NOW, seen })),
    );
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('verifyWebhookMessage and parseWebhook use the store too', async () => {
    const seen = new MemorySeenStore();
    const first = signedRequest({ id: 'msg_message' });
    await verifyWebhookMessage(first.body, first.headers, SECRET, { now: NOW, seen });
    await verificationRejection(
      verifyWebhookMessage(first.body, first.headers, SECRET, { now: NOW, seen }),
      'replayed',
    );

    const event = signedRequest({
      id: 'msg_parse',
      body: '{"username":"ada","monthly_fee":1,"start_date":"2026-01-01T00:00:00.000Z"}',
    });
    await expect(
      parseWebhook(Subscription, event.body, event.headers, SECRET, { now: NOW, seen }),
    ).resolves.toBeInstanceOf(Subscription);
    await verificationRejection(
      parseWebhook(Subscription, event.body, event.headers, SECRET, { now: NOW, seen }),
      'replayed',
    );
  });
});

describe('a failed verification records nothing (ids cannot be poisoned)', () => {
  it.each([
    ['a wrong signature', { 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` }, 'invalid-signature'],
    ['a stale timestamp', { 'webhook-timestamp': String(NOW_SECONDS - 3600) }, 'timestamp-too-old'],
    ['a malformed timestamp', { 'webhook-timestamp': 'soon' }, 'invalid-timestamp'],
  ] as const)('%s first, then the genuine message with that id is accepted', async (_label, forged, code) => {
    const seen = new MemorySeenStore();
    const genuine = signedRequest({ id: 'msg_target' });
    await verificationRejection(
      Promise.resolve(verifyWebhook(genuine.body, { ...genuine.headers, ...forged }, SECRET, { now: NOW, seen })),
      code,
    );
    await expect(verifyWebhook(genuine.body, genuine.headers, SECRET, { now: NOW, seen })).resolves.toEqual(BODY);
  });

  it('a forged body under a genuine id does not block the genuine message', async () => {
    const seen = new MemorySeenStore();
    const genuine = signedRequest({ id: 'msg_target' });
    await verificationRejection(
      Promise.resolve(verifyWebhook('{"amount":1}', genuine.headers, SECRET, { now: NOW, seen })),
      'invalid-signature',
    );
    await expect(verifyWebhook(genuine.body, genuine.headers, SECRET, { now: NOW, seen })).resolves.toEqual(BODY);
  });

  it('a signed body that is not JSON is not recorded', async () => {
    const seen = new MemorySeenStore();
    const notJson = signedRequest({ id: 'msg_twice', body: 'not json' });
    for (let attempt = 0; attempt < 2; attempt++) {
      await verificationRejection(
        Promise.resolve(verifyWebhook(notJson.body, notJson.headers, SECRET, { now: NOW, seen })),
        'invalid-body',
      );
    }
  });
});

describe('MemorySeenStore', () => {
  it('remembers an id: true the first time, false after', () => {
    const store = new MemorySeenStore();
    expect(store.remember('a', 60)).toBe(true);
    expect(store.remember('a', 60)).toBe(false);
    expect(store.remember('b', 60)).toBe(true);
  });

  it('forgets an id when its TTL has passed', () => {
    const clock = manualClock();
    const store = new MemorySeenStore({}, clock.now);
    expect(store.remember('a', 60)).toBe(true);
    clock.advance(59);
    expect(store.remember('a', 60)).toBe(false);
    clock.advance(2);
    expect(store.remember('a', 60)).toBe(true);
    expect(store.remember('a', 60)).toBe(false);
  });

  it('keeps the id for twice toleranceSeconds by default', async () => {
    const clock = manualClock();
    const seen = new MemorySeenStore({}, clock.now);
    const verifyAt = (offsetSeconds: number) => {
      const { body, headers } = signedRequest({ id: 'msg_ttl', timestamp: NOW_SECONDS + offsetSeconds });
      return Promise.resolve(
        verifyWebhook(body, headers, SECRET, { now: NOW + offsetSeconds * 1000, seen, toleranceSeconds: 10 }),
      );
    };
    await expect(verifyAt(0)).resolves.toEqual(BODY);
    clock.advance(19);
    await verificationRejection(verifyAt(19), 'replayed');
    clock.advance(2);
    await expect(verifyAt(21)).resolves.toEqual(BODY);
  });

  it('keeps the id for seenTtlSeconds when given, when that outlasts the message', async () => {
    const clock = manualClock();
    const seen = new MemorySeenStore({}, clock.now);
    // The message verifies for 2 s (its second and the tolerance's one): 5 s covers it.
    const options = { now: NOW, seen, seenTtlSeconds: 5, toleranceSeconds: 1 };
    const { body, headers } = signedRequest();
    await verifyWebhook(body, headers, SECRET, options);
    clock.advance(4);
    await verificationRejection(Promise.resolve(verifyWebhook(body, headers, SECRET, options)), 'replayed');
    clock.advance(2);
    await expect(verifyWebhook(body, headers, SECRET, options)).resolves.toEqual(BODY);
  });

  it('evicts the oldest ids beyond maxEntries', () => {
    const store = new MemorySeenStore({ maxEntries: 2 });
    expect(['a', 'b', 'c'].map((id) => store.remember(id, 60))).toEqual([true, true, true]);
    expect(store.remember('c', 60)).toBe(false);
    expect(store.remember('b', 60)).toBe(false);
    expect(store.remember('a', 60)).toBe(true);
    // Remembering a again pushed out b, the oldest left.
    expect(store.remember('b', 60)).toBe(true);
  });

  it('drops expired ids as it goes, so live ones are not evicted for them', () => {
    const clock = manualClock();
    const store = new MemorySeenStore({ maxEntries: 2 }, clock.now);
    store.remember('old', 10);
    clock.advance(11);
    store.remember('x', 60);
    store.remember('y', 60);
    expect(store.remember('x', 60)).toBe(false);
    expect(store.remember('y', 60)).toBe(false);
  });

  it('stays within maxEntries over many ids', () => {
    const store = new MemorySeenStore({ maxEntries: 100 });
    for (let n = 0; n < 1000; n++) store.remember(`msg_${n}`, 60);
    expect(store.remember('msg_999', 60)).toBe(false);
    expect(store.remember('msg_900', 60)).toBe(false);
    expect(store.remember('msg_899', 60)).toBe(true);
  });
});

describe('an asynchronous SeenStore', () => {
  class AsyncStore implements SeenStore {
    readonly calls: [string, number][] = [];
    private readonly ids = new Set<string>();

    async remember(id: string, ttlSeconds: number): Promise<boolean> {
      this.calls.push([id, ttlSeconds]);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.ids.has(id)) return false;
      this.ids.add(id);
      return true;
    }
  }

  it('is awaited: accepted once, then replayed', async () => {
    const seen = new AsyncStore();
    const { body, headers, id } = signedRequest();
    await expect(verifyWebhook(body, headers, SECRET, { now: NOW, seen })).resolves.toEqual(BODY);
    await verificationRejection(Promise.resolve(verifyWebhook(body, headers, SECRET, { now: NOW, seen })), 'replayed');
    expect(seen.calls).toEqual([
      [id, 600],
      [id, 600],
    ]);
  });

  it('is not consulted when verification fails', async () => {
    const seen = new AsyncStore();
    const { body, headers } = signedRequest();
    await verificationRejection(
      Promise.resolve(verifyWebhook(body, headers, generateSecret(), { now: NOW, seen })),
      'invalid-signature',
    );
    expect(seen.calls).toEqual([]);
  });

  it('passes its own failure through', async () => {
    const broken: SeenStore = { remember: () => Promise.reject(new Error('redis is down')) };
    const { body, headers } = signedRequest();
    await expect(verifyWebhook(body, headers, SECRET, { now: NOW, seen: broken })).rejects.toThrow('redis is down');
  });
});
