import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../../lib/delivery/delivery-records';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

const LEASE_MS = 5_000;
const URL = 'http://127.0.0.1:9/hook';

// A first lease reads the job's own data, and a settlement takes the next job: these check that neither
// hands out anything the stored message and delivery would not.
describe.runIf(redisAvailable())('BullMqQueue first leases and prefetched jobs', () => {
  let redis: TestRedis;
  let queue: BullMqQueue;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await queue?.close();
  });

  const open = (name = `first-lease-${randomUUID()}`): BullMqQueue =>
    (queue = new BullMqQueue({
      connection: { host: redis.host, port: redis.port },
      name,
      stalledIntervalMs: 250,
      pollIntervalMs: 60_000,
    }));
  const message = (id: string, body: string) => ({ id, event: 'order.placed', body, createdAt: 1_000 });
  const lease = (q: BullMqQueue, limit = 10) => q.lease({ now: Date.now(), limit, leaseMs: LEASE_MS });
  const attempt = (): AttemptRecord => ({ attempt: 1, startedAt: Date.now(), durationMs: 3, status: 200 });

  it('hands out the stored message, not a refused duplicate, while the first is pending', async () => {
    const q = open();
    await q.enqueue(message('m1', 'first'), [{ endpointId: 'e1', url: URL, nextAttemptAt: Date.now() }]);
    await expect(
      q.enqueue(message('m1', 'second'), [{ endpointId: 'e1', url: URL, nextAttemptAt: Date.now() }]),
    ).rejects.toMatchObject({ code: 'duplicate-message' });
    const leases = await lease(q);
    expect(leases.map((l) => l.message.body)).toEqual(['first']);
    expect(leases[0]?.delivery.attempts).toEqual([]);
  });

  it('delivers nothing for a refused duplicate of a message whose delivery ended', async () => {
    const q = open();
    await q.enqueue(message('m1', 'first'), [{ endpointId: 'e1', url: URL, nextAttemptAt: Date.now() }]);
    const [first] = await lease(q);
    expect(await q.settle(first!, attempt(), { status: 'delivered' })).toBe(true);
    await expect(
      q.enqueue(message('m1', 'second'), [{ endpointId: 'e1', url: URL, nextAttemptAt: Date.now() }]),
    ).rejects.toMatchObject({ code: 'duplicate-message' });
    expect(await lease(q)).toEqual([]);
    const view = await q.getMessage('m1');
    expect(view?.message.body).toBe('first');
    expect(view?.deliveries.map((d) => [d.status, d.attempts.length])).toEqual([['delivered', 1]]);
    expect(await q.countPending()).toBe(0);
  });

  it('hands out the job a settlement took next, in order, leased no longer than its lock', async () => {
    const q = open();
    const now = Date.now();
    for (const id of ['a', 'b', 'c']) {
      await q.enqueue(message(id, `body ${id}`), [{ endpointId: 'e1', url: URL, nextAttemptAt: now }]);
    }
    const [a] = await lease(q, 1);
    expect(a?.message.id).toBe('a');
    expect(await q.settle(a!, attempt(), { status: 'delivered' })).toBe(true);
    // The settle took b; a stale second settle of a's lease must neither record nor move it.
    expect(await q.settle(a!, attempt(), { status: 'exhausted' })).toBe(false);
    // The lease's own `now`, so that the bound below does not depend on the clock ticking in between.
    const before = Date.now();
    const next = await q.lease({ now: before, limit: 2, leaseMs: LEASE_MS });
    expect(next.map((l) => [l.message.id, l.message.body, l.delivery.url])).toEqual([
      ['b', 'body b', URL],
      ['c', 'body c', URL],
    ]);
    for (const l of next) expect(l.leasedUntil).toBeLessThanOrEqual(before + LEASE_MS);
    expect(new Set(next.map((l) => l.token)).size).toBe(2);
    expect(next.every((l) => l.token !== a!.token)).toBe(true);
    for (const l of next) expect(await q.settle(l, attempt(), { status: 'delivered' })).toBe(true);
    expect(await q.countPending()).toBe(0);
    expect((await q.getMessage('a'))?.deliveries[0]?.status).toBe('delivered');
  });

  it('respects endpoint capacity for prefetched jobs and gives them back on close', async () => {
    const name = `first-lease-${randomUUID()}`;
    const q = open(name);
    const now = Date.now();
    for (const id of ['a', 'b', 'c']) {
      await q.enqueue(message(id, `body ${id}`), [{ endpointId: 'e1', url: URL, nextAttemptAt: now }]);
    }
    const [a] = await lease(q, 1);
    expect(await q.settle(a!, attempt(), { status: 'delivered' })).toBe(true);
    const none = await q.lease({ now: Date.now(), limit: 5, leaseMs: LEASE_MS, endpointCapacity: () => 0 });
    expect(none).toEqual([]);
    const [b] = await lease(q, 1);
    expect(b?.message.id).toBe('b');
    expect(await q.settle(b!, attempt(), { status: 'delivered' })).toBe(true);
    await q.close();
    // Whatever the last settle took went back to the wait list: another queue object gets it at once.
    const other = open(name);
    const rest = await lease(other);
    expect(rest.map((l) => l.message.id)).toEqual(['c']);
  });

  it('keeps the body of a message to several endpoints once, and each lease reads it from the message', async () => {
    const name = `first-lease-${randomUUID()}`;
    const q = open(name);
    const body = JSON.stringify({ note: 'x'.repeat(2_000) });
    const to = (endpointId: string) => ({ endpointId, url: URL, nextAttemptAt: Date.now() });
    await q.enqueue(message('fan', body), [to('e1'), to('e2'), to('e3')]);
    await q.enqueue(message('one', body), [to('e1')]);
    const raw = new Redis({ host: redis.host, port: redis.port });
    try {
      const dataOf = async (messageId: string, endpointId: string) =>
        JSON.parse((await raw.hget(`hookspec:${name}:${messageId}|${endpointId}`, 'data')) as string) as object;
      for (const e of ['e1', 'e2', 'e3']) expect(await dataOf('fan', e)).toEqual({ messageId: 'fan', endpointId: e });
      expect(await dataOf('one', 'e1')).toMatchObject({ messageId: 'one', body });
    } finally {
      raw.disconnect();
    }
    const leases = await lease(q);
    expect(leases.map((l) => [l.message.id, l.delivery.endpointId, l.message.body === body])).toEqual([
      ['fan', 'e1', true],
      ['fan', 'e2', true],
      ['fan', 'e3', true],
      ['one', 'e1', true],
    ]);
    expect(leases.map((l) => l.delivery.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
  });

  it('reads the attempt log again for a job leased a second time', async () => {
    const q = open();
    await q.enqueue(message('m1', 'first'), [{ endpointId: 'e1', url: URL, nextAttemptAt: Date.now() }]);
    const [first] = await lease(q);
    expect(await q.settle(first!, attempt(), { status: 'pending', nextAttemptAt: Date.now() })).toBe(true);
    let again: Awaited<ReturnType<typeof lease>> = [];
    for (let i = 0; i < 50 && again.length === 0; i++) {
      again = await lease(q);
      if (again.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(again).toHaveLength(1);
    expect(again[0]?.delivery.attempts).toHaveLength(1);
  });
});
