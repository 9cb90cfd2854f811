import { describe, expect, it, vi } from 'vitest';
import { RetryPolicy, type AttemptResult, type DeliverOnce, type Lease } from '../../lib/delivery';
import { MemoryQueue } from '../../lib/queues/memory';
import {
  answer,
  answering,
  FAST,
  holding,
  send,
  sleep,
  startWorker,
  statusesOf,
  stopWorkersAfterEach,
  until,
  within,
} from './worker-harness';

// A unit test of the loop over a MemoryQueue with a fake `deliver`: what it delivers, how many at once,
// and how it retries and settles. Its lifecycle (idle, stop, errors, wake-ups) is in
// delivery-worker-lifecycle.spec.ts.

stopWorkersAfterEach();

describe('DeliveryWorker delivering', () => {
  it('resolves idle() at once when nothing is queued', async () => {
    const { worker } = startWorker(new MemoryQueue(), answering(() => 200).deliver);
    await within(worker.idle());
  });

  it('delivers every message to every endpoint, then idle() resolves', async () => {
    const queue = new MemoryQueue();
    const ids: string[] = [];
    for (let n = 0; n < 20; n += 1) ids.push(await send(queue, ['e1', 'e2', 'e3']));
    const { deliver, calls } = answering(() => 200);
    const { worker, settled, errors } = startWorker(queue, deliver);
    await within(worker.idle());
    expect(calls).toHaveLength(60);
    expect(settled).toHaveLength(60);
    expect(errors).toEqual([]);
    for (const id of ids) expect(await statusesOf(queue, id)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await queue.countPending()).toBe(0);
  });

  it('delivers work queued after start() once woken', async () => {
    const queue = new MemoryQueue();
    const { deliver, calls } = answering(() => 204);
    const { worker } = startWorker(queue, deliver);
    await within(worker.idle());
    const id = await send(queue, ['e1']);
    worker.wake();
    await within(worker.idle());
    expect(calls.map((c) => c.attempt)).toEqual([1]);
    expect(await statusesOf(queue, id)).toEqual(['delivered']);
  });

  it('asks policyFor for the policy of the message’s event', async () => {
    const queue = new MemoryQueue();
    await send(queue, ['e1']);
    const policyFor = vi.fn(() => FAST);
    const { worker } = startWorker(queue, answering(() => 200).deliver, { policyFor });
    await within(worker.idle());
    expect(policyFor).toHaveBeenCalledWith('order.paid');
  });
});

describe('DeliveryWorker limits', () => {
  it('never has more than `concurrency` attempts in flight', async () => {
    const queue = new MemoryQueue();
    for (let n = 0; n < 10; n += 1) await send(queue, [`e${n}`]);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver, { concurrency: 3, endpointConcurrency: 3 });
    for (const expected of [3, 3, 3, 1]) {
      await until(() => expect(fake.total()).toBe(expected));
      await sleep(5);
      expect(fake.total()).toBe(expected);
      fake.releaseAll();
    }
    await within(worker.idle());
    expect(fake.maxTotal()).toBe(3);
  });

  it('never has more than `endpointConcurrency` in flight to one endpoint, and serves others meanwhile', async () => {
    const queue = new MemoryQueue();
    for (let n = 0; n < 6; n += 1) await send(queue, ['slow']);
    for (let n = 0; n < 3; n += 1) await send(queue, ['fast']);
    const fake = holding();
    const { worker } = startWorker(queue, fake.deliver, { concurrency: 10, endpointConcurrency: 2 });
    await until(() => expect(fake.total()).toBe(4));
    expect([fake.inFlight('slow'), fake.inFlight('fast')]).toEqual([2, 2]);
    while ((await queue.countPending()) > 0) {
      fake.releaseAll();
      await sleep(2);
    }
    await within(worker.idle());
    expect([fake.maxInFlight('slow'), fake.maxInFlight('fast')]).toEqual([2, 2]);
  });
});

