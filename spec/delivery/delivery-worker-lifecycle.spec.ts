import { describe, expect, it, vi } from 'vitest';
import { RetryPolicy, type DeliverOnce } from '../../lib/delivery';
import { DeliveryQueueError } from '../../lib/errors';
import { MemoryQueue } from '../../lib/queues/memory';
import {
  afterThisTest,
  answer,
  answering,
  deferred,
  holding,
  send,
  sleep,
  startWorker,
  statusesOf,
  stopWorkersAfterEach,
  until,
  within,
  wrap,
} from './worker-harness';

// The DeliveryWorker's lifecycle: idle(), stop(), a failing queue or deliver, and when it wakes up.

stopWorkersAfterEach();

describe('DeliveryWorker idle()', () => {
  it('resolves for every caller once the last attempt has settled', async () => {
    const queue = new MemoryQueue();
    await send(queue, ['e1']);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver);
    await until(() => expect(fake.held).toHaveLength(1));
    const waiting = [worker.idle(), worker.idle()];
    await sleep(5);
    fake.releaseAll();
    await within(Promise.all(waiting));
  });

  it('waits for a retry that is not yet due', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const { deliver } = answering((_, attempt) => (attempt === 1 ? 503 : 200));
    const { worker, settled } = startWorker(queue, deliver);
    await until(() => expect(settled).toHaveLength(1));
    await within(worker.idle());
    expect(await statusesOf(queue, id)).toEqual(['delivered']);
  });

  it('resolves whenever it is called as the last attempt finishes', async () => {
    const hung: number[] = [];
    for (let ticks = 0; ticks <= 40; ticks += 1) {
      const queue = new MemoryQueue();
      await send(queue, ['e1']);
      const fake = holding();
      const { worker } = startWorker(queue, fake.deliver);
      await until(() => expect(fake.held).toHaveLength(1));
      fake.releaseAll();
      for (let tick = 0; tick < ticks; tick += 1) await Promise.resolve();
      await within(worker.idle(), 100).catch(() => hung.push(ticks));
    }
    expect(hung).toEqual([]);
  });
});

describe('DeliveryWorker stop()', () => {
  it('rejects idle() with a DeliveryQueueError when it stops with deliveries still pending', async () => {
    const queue = new MemoryQueue();
    await send(queue, ['e1']);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver);
    await until(() => expect(fake.held).toHaveLength(1));
    const idle = worker.idle().then(
      () => undefined,
      (error: unknown) => error,
    );
    // The attempt in flight ends in a retry, so the delivery is still pending once the worker has stopped.
    const stopping = worker.stop();
    fake.held[0]?.release(503);
    await stopping;
    const error = await within(idle);
    expect(error).toBeInstanceOf(DeliveryQueueError);
    expect(error).toMatchObject({ code: 'worker-stopped', message: expect.stringContaining('they stay in the queue') });
    expect(await queue.countPending()).toBe(1);
  });

  it('waits for the attempts in flight, then leases nothing more', async () => {
    const queue = new MemoryQueue();
    const first = await send(queue, ['e1', 'e2']);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver);
    await until(() => expect(fake.total()).toBe(2));

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await sleep(10);
    expect(stopped).toBe(false);
    fake.releaseAll();
    await within(stopping);
    expect(await statusesOf(queue, first)).toEqual(['delivered', 'delivered']);

    const later = await send(queue, ['e1']);
    worker.wake();
    await sleep(30);
    expect(fake.held).toEqual([]);
    expect(await statusesOf(queue, later)).toEqual(['pending']);
  });

  it('does not retry after stop(): a scheduled retry stays pending', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const { deliver, calls } = answering(() => 503);
    const { worker } = startWorker(queue, deliver);
    await until(() => expect(calls).toHaveLength(1));
    await worker.stop();
    await sleep(60);
    expect(calls).toHaveLength(1);
    expect(await statusesOf(queue, id)).toEqual(['pending']);
  });

  it('stop() while a lease is in progress leaves no attempt running after it resolves', async () => {
    const inner = new MemoryQueue();
    const gate = deferred();
    let leaseCalls = 0;
    const queue = wrap(inner, {
      lease: async (request) => {
        leaseCalls += 1;
        await gate.promise;
        return inner.lease(request);
      },
    });
    await send(queue, ['e1']);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver);
    await until(() => expect(leaseCalls).toBe(1));
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    gate.open();
    await sleep(20);
    // Either no attempt starts, or stop() waits for it: never an attempt in flight after stop() resolved.
    const runningAfterStop = fake.total() > 0 && stopped;
    fake.releaseAll();
    await within(stopping);
    expect(runningAfterStop).toBe(false);
    await sleep(20);
    expect(fake.held).toEqual([]);
  });
});

