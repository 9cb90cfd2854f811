import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BullMqKeys,
  dueFromDelayedScore,
  fetchedJob,
  moveToDelayedFetchingNext,
  redisOf,
} from '../../../lib/queues/bullmq/bullmq-internals';
import type { DeliveryJob, DeliveryJobData } from '../../../lib/queues/bullmq/delivery-job';
import { loadBullMq } from '../../../lib/queues/bullmq/load-bullmq';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

// What bullmq-internals.ts assumes about BullMQ, checked against the installed BullMQ on a real Redis:
// after an upgrade, a failure here names the assumption that broke.
describe.runIf(redisAvailable())('BullMQ internals that BullMqQueue relies on', () => {
  let redis: TestRedis;
  const toClose: { close(): Promise<unknown> }[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const one of toClose.splice(0).reverse()) await one.close();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const open = () => {
    const connection = { host: redis.host, port: redis.port };
    const name = `internals-${randomUUID()}`;
    const queue = new Queue<DeliveryJobData>(name, { connection });
    const worker = new Worker<DeliveryJobData>(name, null, { connection, autorun: false, lockDuration: 5_000 });
    toClose.push(queue, worker);
    return { queue, worker, keys: new BullMqKeys(queue) };
  };
  const data = (messageId: string): DeliveryJobData => ({ messageId, endpointId: 'e1' });

  it('encodes a delayed job score as its due time × 4096 plus a sequence', async () => {
    const { queue, keys } = open();
    const job = await queue.add('delivery', data('m1'), { delay: 60_000 });
    const redisClient = (await redisOf(queue)) as Redis;
    const score = await redisClient.zscore(keys.delayed, job.id as string);
    expect(dueFromDelayedScore(score as string)).toBe(job.timestamp + 60_000);
  });

  it('keeps a job lock at <prefix>:<name>:<jobId>:lock, holding the token it was taken with', async () => {
    const { queue, worker, keys } = open();
    const added = await queue.add('delivery', data('m1'));
    const job = (await worker.getNextJob('token-1', { block: false })) as DeliveryJob;
    expect(job.id).toBe(added.id);
    const redisClient = (await redisOf(queue)) as Redis;
    expect(await redisClient.get(keys.lock(job.id as string))).toBe('token-1');
    expect(keys.lock('x')).toBe(`${keys.jobPrefix}x:lock`);
    expect(await redisClient.lrange(keys.active, 0, -1)).toEqual([job.id]);
  });

  it('moves a job to delayed without counting an attempt, and fetches the next job in the same call', async () => {
    const { queue, worker, keys } = open();
    await queue.add('delivery', data('m1'));
    await queue.add('delivery', data('m2'));
    const first = (await worker.getNextJob('token-1', { block: false })) as DeliveryJob;
    const dueAt = Date.now() + 60_000;
    const next = await moveToDelayedFetchingNext(first, dueAt, 'token-1', true);
    const second = fetchedJob(loadBullMq(), worker, next, 'token-1');
    expect(second?.data).toEqual(data('m2'));
    expect(second?.token).toBe('token-1');
    const redisClient = (await redisOf(queue)) as Redis;
    const score = await redisClient.zscore(keys.delayed, first.id as string);
    expect(Math.abs(dueFromDelayedScore(score as string) - dueAt)).toBeLessThanOrEqual(1);
    expect(await redisClient.lrange(keys.active, 0, -1)).toEqual([second?.id]);
  });

  it('fetches nothing when asked not to', async () => {
    const { queue, worker } = open();
    await queue.add('delivery', data('m1'));
    await queue.add('delivery', data('m2'));
    const first = (await worker.getNextJob('token-1', { block: false })) as DeliveryJob;
    const next = await moveToDelayedFetchingNext(first, Date.now() + 60_000, 'token-1', false);
    expect(fetchedJob(loadBullMq(), worker, next, 'token-1')).toBeUndefined();
  });
});
