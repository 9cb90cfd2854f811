import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { MAX_DURATION_MS } from '../../../lib/options';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { describeHistoryContract } from '../../delivery/history-contract';
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

  // A fresh queue name per test: an empty queue, and no test sees another's jobs. The longest poll
  // interval: nextDueAt() is capped at now + pollIntervalMs (a safety net of BullMqQueue's own, checked in
  // bullmq-queue-options.spec.ts), and the contract checks a due time about 12 days ahead exactly.
  const makeQueue = () =>
    new BullMqQueue({
      connection: { host: redis.host, port: redis.port },
      name: `contract-${randomUUID()}`,
      stalledIntervalMs: 250,
      pollIntervalMs: MAX_DURATION_MS,
    });
  describeQueueContract('BullMqQueue', makeQueue, { clock: 'real', leaseMs: 1_500 });
  describeHistoryContract('BullMqQueue', makeQueue, { clock: 'real', leaseMs: 1_500 });
});