describe('DeliveryWorker and a failing queue', () => {
  it('reports a lease() that throws to onError, tries again and still delivers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    afterThisTest(() => vi.useRealTimers());
    const inner = new MemoryQueue();
    const failure = new Error('database is locked');
    let failures = 0;
    const queue = wrap(inner, {
      lease: async (request) => {
        if (failures === 0) {
          failures += 1;
          throw failure;
        }
        return inner.lease(request);
      },
    });
    const id = await send(queue, ['e1']);
    const { deliver, calls } = answering(() => 200);
    const { worker, errors } = startWorker(queue, deliver);
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([failure]);
    expect(calls).toEqual([]);
    // The worker backs off a second before it asks the queue again.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(1);
    await within(worker.idle());
    expect(await statusesOf(queue, id)).toEqual(['delivered']);
  });

  it('reports a deliver that throws to onError and tries again once the lease expires', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const failure = new Error('bug in deliver');
    let n = 0;
    const deliver: DeliverOnce = async (_, attempt) => {
      n += 1;
      if (n === 1) throw failure;
      return answer(attempt, 200);
    };
    const { worker, errors } = startWorker(queue, deliver, { leaseMs: 20 });
    await within(worker.idle());
    expect(errors).toEqual([failure]);
    expect(n).toBe(2);
    expect((await queue.getMessage(id))?.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [{}] });
  });
});

describe('DeliveryWorker wake-ups', () => {
  it('delivers a message queued while the worker is working out its next wake-up', async () => {
    const inner = new MemoryQueue();
    const gate = deferred();
    let asked = 0;
    const queue = wrap(inner, {
      nextDueAt: async (endpointCapacity) => {
        const at = await inner.nextDueAt(endpointCapacity);
        asked += 1;
        await gate.promise;
        return at;
      },
    });
    const { deliver } = answering(() => 200);
    const { worker } = startWorker(queue, deliver);
    await until(() => expect(asked).toBe(1));
    const id = await send(queue, ['e1']);
    worker.wake();
    gate.open();
    await within(worker.idle(), 1_000);
    expect(await statusesOf(queue, id)).toEqual(['delivered']);
  });

  it('does not poll the queue while every slot is busy and other work is due', async () => {
    const inner = new MemoryQueue();
    let asked = 0;
    const queue = wrap(inner, {
      nextDueAt: (endpointCapacity) => {
        asked += 1;
        return inner.nextDueAt(endpointCapacity);
      },
    });
    await send(queue, ['e1']);
    await send(queue, ['e2']);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver, { concurrency: 1, endpointConcurrency: 1 });
    await until(() => expect(fake.held).toHaveLength(1));
    asked = 0;
    // Up to a second for the loop to show itself (it asks ~1000 times a second), whatever the load.
    for (let waited = 0; waited < 1_000 && asked <= 20; waited += 10) await sleep(10);
    expect(asked).toBeLessThanOrEqual(5);
    fake.releaseAll();
    await until(() => expect(fake.held).toHaveLength(1));
    fake.releaseAll();
    await within(worker.idle());
  });

  it('sleeps until the next retry is due instead of polling', async () => {
    const inner = new MemoryQueue();
    let leases = 0;
    const queue = wrap(inner, {
      lease: (request) => {
        leases += 1;
        return inner.lease(request);
      },
    });
    await send(queue, ['e1']);
    const { deliver } = answering((_, attempt) => (attempt === 1 ? 503 : 200));
    const { worker } = startWorker(queue, deliver, {
      policyFor: () => new RetryPolicy({ schedule: [100], jitter: 0 }),
    });
    await within(worker.idle());
    // start, the first attempt's wake-up, the retry timer, the retry's wake-up: a handful, not ~100.
    expect(leases).toBeLessThanOrEqual(8);
  });
});
