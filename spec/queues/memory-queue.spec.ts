import { describe, expect, it } from 'vitest';
import type { Lease, MessageRecord } from '../../lib/delivery';
import { MemoryQueue } from '../../lib/queues/memory';
import { describeHistoryContract } from '../delivery/history-contract';
import { describeQueueContract } from '../delivery/queue-contract';

describeQueueContract('MemoryQueue', () => new MemoryQueue());
describeHistoryContract('MemoryQueue', () => new MemoryQueue());

const T0 = 1_000_000_000_000;

const message = (id: string): MessageRecord => ({ id, event: 'order.paid', body: `{"id":"${id}"}`, createdAt: T0 });

const send = (queue: MemoryQueue, id: string, endpoints: readonly string[] = ['e1'], at = T0): Promise<void> =>
  queue.enqueue(
    message(id),
    endpoints.map((endpointId) => ({ endpointId, url: `https://${endpointId}.example.com/`, nextAttemptAt: at })),
  );

/** Leases every due delivery of `id` and settles it with `status`. */
const finish = async (
  queue: MemoryQueue,
  id: string,
  status: 'delivered' | 'exhausted' | 'disabled' = 'delivered',
  now = T0,
): Promise<void> => {
  const leases = await queue.lease({ now, limit: 1_000, leaseMs: 1_000 });
  const mine = leases.filter((lease) => lease.message.id === id);
  expect(mine.length).toBeGreaterThan(0);
  for (const lease of mine) {
    const attempt = { attempt: lease.delivery.attempts.length + 1, startedAt: now, durationMs: 1, status: 200 };
    expect(await queue.settle(lease, attempt, { status })).toBe(true);
  }
  // Put back, untouched and due at once, what was leased for other messages.
  for (const lease of leases.filter((l) => l.message.id !== id)) {
    expect(await queue.settle(lease, undefined, { status: 'pending', nextAttemptAt: now })).toBe(true);
  }
};

describe('MemoryQueue retention of finished messages', () => {
  it('drops the oldest finished message once more than retainFinished have finished', async () => {
    const queue = new MemoryQueue({ retainFinished: 2 });
    for (const id of ['m1', 'm2', 'm3']) await send(queue, id);
    for (const id of ['m1', 'm2', 'm3']) await finish(queue, id);
    expect(await queue.getMessage('m1')).toBeUndefined();
    expect((await queue.getMessage('m2'))?.deliveries[0]?.status).toBe('delivered');
    expect((await queue.getMessage('m3'))?.deliveries[0]?.status).toBe('delivered');
  });

  it('orders by when messages finished, not when they were enqueued', async () => {
    const queue = new MemoryQueue({ retainFinished: 2 });
    for (const id of ['m1', 'm2', 'm3']) await send(queue, id);
    for (const id of ['m2', 'm3', 'm1']) await finish(queue, id);
    expect(await queue.getMessage('m2')).toBeUndefined();
    expect(await queue.getMessage('m1')).toMatchObject({ message: { id: 'm1' } });
    expect(await queue.getMessage('m3')).toMatchObject({ message: { id: 'm3' } });
  });

  it('never drops a message that still has a pending delivery', async () => {
    const queue = new MemoryQueue({ retainFinished: 1 });
    await send(queue, 'waiting', ['e1'], T0 + 3_600_000);
    await send(queue, 'half', ['e1', 'e2']);
    const [first] = await queue.lease({ now: T0, limit: 1, leaseMs: 1_000 });
    await queue.settle(first as Lease, undefined, { status: 'delivered' });
    for (const id of ['m1', 'm2', 'm3']) {
      await send(queue, id);
      await finish(queue, id);
    }
    expect(await queue.getMessage('waiting')).toMatchObject({ message: { id: 'waiting' } });
    expect((await queue.getMessage('half'))?.deliveries.map((d) => d.status).sort()).toEqual(['delivered', 'pending']);
    expect(await queue.countPending()).toBe(2);
  });

  it('counts exhausted and disabled deliveries as finished too', async () => {
    const queue = new MemoryQueue({ retainFinished: 1 });
    for (const id of ['m1', 'm2', 'm3']) await send(queue, id);
    await finish(queue, 'm1', 'exhausted');
    await finish(queue, 'm2', 'disabled');
    expect(await queue.getMessage('m1')).toBeUndefined();
    await finish(queue, 'm3', 'delivered');
    expect(await queue.getMessage('m2')).toBeUndefined();
    expect(await queue.getMessage('m3')).toMatchObject({ message: { id: 'm3' } });
  });

  it('keeps a redelivered message while it is pending again, and retains it afresh when it finishes', async () => {
    const queue = new MemoryQueue({ retainFinished: 1 });
    await send(queue, 'retried');
    await finish(queue, 'retried', 'exhausted');
    expect(await queue.redeliver('retried', { now: T0 + 10 })).toBe(1);
    for (const id of ['m1', 'm2', 'm3']) {
      await send(queue, id);
      await finish(queue, id);
    }
    expect((await queue.getMessage('retried'))?.deliveries[0]?.status).toBe('pending');
    await finish(queue, 'retried', 'delivered', T0 + 10);
    expect((await queue.getMessage('retried'))?.deliveries[0]).toMatchObject({ status: 'delivered', scheduleBase: 1 });
    expect(await queue.getMessage('m3')).toBeUndefined();
  });

  it('can no longer redeliver a dropped message', async () => {
    const queue = new MemoryQueue({ retainFinished: 1 });
    for (const id of ['m1', 'm2']) {
      await send(queue, id);
      await finish(queue, id, 'exhausted');
    }
    expect(await queue.redeliver('m1', { now: T0 })).toBe(0);
    expect(await queue.redeliver('m2', { now: T0 })).toBe(1);
  });

  it('with retainFinished 0 keeps nothing once it has finished', async () => {
    const queue = new MemoryQueue({ retainFinished: 0 });
    await send(queue, 'm1');
    expect(await queue.getMessage('m1')).toMatchObject({ message: { id: 'm1' } });
    await finish(queue, 'm1');
    expect(await queue.getMessage('m1')).toBeUndefined();
    expect(await queue.countPending()).toBe(0);
  });
});

