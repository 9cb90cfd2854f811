import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import type { AttemptRecord, DeliveryQueue, Lease, LeaseRequest } from '../../lib/delivery';
import { retryUntilNonEmpty, startClock, type ContractClock, type QueueContractOptions } from './contract-clock';

/** How long the leases of the contract suites last, unless a test asks for a short one. */
export const CONTRACT_LEASE_MS = 30_000;

/**
 * What a contract suite's tests share: a fresh queue per test, ids unique per test (a queue on a shared
 * store, such as Redis, never sees another test's messages), and the suite's clock. Fields are replaced
 * before each test; read them inside tests only.
 */
export interface ContractFixture<Q extends DeliveryQueue> {
  queue: Q;
  clock: ContractClock;
  /** The test's start (epoch ms). */
  T0: number;
  /** A per-test prefix, prepended by `id()`. */
  prefix: string;
  id(label: string): string;
  /** The label of a message id (the prefix taken off). */
  label(messageId: string): string;
  /** Leases at `now` (after waiting for it with the real clock); limit 100 and a 30 s lease unless asked. */
  lease(now: number, request?: Partial<Omit<LeaseRequest, 'now'>>): Promise<Lease[]>;
  /** Leases at `now`, when a lease taken earlier has just expired (a real-clock queue may take a moment). */
  leaseAfterExpiry(now: number, request?: Partial<Omit<LeaseRequest, 'now'>>): Promise<Lease[]>;
}

/** Registers the beforeEach/afterEach that build and close the queue; call it inside a `describe`. */
export function useContractFixture<Q extends DeliveryQueue>(
  makeQueue: () => Q | Promise<Q>,
  options: QueueContractOptions,
): ContractFixture<Q> {
  const fixture = {
    prefix: '',
    id: (label: string) => fixture.prefix + label,
    label: (messageId: string) => messageId.slice(fixture.prefix.length),
    async lease(now: number, request: Partial<Omit<LeaseRequest, 'now'>> = {}): Promise<Lease[]> {
      await fixture.clock.reach(now);
      return fixture.queue.lease({ now, limit: 100, leaseMs: CONTRACT_LEASE_MS, ...request });
    },
    leaseAfterExpiry(now: number, request: Partial<Omit<LeaseRequest, 'now'>> = {}): Promise<Lease[]> {
      if (!fixture.clock.real) return fixture.lease(now, request);
      return fixture.clock
        .reach(now)
        .then(() => retryUntilNonEmpty(() => fixture.lease(Date.now(), request), options.expiryWaitMs ?? 15_000));
    },
  } as ContractFixture<Q>;

  beforeEach(async () => {
    fixture.queue = await makeQueue();
    fixture.prefix = `msg_${randomUUID().slice(0, 8)}_`;
    fixture.clock = startClock(options, 10 * CONTRACT_LEASE_MS);
    fixture.T0 = fixture.clock.T0;
  });

  afterEach(async () => {
    await fixture.queue.close();
  });

  return fixture;
}

/** An attempt record: a response `status`, or a refused connection when there is none. */
export function attemptAt(number: number, startedAt: number, status?: number): AttemptRecord {
  return {
    attempt: number,
    startedAt,
    durationMs: 12,
    ...(status === undefined ? { errorCode: 'connection-refused', error: 'ECONNREFUSED' } : { status }),
  };
}
