import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lease, MessageRecord, NewDelivery } from '../../../lib/delivery';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

/**
 * What the BullMQ history keeps in Redis, seen from Redis itself: every index entry goes with its message,
 * an erased payload leaves no copy behind, and a page reads what it lists, not the whole history.
 */
describe.runIf(redisAvailable())('BullMqQueue history in Redis', { timeout: 60_000 }, () => {
  let redis: TestRedis;
  let raw: Redis;
  let queue: BullMqQueue;
  let name: string;

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis({ host: redis.host, port: redis.port });
  });
  afterEach(async () => {
    await queue?.close();
  });
  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  const open = (options: { retainFinished?: number } = {}): BullMqQueue => {
    name = `history-${randomUUID()}`;
    queue = new BullMqQueue({ connection: { host: redis.host, port: redis.port }, name, ...options });
    return queue;
  };
  /** The keys hookspec keeps for this queue (KEYS is fine in a test, on a Redis of its own). */
  const hookspecKeys = async (): Promise<string[]> => (await raw.keys(`hookspec:${name}:hookspec:*`)).sort();
  const key = (rest: string): string => `hookspec:${name}:hookspec:${rest}`;

  const T = Date.now() - 60_000;
  const message = (id: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
    id,
    event: 'order.paid',
    body: JSON.stringify({ id }),
    createdAt: T,
    ...extra,
  });
  const to = (endpointId: string, extra: Partial<NewDelivery> = {}): NewDelivery => ({
    endpointId,
    url: 'https://example.com/hooks',
    nextAttemptAt: T,
    ...extra,
  });
  const attempt = (status: number) => ({ attempt: 1, startedAt: T + 1_000, durationMs: 5, status });
  const leaseAll = (): Promise<Lease[]> => queue.lease({ now: Date.now(), limit: 100, leaseMs: 30_000 });

  // Ids that need every kind of encoding: the Lua side must name keys as encodeURIComponent does.
  const odd = {
    owner: "ac:me/ünï %41 'x'",
    event: 'order paid:ö',
    endpoints: ['ep:1 ☕', "e(2)*!~'_.-"],
    id: 'msg:1 %/☕',
  };

  it('names index keys with percent-encoded owners, events and endpoints, and prune leaves none behind', async () => {
    open();
    await queue.enqueue(
      message(odd.id, { owner: odd.owner, event: odd.event }),
      odd.endpoints.map((e) => to(e)),
    );
    await queue.enqueue(message('plain'), [to('e3', { status: 'disabled' })]);
    const leases = new Map((await leaseAll()).map((lease) => [lease.delivery.endpointId, lease]));
    expect([...leases.keys()].sort()).toEqual([...odd.endpoints].sort());
    const settle = (endpointId: string | undefined, status: number, outcome: 'delivered' | 'exhausted') =>
      queue.settle(leases.get(endpointId as string) as Lease, attempt(status), { status: outcome });
    expect(await settle(odd.endpoints[0], 200, 'delivered')).toBe(true);
    expect(await settle(odd.endpoints[1], 500, 'exhausted')).toBe(true);

    const enc = encodeURIComponent;
    const [ep1, ep2] = odd.endpoints.map(enc) as [string, string];
    expect(await hookspecKeys()).toEqual(
      [
        `a:${enc(odd.id)}|${ep1}`,
        `a:${enc(odd.id)}|${ep2}`,
        'finished',
        'ix:all',
        `ix:ep=${ep1}:delivered`,
        `ix:ep=${ep1}:ok`,
        `ix:ep=${ep2}:exhausted`,
        `ix:ep=${ep2}:ko`,
        'ix:ep=e3:disabled',
        'ix:o-',
        'ix:o-:e=order.paid',
        `ix:o=${enc(odd.owner)}`,
        `ix:o=${enc(odd.owner)}:e=${enc(odd.event)}`,
        `m:${enc(odd.id)}`,
        'm:plain',
        'pending',
      ]
        .map(key)
        .sort(),
    );
    const page = await queue.queryMessages({ owner: odd.owner, event: odd.event, endpointId: odd.endpoints[1] });
    expect(page.items.map((item) => item.message.id)).toEqual([odd.id]);

    expect(await queue.prune({ keepMessages: 0 })).toBe(2);
    // Only the pending counter is left: every sorted set emptied is gone.
    expect(await hookspecKeys()).toEqual([key('pending')]);
    expect(await raw.get(key('pending'))).toBe('0');
  });

  it('drops a message retention removes from every index, with its attempt logs', async () => {
    open({ retainFinished: 1 });
    for (const id of ['m1', 'm2']) await queue.enqueue(message(id, { owner: 'acme' }), [to('e1')]);
    for (const lease of await leaseAll()) await queue.settle(lease, attempt(200), { status: 'delivered' });
    const kept = (await queue.getMessage('m1')) ? 'm1' : 'm2';
    expect(await queue.getMessage(kept === 'm1' ? 'm2' : 'm1')).toBeUndefined();
    expect((await queue.queryMessages({ owner: 'acme' })).items.map((item) => item.message.id)).toEqual([kept]);
    expect(await raw.zcard(key('ix:ep=e1:delivered'))).toBe(1);
    expect(await raw.zcard(key('ix:ep=e1:ok'))).toBe(1);
    expect((await hookspecKeys()).filter((k) => k.includes(':a:') || k.includes(':m:'))).toEqual(
      [`a:${kept}|e1`, `m:${kept}`].map(key).sort(),
    );
  });

  it("lists an endpoint's messages newest first from its state sets, merged across pages", async () => {
    open();
    // Created in this order, ending in five different states; 'later' is not due for an hour.
    const plan = [
      ['d1', 'delivered'],
      ['x1', 'exhausted'],
      ['off', 'disabled'],
      ['d2', 'delivered'],
      ['later', 'pending'],
      ['x2', 'exhausted'],
      ['d3', 'delivered'],
    ] as const;
    for (const [i, [id, state]] of plan.entries()) {
      await queue.enqueue(message(id, { createdAt: T + i }), [
        to('e1', {
          ...(state === 'disabled' ? { status: 'disabled' as const } : {}),
          ...(state === 'pending' ? { nextAttemptAt: Date.now() + 3_600_000 } : {}),
        }),
      ]);
    }
    const outcome = new Map<string, string>(plan);
    for (const lease of await leaseAll()) {
      const state = outcome.get(lease.message.id) as 'delivered' | 'exhausted';
      await queue.settle(lease, attempt(state === 'delivered' ? 200 : 500), { status: state });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await queue.queryMessages({ endpointId: 'e1', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.message.id));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(plan.map(([id]) => id).reverse());
    expect(await raw.exists(key('ix:ep=e1'))).toBe(0);
  });

  it('reads, queries and drops a message an earlier version filed in ix:done and ix:ep=<endpoint>', async () => {
    open();
    await queue.enqueue(message('old', { owner: 'acme' }), [to('e1')]);
    const [lease] = await leaseAll();
    await queue.settle(lease as Lease, attempt(200), { status: 'delivered' });
    // What the earlier layout held beside today's: the id and a zero scheduleBase in the hash, and the
    // message in the finished index by createdAt and in the endpoint's own index.
    const sk = (await raw.hget(key('m:old'), 'sk')) as string;
    await raw.hset(key('m:old'), 'id', 'old', 'b:e1', '0');
    await raw.zadd(key('ix:done'), 0, sk);
    await raw.zadd(key('ix:ep=e1'), 0, sk);

    const view = await queue.getMessage('old');
    expect(view?.message).toEqual(message('old', { owner: 'acme' }));
    expect(view?.deliveries).toMatchObject([{ endpointId: 'e1', status: 'delivered', scheduleBase: 0 }]);
    const page = await queue.queryMessages({ endpointId: 'e1', owner: 'acme' });
    expect(page.items.map((item) => item.message.id)).toEqual(['old']);

    expect(await queue.prune({ keepMessages: 0 })).toBe(1);
    expect(await hookspecKeys()).toEqual([key('pending')]);
  });

  it('prunes a finished message behind more unfinished ones than one call looks at', async () => {
    open();
    const count = 1_100;
    for (let start = 0; start < count; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          queue.enqueue(message(`u${String(start + i).padStart(5, '0')}`, { createdAt: T + start + i }), [
            to('e1', { nextAttemptAt: Date.now() + 3_600_000 }),
          ]),
        ),
      );
    }
    await queue.enqueue(message('done', { createdAt: T + count }), [to('e2', { status: 'disabled' })]);
    expect(await queue.prune({ olderThan: T + count + 1 })).toBe(1);
    expect(await queue.getMessage('done')).toBeUndefined();
    expect(await queue.countPending()).toBe(count);
  });

  it('erases a payload everywhere Redis held it, the BullMQ jobs included', async () => {
    open();
    const secret = `secret-${randomUUID()}`;
    await queue.enqueue(message('m1', { body: JSON.stringify({ secret }) }), [
      to('now'),
      to('later', { nextAttemptAt: Date.now() + 3_600_000 }),
    ]);
    expect(await valuesHolding(secret)).not.toEqual([]);
    expect(await queue.erasePayload('m1', { now: Date.now() })).toBe(true);
    expect(await valuesHolding(secret)).toEqual([]);
    expect(await raw.llen(`hookspec:${name}:wait`)).toBe(0);
    expect(await raw.zcard(`hookspec:${name}:delayed`)).toBe(0);
    expect(await raw.zcard(key('ix:ep=now:cancelled'))).toBe(1);
    expect(await raw.exists(key('ix:ep=now:pending'))).toBe(0);
  });

  it('reads a bounded number of entries for a page among many messages', async () => {
    open();
    const count = 4_500;
    for (let start = 0; start < count; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const n = start + i;
          const owner = n % 2 === 0 ? 'acme' : 'globex';
          return queue.enqueue(message(`m${String(n).padStart(5, '0')}`, { owner, createdAt: T + n }), [
            to(`ep-${owner}`, { nextAttemptAt: Date.now() + 3_600_000 }),
          ]);
        }),
      );
    }
    await raw.config('RESETSTAT');
    const page = await queue.queryMessages({ owner: 'acme', limit: 10 });
    expect(page.items.map((item) => item.message.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `m${String(count - 2 - 2 * i).padStart(5, '0')}`),
    );
    const stats = await commandCalls();
    // Ten messages and a look at the eleventh: never the 2,250 in the owner's index.
    expect(stats.hgetall).toBe(10);
    expect(stats.exists).toBe(11);
    expect(stats.zrange).toBe(1);

    // A filter without an index of its own (status without an endpoint) walks at most 4 × 1,000 entries
    // per page, and says where to go on.
    await raw.config('RESETSTAT');
    const sparse = await queue.queryMessages({ status: 'exhausted', limit: 10 });
    expect(sparse.items).toEqual([]);
    expect(typeof sparse.nextCursor).toBe('string');
    expect((await commandCalls()).exists).toBe(4_000);
    expect(await queue.queryMessages({ status: 'exhausted', cursor: sparse.nextCursor as string })).toEqual({
      items: [],
    });
  });

  /** Calls per command since the last RESETSTAT, scripts' calls included (INFO commandstats). */
  async function commandCalls(): Promise<Record<string, number>> {
    const info = await raw.info('commandstats');
    const calls: Record<string, number> = {};
    for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) calls[match[1] as string] = Number(match[2]);
    return calls;
  }

  /** The keys of any type whose value (or a field or element of it) holds `text`. */
  async function valuesHolding(text: string): Promise<string[]> {
    const found: string[] = [];
    for (const k of await raw.keys(`hookspec:${name}:*`)) {
      const type = await raw.type(k);
      const values =
        type === 'hash'
          ? Object.values(await raw.hgetall(k))
          : type === 'list'
            ? await raw.lrange(k, 0, -1)
            : type === 'string'
              ? [(await raw.get(k)) ?? '']
              : type === 'stream'
                ? JSON.stringify(await raw.xrange(k, '-', '+'))
                : type === 'zset'
                  ? await raw.zrange(k, 0, -1)
                  : [];
      if ([values].flat().some((value) => value.includes(text))) found.push(k);
    }
    return found;
  }
});