describe('MemoryQueue at volume', () => {
  it(
    'moves 10,000 messages to 10 endpoints through enqueue, lease, a retry and settle',
    { timeout: 60_000 },
    async () => {
      const queue = new MemoryQueue();
      const total = 10_000;
      for (let n = 0; n < total; n += 1) {
        await send(queue, `m${n}`, [`e${n % 10}`], T0 + ((n * 7919) % 1_000));
      }
      expect(await queue.countPending()).toBe(total);

      // Checked in bulk rather than with an expect per delivery, so the test measures the queue.
      const attemptsBy = new Map<string, number>();
      const problems: string[] = [];
      let now = T0 + 1_000;
      for (let round = 0; (await queue.countPending()) > 0 && round < 100; round += 1) {
        const leases = await queue.lease({ now, limit: 500, leaseMs: 60_000, endpointCapacity: () => 100 });
        const due = leases.map((lease) => lease.delivery.nextAttemptAt ?? 0);
        if (due.some((at, i) => i > 0 && at < (due[i - 1] as number))) problems.push(`round ${round} out of order`);
        for (const lease of leases) {
          const id = lease.message.id;
          const attempt = (attemptsBy.get(id) ?? 0) + 1;
          attemptsBy.set(id, attempt);
          // Every third message fails its first attempt and is retried a little later.
          const retry = attempt === 1 && Number(id.slice(1)) % 3 === 0;
          const record = { attempt, startedAt: now, durationMs: 1, status: retry ? 503 : 200 };
          const settlement = retry
            ? { status: 'pending' as const, nextAttemptAt: now + 5 }
            : { status: 'delivered' as const };
          if (!(await queue.settle(lease, record, settlement))) problems.push(`${id} not settled`);
        }
        if (leases.length === 0) now += 5;
      }

      expect(problems).toEqual([]);
      expect(await queue.countPending()).toBe(0);
      expect(attemptsBy.size).toBe(total);
      const wrongCounts = [...attemptsBy].filter(([id, n]) => n !== (Number(id.slice(1)) % 3 === 0 ? 2 : 1));
      expect(wrongCounts).toEqual([]);
      expect(await queue.nextDueAt()).toBeUndefined();
      const sample = await queue.getMessage('m9999');
      expect(sample?.deliveries[0]).toMatchObject({
        status: 'delivered',
        attempts: [{ status: 503 }, { status: 200 }],
      });
    },
  );
});

describe('MemoryQueue options', () => {
  it('refuses an unknown option, naming the one meant', () => {
    expect(() => new MemoryQueue({ retainFinish: 5 } as never)).toThrow(
      expect.objectContaining({
        name: 'DeliveryQueueError',
        code: 'unknown-option',
        message:
          "new MemoryQueue(options): unknown option 'retainFinish' (did you mean 'retainFinished'?). " +
          'Known options: retainFinished.',
      }),
    );
  });

  it.each([-1, 1.5, '10'])('refuses retainFinished %j', (retainFinished) => {
    expect(() => new MemoryQueue({ retainFinished } as never)).toThrow(
      expect.objectContaining({
        name: 'DeliveryQueueError',
        code: 'invalid-option',
        message: expect.stringMatching(
          /^new MemoryQueue\(options\): retainFinished must be a whole number of 0 or more/,
        ),
      }),
    );
  });

  it('refuses options that are not an object', () => {
    expect(() => new MemoryQueue(10 as never)).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('needs an options object') }),
    );
  });
});
