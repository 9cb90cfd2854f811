import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryQueueError } from '../../../lib/errors';
import { MAX_DURATION_MS } from '../../../lib/options';
import type { Lease, MessageRecord } from '../../../lib/delivery';
import { BullMqQueue, type BullMqQueueOptions } from '../../../lib/queues/bullmq';
import { loadBullMq } from '../../../lib/queues/bullmq/load-bullmq';
import { closedPort } from '../../support/recording-server';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';

const notFound = (name: string): Error =>
  Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });

describe('BullMqQueue options', () => {
  const lazy = { host: '127.0.0.1', lazyConnect: true };

  it('refuses to start without a connection, and names what to give', () => {
    expect(() => new BullMqQueue({} as BullMqQueueOptions)).toThrow(
      expect.objectContaining({
        name: 'DeliveryQueueError',
        code: 'invalid-option',
        message: expect.stringContaining('new BullMqQueue(options) needs options.connection'),
      }),
    );
  });

  it('refuses an unknown option, naming the one meant', () => {
    const options = { connection: lazy, pollIntervalMS: 1_000 } as BullMqQueueOptions;
    expect(() => new BullMqQueue(options)).toThrow(
      expect.objectContaining({
        name: 'DeliveryQueueError',
        code: 'unknown-option',
        message:
          "new BullMqQueue(options): unknown option 'pollIntervalMS' (did you mean 'pollIntervalMs'?). Known " +
          'options: connection, name, prefix, stalledIntervalMs, pollIntervalMs, retainFinished, retainFinishedMs.',
      }),
    );
  });

  it.each([
    [{ name: 'a:b' }, 'name'],
    [{ prefix: '' }, 'prefix'],
    [{ pollIntervalMs: 0 }, 'pollIntervalMs'],
    [{ stalledIntervalMs: -1 }, 'stalledIntervalMs'],
    [{ retainFinished: 1.5 }, 'retainFinished'],
    [{ retainFinishedMs: Number.NaN }, 'retainFinishedMs'],
  ])('refuses %j, naming the option', (bad, option) => {
    expect(() => new BullMqQueue({ connection: lazy, ...bad })).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining(`: ${option} must be`) }),
    );
  });

  // A longer one would overflow Node's timer and fire every millisecond (TimeoutOverflowWarning).
  it.each(['pollIntervalMs', 'stalledIntervalMs', 'retainFinishedMs'])(
    'caps %s at the longest timer Node can set, 2147483647 ms',
    async (option) => {
      expect(() => new BullMqQueue({ connection: lazy, [option]: 3e9 })).toThrow(
        expect.objectContaining({
          code: 'invalid-option',
          message: `new BullMqQueue(options): ${option} must be a number of milliseconds above 0 up to ${MAX_DURATION_MS} (about 24.8 days), got 3000000000.`,
        }),
      );
      const queue = new BullMqQueue({ connection: lazy, [option]: MAX_DURATION_MS });
      await queue.close();
    },
  );

  it('says which peer is missing and how to install it', () => {
    const load = (name: string) => {
      if (name === 'bullmq') throw notFound(name);
      return {};
    };
    let error: unknown;
    try {
      loadBullMq(load);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(DeliveryQueueError);
    expect(error).toMatchObject({ code: 'missing-dependency' });
    expect((error as Error).message).toContain('missing: bullmq.');
    expect((error as Error).message).toContain('npm install bullmq@6 ioredis@5');
  });
});

describe.runIf(redisAvailable())(
  'BullMqQueue on a real Redis: connections, retention, wake-ups',
  { timeout: 30_000 },
  () => {
    let redis: TestRedis;
    const toClose: { close(): Promise<unknown> }[] = [];
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterEach(async () => {
      for (const queue of toClose.splice(0).reverse()) await queue.close();
    });
    afterAll(async () => {
      await redis?.stop();
    });

    const open = (options: Partial<BullMqQueueOptions> = {}): BullMqQueue => {
      const queue = new BullMqQueue({
        connection: { host: redis.host, port: redis.port },
        name: `options-${randomUUID()}`,
        ...options,
      });
      toClose.push(queue);
      return queue;
    };
    const message = (id: string): MessageRecord => ({ id, event: 'e', body: '{}', createdAt: Date.now() });
    const finish = async (queue: BullMqQueue, id: string): Promise<void> => {
      await queue.enqueue(message(id), [
        { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: Date.now() },
      ]);
      const leases = await queue.lease({ now: Date.now(), limit: 10, leaseMs: 5_000 });
      expect(leases.map((l) => l.message.id)).toEqual([id]);
      const attempt = { attempt: 1, startedAt: Date.now(), durationMs: 1, status: 500 };
      expect(await queue.settle(leases[0] as Lease, attempt, { status: 'exhausted' })).toBe(true);
    };

    it('never puts the Redis password in an error', async () => {
      const port = await closedPort();
      const queue = open({
        connection: { host: '127.0.0.1', port, password: 'hunter2-very-secret', retryStrategy: () => null },
      });
      const failure = await queue.countPending().then(
        () => undefined,
        (error: unknown) => error as Error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(`${failure?.message} ${String((failure as { cause?: Error })?.cause?.message)}`).not.toContain('hunter2');
    });

    it('leaves an ioredis instance it was given open on close()', async () => {
      const connection = new Redis({ host: redis.host, port: redis.port, maxRetriesPerRequest: null });
      try {
        const queue = new BullMqQueue({ connection, name: `shared-${randomUUID()}` });
        await finish(queue, 'shared-1');
        await queue.close();
        expect(await connection.ping()).toBe('PONG');
      } finally {
        await connection.quit();
      }
    });

    it('keeps the last retainFinished finished messages, with their attempt logs, and drops older ones', async () => {
      const queue = open({ retainFinished: 2 });
      for (const id of ['m1', 'm2', 'm3']) await finish(queue, id);
      expect(await queue.getMessage('m1')).toBeUndefined();
      expect(await queue.redeliver('m1', { now: Date.now() })).toBe(0);
      expect((await queue.getMessage('m2'))?.deliveries[0]).toMatchObject({
        status: 'exhausted',
        attempts: [{ status: 500 }],
      });
      expect(await queue.getMessage('m3')).toMatchObject({ message: { id: 'm3' } });
    });

    it('drops finished messages older than retainFinishedMs', async () => {
      const queue = open({ retainFinishedMs: 50 });
      await finish(queue, 'old');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await finish(queue, 'new');
      expect(await queue.getMessage('old')).toBeUndefined();
      expect(await queue.getMessage('new')).toMatchObject({ message: { id: 'new' } });
    });

    it('wakes a watching worker when another process enqueues', async () => {
      const name = `watch-${randomUUID()}`;
      const producer = open({ name });
      const worker = open({ name, pollIntervalMs: 60_000 });
      let woken = 0;
      const stop = worker.watch(() => (woken += 1));
      // The subscription is made in the background: give it a moment before the first publish.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await producer.enqueue(message('w1'), [
        { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: Date.now() },
      ]);
      await expect.poll(() => woken, { timeout: 5_000 }).toBeGreaterThan(0);
      stop();
    });

    it('caps nextDueAt at now + pollIntervalMs for work due much later', async () => {
      const queue = open({ pollIntervalMs: 1_000 });
      const later = Date.now() + 3_600_000;
      await queue.enqueue(message('late'), [
        { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: later },
      ]);
      const next = (await queue.nextDueAt()) as number;
      expect(next).toBeGreaterThan(Date.now());
      expect(next).toBeLessThanOrEqual(Date.now() + 1_000);
    });
  },
);
