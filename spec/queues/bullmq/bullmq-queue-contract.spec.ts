import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { describeQueueContract } from '../../delivery/queue-contract';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

describe.runIf(redisAvailable())('BullMqQueue on a real Redis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // A fresh queue name per test: an empty queue, and no test sees another's jobs.
  describeQueueContract(
    'BullMqQueue',
    () =>
      new BullMqQueue({
        connection: { host: redis.host, port: redis.port },
        name: `contract-${randomUUID()}`,
        stalledIntervalMs: 250,
        pollIntervalMs: 60_000,
      }),
    { clock: 'real', leaseMs: 1_500 },
  );
});
