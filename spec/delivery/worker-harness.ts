import { afterEach, vi } from 'vitest';
import {
  DeliveryWorker,
  RetryPolicy,
  type AttemptResult,
  type DeliverOnce,
  type DeliveryQueue,
  type DeliveryWorkerOptions,
  type Lease,
  type RetryDecision,
} from '../../lib/delivery';

// What the DeliveryWorker specs share: a fake `deliver` (the HTTP path has its own tests), a MemoryQueue
// or a wrapper around one, and the real clock with retry waits of a few milliseconds.

export const FAST = new RetryPolicy({ schedule: [20, 20], jitter: 0 });

export interface Settled {
  readonly lease: Lease;
  readonly result: AttemptResult;
  readonly decision: RetryDecision | undefined;
}

const workers: DeliveryWorker[] = [];
const cleanups: (() => void)[] = [];

/** Registers, in the calling spec file, the afterEach that releases held attempts and stops every worker. */
export function stopWorkersAfterEach(): void {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });
}

/** Runs `fn` after the current test, before its workers are stopped. */
export function afterThisTest(fn: () => void): void {
  cleanups.push(fn);
}

/** vi.waitFor, polling every millisecond and patient enough for a loaded machine. */
export const until = (assertion: () => void): Promise<void> => vi.waitFor(assertion, { interval: 1, timeout: 3_000 });

export function deferred(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects if `promise` has not settled within `ms`, so a hang fails fast instead of at the test timeout. */
export function within<T>(promise: Promise<T>, ms = 2_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const answer = (attempt: number, status?: number, retryAfter?: string): AttemptResult => ({
  kind: 'attempted',
  record: {
    attempt,
    startedAt: Date.now(),
    durationMs: 1,
    ...(status === undefined ? { errorCode: 'connection-refused' } : { status }),
  },
  ...(retryAfter === undefined ? {} : { retryAfter }),
});

let sequence = 0;

/** Enqueues one message to `endpoints`, due now; returns its id. */
export async function send(queue: DeliveryQueue, endpoints: readonly string[]): Promise<string> {
  const id = `msg_${(sequence += 1)}`;
  await queue.enqueue(
    { id, event: 'order.paid', body: `{"n":${sequence}}`, createdAt: Date.now() },
    endpoints.map((endpointId) => ({
      endpointId,
      url: `https://${endpointId}.example.com/`,
      nextAttemptAt: Date.now(),
    })),
  );
  return id;
}

export function startWorker(queue: DeliveryQueue, deliver: DeliverOnce, options: Partial<DeliveryWorkerOptions> = {}) {
  const settled: Settled[] = [];
  const errors: unknown[] = [];
  const worker = new DeliveryWorker(queue, deliver, {
    concurrency: 8,
    endpointConcurrency: 4,
    leaseMs: 60_000,
    policyFor: () => FAST,
    onSettled: (lease, result, decision) => settled.push({ lease, result, decision }),
    onError: (error) => errors.push(error),
    ...options,
  });
  workers.push(worker);
  worker.start();
  return { worker, settled, errors };
}

/** A `deliver` that answers each attempt with `status(lease, attempt)`, at once. */
export function answering(status: (lease: Lease, attempt: number) => number | undefined) {
  const calls: { lease: Lease; attempt: number; at: number }[] = [];
  const deliver: DeliverOnce = async (lease, attempt) => {
    calls.push({ lease, attempt, at: Date.now() });
    return answer(attempt, status(lease, attempt));
  };
  return { deliver, calls };
}

/** A `deliver` whose attempts stay in flight until released, counting what is in flight. */
export function holding() {
  const held: { lease: Lease; attempt: number; release: (status?: number) => void }[] = [];
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let total = 0;
  let maxTotal = 0;
  const deliver: DeliverOnce = (lease, attempt) =>
    new Promise((resolve) => {
      const { endpointId } = lease.delivery;
      const now = (inFlight.get(endpointId) ?? 0) + 1;
      inFlight.set(endpointId, now);
      maxInFlight.set(endpointId, Math.max(maxInFlight.get(endpointId) ?? 0, now));
      total += 1;
      maxTotal = Math.max(maxTotal, total);
      held.push({
        lease,
        attempt,
        release: (status = 200) => {
          inFlight.set(endpointId, (inFlight.get(endpointId) ?? 1) - 1);
          total -= 1;
          resolve(answer(attempt, status));
        },
      });
    });
  const releaseAll = (status?: number) => {
    for (const attempt of held.splice(0)) attempt.release(status);
  };
  cleanups.push(releaseAll);
  return {
    deliver,
    held,
    releaseAll,
    inFlight: (endpointId: string) => inFlight.get(endpointId) ?? 0,
    maxInFlight: (endpointId: string) => maxInFlight.get(endpointId) ?? 0,
    total: () => total,
    maxTotal: () => maxTotal,
  };
}

/** A queue that forwards to `inner`, except for what `overrides` replaces. */
export function wrap(inner: DeliveryQueue, overrides: Partial<DeliveryQueue>): DeliveryQueue {
  return {
    enqueue: (message, deliveries) => inner.enqueue(message, deliveries),
    lease: (request) => inner.lease(request),
    settle: (lease, attempt, settlement) => inner.settle(lease, attempt, settlement),
    nextDueAt: (endpointCapacity) => inner.nextDueAt(endpointCapacity),
    countPending: () => inner.countPending(),
    getMessage: (messageId) => inner.getMessage(messageId),
    redeliver: (messageId, options) => inner.redeliver(messageId, options),
    close: () => inner.close(),
    ...overrides,
  };
}

export const statusesOf = async (queue: DeliveryQueue, id: string) =>
  (await queue.getMessage(id))?.deliveries.map((d) => d.status);
