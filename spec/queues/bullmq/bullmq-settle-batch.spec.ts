import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../../lib/delivery/delivery-records';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

const LEASE_MS = 5_000;
const URL = 'http://127.0.0.1:9/hook';

// The settlements made in one turn of the event loop are recorded by one SETTLE call (settle-batch.ts):
// these check that each is still checked and answered on its own.
describe.runIf(redisAvailable())('BullMqQueue settlements made in one turn', () => {
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

  const open = (retainFinished = 1_000): BullMqQueue =>
    (queue = new BullMqQueue({
      connection: { host: redis.host, port: redis.port },
      name: `settle-batch-${randomUUID()}`,
      stalledIntervalMs: 250,
      pollIntervalMs: 60_000,
      retainFinished,
    }));
  const enqueue = async (q: BullMqQueue, ids: readonly string[]): Promise<void> => {
    for (const id of ids) {
      const message = { id, event: 'order.placed', body: `body ${id}`, createdAt: 1_000 };
      await q.enqueue(message, [{ endpointId: 'e1', url: URL, nextAttemptAt: Date.now() }]);
    }
  };
  const lease = (q: BullMqQueue, limit: number) => q.lease({ now: Date.now(), limit, leaseMs: LEASE_MS });
  const attempt = (status: number): AttemptRecord => ({ attempt: 1, startedAt: Date.now(), durationMs: 3, status });
  const deliveries = async (q: BullMqQueue, id: string) =>
    (await q.getMessage(id))?.deliveries.map((d) => [d.status, d.attempts.map((a) => a.status)]);

  it('refuses a stale lease among them alone and records each of the others as its own', async () => {
    const q = open();
    await enqueue(q, ['a', 'b', 'c']);
    const [a, b, c] = await lease(q, 3);
    expect([a, b, c].map((l) => l?.message.id)).toEqual(['a', 'b', 'c']);
    expect(await q.settle(a!, attempt(200), { status: 'delivered' })).toBe(true);
    const retryAt = Date.now() + 60_000;
    const answers = await Promise.all([
      q.settle(a!, attempt(500), { status: 'exhausted' }),
      q.settle(b!, attempt(200), { status: 'delivered' }),
      q.settle(c!, attempt(503), { status: 'pending', nextAttemptAt: retryAt }),
    ]);
    expect(answers).toEqual([false, true, true]);
    expect(await deliveries(q, 'a')).toEqual([['delivered', [200]]]);
    expect(await deliveries(q, 'b')).toEqual([['delivered', [200]]]);
    expect(await deliveries(q, 'c')).toEqual([['pending', [503]]]);
    expect((await q.getMessage('c'))?.deliveries[0]?.nextAttemptAt).toBe(retryAt);
    expect(await q.countPending()).toBe(1);
    // The stale settlement's move was refused too: nothing is handed out before c's retry is due.
    expect(await lease(q, 10)).toEqual([]);
  });

  it('runs retention after each settlement that finishes a message, in their order', async () => {
    const q = open(1);
    await enqueue(q, ['a', 'b']);
    const [a, b] = await lease(q, 2);
    const answers = await Promise.all([
      q.settle(a!, attempt(200), { status: 'delivered' }),
      q.settle(b!, attempt(200), { status: 'delivered' }),
    ]);
    expect(answers).toEqual([true, true]);
    // Both finished at once; b's retention drops the other finished message beyond the one retained.
    expect(await q.getMessage('a')).toBeUndefined();
    expect(await deliveries(q, 'b')).toEqual([['delivered', [200]]]);
    expect(await q.countPending()).toBe(0);
  });
});