describe('DeliveryWorker retries', () => {
  it('retries a failed attempt per the policy, not before it is due', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const { deliver, calls } = answering((_, attempt) => (attempt === 1 ? 503 : 200));
    const { worker, settled } = startWorker(queue, deliver);
    await within(worker.idle());
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(settled.map((s) => s.decision)).toEqual([
      { kind: 'retry', delayMs: 20, reason: 'HTTP 503' },
      { kind: 'delivered' },
    ]);
    const retry = calls[1] as (typeof calls)[number];
    expect(retry.at).toBeGreaterThanOrEqual(retry.lease.delivery.nextAttemptAt as number);
    expect(retry.at - (calls[0] as (typeof calls)[number]).at).toBeGreaterThanOrEqual(20);
    expect((await queue.getMessage(id))?.deliveries[0]?.attempts.map((a) => a.status)).toEqual([503, 200]);
  });

  it('retries a network error (no status) as well', async () => {
    const queue = new MemoryQueue();
    await send(queue, ['e1']);
    const { deliver } = answering((_, attempt) => (attempt === 1 ? undefined : 200));
    const { worker, settled } = startWorker(queue, deliver);
    await within(worker.idle());
    expect(settled[0]?.decision).toEqual({ kind: 'retry', delayMs: 20, reason: 'connection-refused' });
  });

  it('passes the response’s Retry-After to the policy', async () => {
    const queue = new MemoryQueue();
    await send(queue, ['e1']);
    const deliver: DeliverOnce = async (_, attempt) => answer(attempt, 429, '1');
    const { settled } = startWorker(queue, deliver);
    await until(() => expect(settled).toHaveLength(1));
    expect(settled[0]?.decision).toEqual({ kind: 'retry', delayMs: 1_000, reason: 'HTTP 429' });
  });

  it('gives up after the schedule: 3 attempts for [20, 20], then exhausted', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const { deliver, calls } = answering(() => 500);
    const { worker, settled } = startWorker(queue, deliver);
    await within(worker.idle());
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(settled.map((s) => s.decision?.kind)).toEqual(['retry', 'retry', 'exhausted']);
    expect(await statusesOf(queue, id)).toEqual(['exhausted']);
  });

  it('disables a delivery answered with 410 after one attempt', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['gone', 'fine']);
    const { deliver, calls } = answering((lease) => (lease.delivery.endpointId === 'gone' ? 410 : 200));
    const { worker } = startWorker(queue, deliver);
    await within(worker.idle());
    expect(calls).toHaveLength(2);
    expect(await statusesOf(queue, id)).toEqual(['disabled', 'delivered']);
  });

  it('restarts the schedule after a redelivery, numbering attempts on from the log', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const { deliver, calls } = answering(() => 500);
    const { worker, settled } = startWorker(queue, deliver, {
      policyFor: () => new RetryPolicy({ schedule: [20], jitter: 0 }),
    });
    await within(worker.idle());
    expect(await queue.redeliver(id, { now: Date.now() })).toBe(1);
    worker.wake();
    await within(worker.idle());
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(settled.map((s) => s.decision?.kind)).toEqual(['retry', 'exhausted', 'retry', 'exhausted']);
    expect((await queue.getMessage(id))?.deliveries[0]).toMatchObject({ status: 'exhausted', scheduleBase: 2 });
  });
});

describe('DeliveryWorker settling', () => {
  it('settles a skipped delivery as disabled, without an attempt and without a decision', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const skipped: AttemptResult = { kind: 'skipped', reason: 'endpoint-disabled' };
    const deliver = vi.fn<DeliverOnce>(async () => skipped);
    const { worker, settled } = startWorker(queue, deliver);
    await within(worker.idle());
    expect(deliver).toHaveBeenCalledTimes(1);
    expect((await queue.getMessage(id))?.deliveries[0]).toMatchObject({ status: 'disabled', attempts: [] });
    expect(settled).toHaveLength(1);
    expect(settled[0]?.result).toBe(skipped);
    expect(settled[0]?.decision).toBeUndefined();
  });

  it('calls onSettled once per settlement, with the lease, the result and the decision', async () => {
    const queue = new MemoryQueue();
    await send(queue, ['e1']);
    const { deliver, calls } = answering((_, attempt) => (attempt < 3 ? 502 : 200));
    const { worker, settled } = startWorker(queue, deliver);
    await within(worker.idle());
    await sleep(30);
    expect(settled).toHaveLength(3);
    expect(settled.map((s) => s.lease)).toEqual(calls.map((c) => c.lease));
    expect(settled.map((s) => (s.result.kind === 'attempted' ? s.result.record.status : undefined))).toEqual([
      502, 502, 200,
    ]);
    expect(settled.map((s) => s.decision?.kind)).toEqual(['retry', 'retry', 'delivered']);
  });

  it('does not call onSettled when the lease was lost before settling', async () => {
    const queue = new MemoryQueue();
    const id = await send(queue, ['e1']);
    const fake = holding();
    // One slot, so this worker cannot take its own expired lease back.
    const { worker, settled } = startWorker(queue, fake.deliver, {
      leaseMs: 10,
      concurrency: 1,
      endpointConcurrency: 1,
    });
    await until(() => expect(fake.held).toHaveLength(1));
    // Another worker takes the delivery over once the lease has expired, and delivers it.
    await sleep(15);
    const [takeover] = await queue.lease({ now: Date.now(), limit: 1, leaseMs: 60_000 });
    expect(takeover?.message.id).toBe(fake.held[0]?.lease.message.id);
    await queue.settle(takeover as Lease, undefined, { status: 'delivered' });
    fake.releaseAll(500);
    await within(worker.idle());
    expect(settled).toEqual([]);
    expect((await queue.getMessage(id))?.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [] });
  });
});
