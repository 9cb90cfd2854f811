import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { EnqueueBatcher } from '../../../lib/queues/bullmq/enqueue-batch';
import { withScripts } from '../../../lib/queues/bullmq/script-client';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

const URL = 'http://127.0.0.1:9/hook';

/** How many EXECs Redis has run, from its command statistics. */
async function execCount(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/cmdstat_exec:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

// Enqueues made in one turn of the event loop go out as one MULTI: each must still get its own answer.
describe.runIf(redisAvailable())('BullMqQueue enqueues in one turn', () => {
  let redis: TestRedis;
  let queue: BullMqQueue | undefined;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis({ host: redis.host, port: redis.port, lazyConnect: true });
    await admin.connect();
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });
  afterEach(async () => {
    await queue?.close();
    queue = undefined;
  });

  const message = (id: string, body: string) => ({ id, event: 'order.placed', body, createdAt: 1_000 });
  const to = (endpointId: string) => ({ endpointId, url: URL, nextAttemptAt: Date.now() });

  it('stores concurrent sends in one transaction and refuses only the duplicate among them', async () => {
    const q = (queue = new BullMqQueue({
      connection: { host: redis.host, port: redis.port },
      name: `batch-${randomUUID()}`,
      pollIntervalMs: 60_000,
    }));
    await q.countPending(); // the connection is open before the count
    const before = await execCount(admin);
    const results = await Promise.allSettled([
      q.enqueue(message('m1', 'first'), [to('e1')]),
      q.enqueue(message('m2', 'second'), [to('e1'), to('e2')]),
      q.enqueue(message('m1', 'again'), [to('e1')]),
      q.enqueue(message('m3', 'third'), [to('e2')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'duplicate-message' });
    expect((await execCount(admin)) - before).toBe(1);
    const leases = await q.lease({ now: Date.now(), limit: 10, leaseMs: 5_000 });
    expect(leases.map((l) => [l.message.id, l.message.body, l.delivery.endpointId]).sort()).toEqual([
      ['m1', 'first', 'e1'],
      ['m2', 'second', 'e1'],
      ['m2', 'second', 'e2'],
      ['m3', 'third', 'e2'],
    ]);
    expect(await q.countPending()).toBe(4);
  });

  it('close() waits for the sends already made to be stored', async () => {
    const name = `batch-${randomUUID()}`;
    const connection = { host: redis.host, port: redis.port };
    const q = new BullMqQueue({ connection, name, pollIntervalMs: 60_000 });
    const sent = q.enqueue(message('m1', 'sent before close'), [to('e1')]);
    await q.close();
    await expect(sent).resolves.toBeUndefined();
    const reader = (queue = new BullMqQueue({ connection, name, pollIntervalMs: 60_000 }));
    expect((await reader.getMessage('m1'))?.message.body).toBe('sent before close');
    expect(await reader.countPending()).toBe(1);
  });

  it('refuses an enqueue that fails while it is built, and sends none of its commands', async () => {
    const client = await withScripts(Promise.resolve(admin));
    const key = `batch-test-${randomUUID()}:`;
    const published: number[] = [];
    const batcher = new EnqueueBatcher(
      () => Promise.resolve(client),
      (multi) => {
        published.push(multi.length);
        multi.set(`${key}finish`, 'done');
      },
    );
    const broken = new Error('cannot build this one');
    const results = await Promise.allSettled([
      batcher.add((multi) => void multi.set(`${key}a`, '1').get(`${key}a`)),
      batcher.add((multi) => {
        multi.set(`${key}half`, 'written');
        throw broken;
      }),
      batcher.add((multi) => void multi.set(`${key}b`, '2').get(`${key}b`)),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: '1' },
      { status: 'rejected', reason: broken },
      { status: 'fulfilled', value: '2' },
    ]);
    expect(await admin.mget(`${key}a`, `${key}half`, `${key}b`, `${key}finish`)).toEqual(['1', null, '2', 'done']);
    expect(published).toHaveLength(1);
  });

  it('rejects only the enqueue whose command Redis refused, with a queue-failed error naming the refusal', async () => {
    const client = await withScripts(Promise.resolve(admin));
    const key = `batch-test-${randomUUID()}`;
    await admin.set(key, 'a string');
    const batcher = new EnqueueBatcher(
      () => Promise.resolve(client),
      () => {},
    );
    const results = await Promise.allSettled([
      batcher.add((multi) => void multi.get(key)),
      batcher.add((multi) => void multi.lpush(key, 'x').get(key)),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'a string' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'queue-failed' } });
    expect(String((results[1] as PromiseRejectedResult).reason.message)).toMatch(/WRONGTYPE/);
  });
});
