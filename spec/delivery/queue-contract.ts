import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AttemptRecord,
  DeliveryQueue,
  Lease,
  LeaseRequest,
  MessageRecord,
  NewDelivery,
  Settlement,
} from '../../lib/delivery';
import { DeliveryQueueError } from '../../lib/errors';
import { retryUntilNonEmpty, startClock, type ContractClock, type QueueContractOptions } from './contract-clock';
import { describeQueueStatusContract } from './queue-contract-statuses';

export type { QueueContractOptions } from './contract-clock';

/**
 * The behaviour every DeliveryQueue must have. It speaks only through the interface and passes `now`
 * explicitly everywhere, so a durable queue (SQLite, BullMQ) can run it unchanged: call it from that
 * queue's spec with a factory that returns a fresh, empty queue. A queue that runs on the real clock
 * (BullMQ) passes `{ clock: 'real' }`: times are then taken from Date.now() per test and the suite
 * waits for them (see contract-clock.ts); every expectation stays the same.
 */
export function describeQueueContract(
  name: string,
  makeQueue: () => DeliveryQueue | Promise<DeliveryQueue>,
  options: QueueContractOptions = {},
): void {
  // Real time passes in real-clock tests: up to about 5 s of waiting (a scaled 50 s), plus lease expiries.
  const timeout = options.clock === 'real' ? 60_000 : undefined;
  describe(`${name} keeps the DeliveryQueue contract`, { timeout }, () => {
    const LEASE_MS = 30_000;

    let queue: DeliveryQueue;
    /** Unique per test, so a queue backed by a shared store (Redis) never sees ids from another test. */
    let prefix: string;
    let clock: ContractClock;
    /** The test's start, and `at(x)`: x ms after it (scaled with the real clock). */
    let T0: number;
    const at = (offset: number): number => clock.at(offset);
    /** A lease that a test lets expire, and a moment well inside it. */
    let SHORT: number;
    let WITHIN_SHORT: number;

    beforeEach(async () => {
      queue = await makeQueue();
      prefix = `msg_${randomUUID().slice(0, 8)}_`;
      clock = startClock(options, 10 * LEASE_MS);
      T0 = clock.T0;
      SHORT = clock.shortLeaseMs;
      // With the real clock a lease's last millisecond is a race with Redis's timer: check well inside it.
      WITHIN_SHORT = clock.real ? SHORT / 2 : SHORT - 1;
    });

    afterEach(async () => {
      await queue.close();
    });

    const id = (label: string): string => prefix + label;

    const message = (label: string): MessageRecord => ({
      id: id(label),
      event: 'order.paid',
      body: JSON.stringify({ order: label, note: 'café ☕' }),
      createdAt: T0,
    });

    const to = (endpointId: string, at = T0): NewDelivery => ({
      endpointId,
      url: `https://${endpointId}.example.com/hooks`,
      nextAttemptAt: at,
    });

    /** Enqueues message `label` to the given endpoints (all due at `at`). */
    const send = (label: string, endpoints: readonly string[], at = T0): Promise<void> =>
      queue.enqueue(
        message(label),
        endpoints.map((endpointId) => to(endpointId, at)),
      );

    const lease = async (now: number, request: Partial<Omit<LeaseRequest, 'now'>> = {}): Promise<Lease[]> => {
      await clock.reach(now);
      return queue.lease({ now, limit: 100, leaseMs: LEASE_MS, ...request });
    };

    /**
     * Leases at `now`, when a lease taken earlier has just expired. A real-clock queue may hand the delivery
     * out a little later (BullMQ: at its next stalled check), so the suite asks again for a bounded time.
     */
    const leaseAfterExpiry = (now: number, request: Partial<Omit<LeaseRequest, 'now'>> = {}): Promise<Lease[]> =>
      clock.real
        ? clock
            .reach(now)
            .then(() => retryUntilNonEmpty(() => lease(Date.now(), request), options.expiryWaitMs ?? 15_000))
        : lease(now, request);

    const attempt = (number: number, at: number, status?: number): AttemptRecord => ({
      attempt: number,
      startedAt: at,
      durationMs: 12,
      ...(status === undefined ? { errorCode: 'connection-refused', error: 'ECONNREFUSED' } : { status }),
    });

    /** "message/endpoint", the identity of one delivery. */
    const key = (l: Lease): string => `${l.message.id.slice(prefix.length)}/${l.delivery.endpointId}`;

    const deliveryOf = async (label: string, endpointId: string) => {
      const view = await queue.getMessage(id(label));
      return view?.deliveries.find((d) => d.endpointId === endpointId);
    };

    describe('enqueue', () => {
      it('counts nothing pending in a new queue', async () => {
        expect(await queue.countPending()).toBe(0);
        expect(await queue.nextDueAt()).toBeUndefined();
        expect(await lease(T0)).toEqual([]);
      });

      it('counts every delivery of every message as pending', async () => {
        await send('a', ['e1', 'e2']);
        await send('b', ['e1']);
        expect(await queue.countPending()).toBe(3);
      });

      it('shows the message and all its deliveries, pending and untried, in getMessage', async () => {
        await queue.enqueue(message('a'), [to('e1', T0), to('e2', at(5)), to('e3', at(10))]);
        const view = await queue.getMessage(id('a'));
        expect(view?.message).toEqual(message('a'));
        expect(view?.deliveries).toHaveLength(3);
        const byEndpoint = [...(view?.deliveries ?? [])].sort((x, y) => x.endpointId.localeCompare(y.endpointId));
        expect(byEndpoint).toMatchObject([
          { messageId: id('a'), endpointId: 'e1', url: 'https://e1.example.com/hooks', nextAttemptAt: T0 },
          { messageId: id('a'), endpointId: 'e2', url: 'https://e2.example.com/hooks', nextAttemptAt: at(5) },
          { messageId: id('a'), endpointId: 'e3', url: 'https://e3.example.com/hooks', nextAttemptAt: at(10) },
        ]);
        for (const delivery of byEndpoint) {
          expect(delivery).toMatchObject({ status: 'pending', attempts: [], scheduleBase: 0 });
        }
      });

      it('returns undefined from getMessage for an unknown message', async () => {
        expect(await queue.getMessage(id('nope'))).toBeUndefined();
      });

      it('rejects a second enqueue of the same message id and keeps the first', async () => {
        await send('a', ['e1']);
        const duplicate = await send('a', ['e2', 'e3']).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(duplicate).toBeInstanceOf(DeliveryQueueError);
        expect(duplicate).toMatchObject({ code: 'duplicate-message', message: expect.stringContaining(id('a')) });
        expect(await queue.countPending()).toBe(1);
        const view = await queue.getMessage(id('a'));
        expect(view?.deliveries.map((d) => d.endpointId)).toEqual(['e1']);
      });
    });

    describe('lease', () => {
      it('never hands out work that is not yet due', async () => {
        await send('a', ['e1'], at(100));
        expect(await lease(T0)).toEqual([]);
        expect(await lease(at(99))).toEqual([]);
        expect((await lease(at(100))).map(key)).toEqual(['a/e1']);
      });

      it('hands out the message, the delivery and a token, leased until now + leaseMs', async () => {
        await send('a', ['e1']);
        const [only, ...rest] = await lease(at(7), { leaseMs: 1_234 });
        expect(rest).toEqual([]);
        expect(only?.token).toEqual(expect.any(String));
        expect(only?.message).toEqual(message('a'));
        expect(only?.delivery).toMatchObject({ messageId: id('a'), endpointId: 'e1', attempts: [], scheduleBase: 0 });
        expect(only?.leasedUntil).toBe(at(7) + 1_234);
      });

      it('hands out the oldest due first, across endpoints', async () => {
        await send('a', ['e1'], at(300));
        await send('b', ['e2'], at(100));
        await send('c', ['e1'], at(200));
        await send('d', ['e3'], at(50));
        expect((await lease(at(1_000))).map(key)).toEqual(['d/e3', 'b/e2', 'c/e1', 'a/e1']);
      });

      it('keeps first-in first-out order among deliveries due at the same time', async () => {
        await send('a', ['e1']);
        await send('b', ['e2']);
        await send('c', ['e1']);
        await send('d', ['e2']);
        expect((await lease(T0, { limit: 2 })).map(key)).toEqual(['a/e1', 'b/e2']);
        expect((await lease(T0, { limit: 2 })).map(key)).toEqual(['c/e1', 'd/e2']);
      });

      it('hands out at most `limit` leases per call', async () => {
        for (const label of ['a', 'b', 'c', 'd', 'e']) await send(label, ['e1']);
        expect((await lease(T0, { limit: 2 })).map(key)).toEqual(['a/e1', 'b/e1']);
        expect((await lease(T0, { limit: 2 })).map(key)).toEqual(['c/e1', 'd/e1']);
        expect((await lease(T0, { limit: 2 })).map(key)).toEqual(['e/e1']);
        expect(await lease(T0, { limit: 2 })).toEqual([]);
      });

      it("gives an endpoint no more than its capacity, and still leases other endpoints' work", async () => {
        for (const label of ['a', 'b', 'c', 'd', 'e']) await send(label, ['slow']);
        await send('f', ['fast']);
        await send('g', ['fast']);
        const capacity = (endpointId: string) => (endpointId === 'slow' ? 1 : 10);
        const leases = await lease(T0, { limit: 10, endpointCapacity: capacity });
        expect(leases.map(key)).toEqual(['a/slow', 'f/fast', 'g/fast']);
      });

      it('leases nothing for an endpoint with no capacity', async () => {
        await send('a', ['full']);
        await send('b', ['free']);
        const capacity = (endpointId: string) => (endpointId === 'full' ? 0 : 1);
        expect((await lease(T0, { endpointCapacity: capacity })).map(key)).toEqual(['b/free']);
        expect((await lease(T0)).map(key)).toEqual(['a/full']);
      });

      it('does not lease a delivery again while its lease lasts', async () => {
        await send('a', ['e1']);
        expect(await lease(T0, { leaseMs: SHORT })).toHaveLength(1);
        expect(await lease(T0)).toEqual([]);
        expect(await lease(T0 + WITHIN_SHORT)).toEqual([]);
      });

      it('leases it again once the lease has expired (a crashed holder), with a new token', async () => {
        await send('a', ['e1']);
        const [first] = await lease(T0, { leaseMs: SHORT });
        const [second, ...rest] = await leaseAfterExpiry(T0 + SHORT, { leaseMs: SHORT });
        expect(rest).toEqual([]);
        expect(second && key(second)).toBe('a/e1');
        expect(second?.token).not.toBe(first?.token);
        expect(clock.isAbout(second?.leasedUntil, T0 + 2 * SHORT)).toBe(true);
        expect(await queue.countPending()).toBe(1);
      });

      it('keeps a leased delivery pending', async () => {
        await send('a', ['e1']);
        await lease(T0);
        expect(await queue.countPending()).toBe(1);
        expect((await deliveryOf('a', 'e1'))?.status).toBe('pending');
      });

      it('never hands the same delivery to two lease calls made at once', async () => {
        for (let n = 0; n < 12; n += 1) await send(`m${n}`, ['e1', 'e2', 'e3']);
        const [left, right] = await Promise.all([lease(T0, { limit: 20 }), lease(T0, { limit: 20 })]);
        const keys = [...(left ?? []), ...(right ?? [])].map(key);
        expect(keys).toHaveLength(36);
        expect(new Set(keys).size).toBe(36);
      });

      it('never lets two interleaved workers hold the same delivery at once', async () => {
        const endpoints = ['e1', 'e2', 'e3'];
        for (let n = 0; n < 30; n += 1) await send(`m${n}`, [endpoints[n % 3] as string], at((n % 7) * 10));
        const held = new Map<string, { worker: string; lease: Lease }>();
        const workers = ['A', 'B'];
        let offset = 0;
        let delivered = 0;
        for (let step = 0; step < 200 && delivered < 30; step += 1) {
          const worker = workers[step % 2] as string;
          offset += 5;
          const now = at(offset);
          for (const got of await lease(now, { limit: 3, leaseMs: 60_000 })) {
            expect(held.get(key(got))).toBeUndefined();
            held.set(key(got), { worker, lease: got });
          }
          // Each worker settles one of its own leases per turn: every third one fails and comes back later.
          const mine = [...held.entries()].find(([, h]) => h.worker === worker);
          if (!mine) continue;
          const [k, { lease: own }] = mine;
          held.delete(k);
          const failed = step % 3 === 0 && own.delivery.attempts.length === 0;
          const settlement: Settlement = failed
            ? { status: 'pending', nextAttemptAt: at(offset + 20) }
            : { status: 'delivered' };
          const record = attempt(own.delivery.attempts.length + 1, now, failed ? 503 : 200);
          expect(await queue.settle(own, record, settlement)).toBe(true);
          if (!failed) delivered += 1;
        }
        expect(delivered).toBe(30);
        expect(await queue.countPending()).toBe(0);
      });
    });

    describe('settle', () => {
      it('drops a delivered delivery from the pending count and never leases it again', async () => {
        await send('a', ['e1']);
        const [got] = await lease(T0);
        expect(await queue.settle(got as Lease, attempt(1, T0, 200), { status: 'delivered' })).toBe(true);
        expect(await queue.countPending()).toBe(0);
        expect(await lease(clock.later())).toEqual([]);
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'delivered', attempts: [attempt(1, T0, 200)] });
      });

      it.each(['exhausted', 'disabled'] as const)('drops an %s delivery from the pending count', async (status) => {
        await send('a', ['e1', 'e2']);
        const [got] = await lease(T0, { limit: 1 });
        expect(await queue.settle(got as Lease, attempt(1, T0, 503), { status })).toBe(true);
        expect(await queue.countPending()).toBe(1);
        expect((await deliveryOf('a', 'e1'))?.status).toBe(status);
        expect((await lease(clock.later())).map(key)).toEqual(['a/e2']);
      });

      it('records no attempt when settled without one (a skipped delivery)', async () => {
        await send('a', ['e1']);
        const [got] = await lease(T0);
        expect(await queue.settle(got as Lease, undefined, { status: 'disabled' })).toBe(true);
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'disabled', attempts: [] });
      });

      it('reschedules a pending settlement: not due before nextAttemptAt, due from it', async () => {
        await send('a', ['e1']);
        const [got] = await lease(T0);
        expect(
          await queue.settle(got as Lease, attempt(1, T0, 503), { status: 'pending', nextAttemptAt: at(5_000) }),
        ).toBe(true);
        expect(await queue.countPending()).toBe(1);
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'pending', nextAttemptAt: at(5_000) });
        expect(await lease(at(4_999))).toEqual([]);
        const [again] = await lease(at(5_000));
        expect(again && key(again)).toBe('a/e1');
        expect(again?.delivery.attempts).toEqual([attempt(1, T0, 503)]);
      });

      it('appends attempts in order and keeps them after the delivery ends', async () => {
        await send('a', ['e1']);
        let offset = 0;
        for (const [number, status] of [
          [1, 500],
          [2, undefined],
        ] as const) {
          const [got] = await lease(at(offset));
          expect(got?.delivery.attempts).toHaveLength(number - 1);
          await queue.settle(got as Lease, attempt(number, at(offset), status), {
            status: 'pending',
            nextAttemptAt: at(offset + 10),
          });
          offset += 10;
        }
        const [last] = await lease(at(offset));
        await queue.settle(last as Lease, attempt(3, at(offset), 200), { status: 'delivered' });
        expect((await deliveryOf('a', 'e1'))?.attempts).toEqual([
          attempt(1, T0, 500),
          attempt(2, at(10), undefined),
          attempt(3, at(20), 200),
        ]);
      });

      it('returns false and changes nothing for a second settle with the same token', async () => {
        await send('a', ['e1']);
        const [got] = await lease(T0);
        expect(await queue.settle(got as Lease, attempt(1, T0, 200), { status: 'delivered' })).toBe(true);
        expect(await queue.settle(got as Lease, attempt(2, T0, 503), { status: 'exhausted' })).toBe(false);
        expect(await queue.settle(got as Lease, attempt(2, T0, 503), { status: 'pending', nextAttemptAt: T0 })).toBe(
          false,
        );
        expect(await queue.countPending()).toBe(0);
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'delivered', attempts: [attempt(1, T0, 200)] });
        expect(await lease(clock.later())).toEqual([]);
      });

      it('returns false and changes nothing for a lease that expired and was leased again', async () => {
        await send('a', ['e1']);
        const [stale] = await lease(T0, { leaseMs: SHORT });
        const [fresh] = await leaseAfterExpiry(T0 + SHORT, { leaseMs: SHORT });
        expect(await queue.settle(stale as Lease, attempt(1, T0, 200), { status: 'delivered' })).toBe(false);
        expect(await queue.countPending()).toBe(1);
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'pending', attempts: [] });
        expect(await lease(T0 + SHORT + SHORT / 2)).toEqual([]);
        expect(await queue.settle(fresh as Lease, attempt(1, T0 + SHORT, 200), { status: 'delivered' })).toBe(true);
        expect(await deliveryOf('a', 'e1')).toMatchObject({
          status: 'delivered',
          attempts: [attempt(1, T0 + SHORT, 200)],
        });
      });

      it('settles each delivery of a message on its own', async () => {
        await send('a', ['e1', 'e2']);
        const leases = await lease(T0);
        const e2 = leases.find((l) => l.delivery.endpointId === 'e2');
        await queue.settle(e2 as Lease, attempt(1, T0, 410), { status: 'disabled' });
        expect((await deliveryOf('a', 'e1'))?.status).toBe('pending');
        expect((await deliveryOf('a', 'e2'))?.status).toBe('disabled');
      });
    });

    describe('redeliver', () => {
      /** Message `label` with e1 delivered, e2 exhausted after 2 attempts, e3 disabled, e4 still pending. */
      const settleEveryWay = async (label: string): Promise<void> => {
        await send(label, ['e1', 'e2', 'e3', 'e4']);
        const byEndpoint = new Map((await lease(T0)).map((l) => [l.delivery.endpointId, l]));
        const get = (endpointId: string) => byEndpoint.get(endpointId) as Lease;
        await queue.settle(get('e1'), attempt(1, T0, 200), { status: 'delivered' });
        await queue.settle(get('e2'), attempt(1, T0, 500), { status: 'pending', nextAttemptAt: at(10) });
        await queue.settle(get('e3'), attempt(1, T0, 410), { status: 'disabled' });
        await queue.settle(get('e4'), attempt(1, T0, 503), { status: 'pending', nextAttemptAt: at(99_000) });
        const [e2] = await lease(at(10));
        await queue.settle(e2 as Lease, attempt(2, at(10), 500), { status: 'exhausted' });
      };

      it('resets exhausted and disabled deliveries, due at now, and returns how many', async () => {
        await settleEveryWay('a');
        expect(await queue.countPending()).toBe(1);
        expect(await queue.redeliver(id('a'), { now: at(50_000) })).toBe(2);
        expect(await queue.countPending()).toBe(3);
        expect(await deliveryOf('a', 'e2')).toMatchObject({
          status: 'pending',
          nextAttemptAt: at(50_000),
          scheduleBase: 2,
          attempts: [attempt(1, T0, 500), attempt(2, at(10), 500)],
        });
        expect(await deliveryOf('a', 'e3')).toMatchObject({
          status: 'pending',
          nextAttemptAt: at(50_000),
          scheduleBase: 1,
          attempts: [attempt(1, T0, 410)],
        });
      });

      it('leaves delivered and pending deliveries alone', async () => {
        await settleEveryWay('a');
        await queue.redeliver(id('a'), { now: at(50_000) });
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'delivered', scheduleBase: 0 });
        expect(await deliveryOf('a', 'e4')).toMatchObject({
          status: 'pending',
          nextAttemptAt: at(99_000),
          scheduleBase: 0,
        });
      });

      it('makes the reset deliveries due at now, not before, carrying their attempt log', async () => {
        await settleEveryWay('a');
        await queue.redeliver(id('a'), { now: at(50_000) });
        expect(await lease(at(49_999))).toEqual([]);
        const leases = await lease(at(50_000));
        expect(leases.map(key).sort()).toEqual(['a/e2', 'a/e3']);
        const e2 = leases.find((l) => l.delivery.endpointId === 'e2');
        expect(e2?.delivery).toMatchObject({ scheduleBase: 2, attempts: [{ attempt: 1 }, { attempt: 2 }] });
      });

      it('resets only the given endpoint', async () => {
        await settleEveryWay('a');
        expect(await queue.redeliver(id('a'), { now: at(50_000), endpointId: 'e3' })).toBe(1);
        expect((await deliveryOf('a', 'e2'))?.status).toBe('exhausted');
        expect((await deliveryOf('a', 'e3'))?.status).toBe('pending');
        expect(await queue.countPending()).toBe(2);
      });

      it('returns 0 when nothing is exhausted or disabled, or the endpoint or message is unknown', async () => {
        await settleEveryWay('a');
        expect(await queue.redeliver(id('a'), { now: T0, endpointId: 'e1' })).toBe(0);
        expect(await queue.redeliver(id('a'), { now: T0, endpointId: 'e4' })).toBe(0);
        expect(await queue.redeliver(id('a'), { now: T0, endpointId: 'nowhere' })).toBe(0);
        expect(await queue.redeliver(id('unknown'), { now: T0 })).toBe(0);
        expect(await queue.countPending()).toBe(1);
      });

      it('can run again after the redelivered attempts are exhausted', async () => {
        await send('a', ['e1']);
        let [got] = await lease(T0);
        await queue.settle(got as Lease, attempt(1, T0, 500), { status: 'exhausted' });
        expect(await queue.redeliver(id('a'), { now: at(100) })).toBe(1);
        [got] = await lease(at(100));
        await queue.settle(got as Lease, attempt(2, at(100), 500), { status: 'exhausted' });
        expect(await queue.redeliver(id('a'), { now: at(200) })).toBe(1);
        expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'pending', scheduleBase: 2 });
        [got] = await lease(at(200));
        expect(got?.delivery.attempts.map((a) => a.attempt)).toEqual([1, 2]);
      });
    });

    describe('nextDueAt', () => {
      it('is the earliest due time', async () => {
        await send('a', ['e1'], at(500));
        await send('b', ['e2'], at(100));
        await send('c', ['e1'], at(300));
        expect(await queue.nextDueAt()).toBe(at(100));
      });

      it('ignores endpoints without capacity', async () => {
        await send('a', ['e1'], at(500));
        await send('b', ['e2'], at(100));
        expect(await queue.nextDueAt((endpointId) => (endpointId === 'e2' ? 0 : 1))).toBe(at(500));
        expect(await queue.nextDueAt(() => 0)).toBeUndefined();
      });

      it('is the expiry of a lease when that comes first', async () => {
        await send('a', ['e1'], T0);
        await send('b', ['e2'], T0 + 10 * SHORT);
        await lease(T0, { leaseMs: SHORT });
        expect(clock.isAbout(await queue.nextDueAt(), T0 + SHORT)).toBe(true);
      });

      it('follows a rescheduled delivery', async () => {
        await send('a', ['e1'], T0);
        const [got] = await lease(T0, { leaseMs: SHORT });
        await queue.settle(got as Lease, attempt(1, T0, 503), { status: 'pending', nextAttemptAt: at(7_000) });
        expect(await queue.nextDueAt()).toBe(at(7_000));
      });

      it('is undefined once everything has ended', async () => {
        await send('a', ['e1'], T0);
        const [got] = await lease(T0);
        await queue.settle(got as Lease, attempt(1, T0, 200), { status: 'delivered' });
        expect(await queue.nextDueAt()).toBeUndefined();
      });
    });
  });

  describe(
    `${name} keeps the DeliveryQueue contract: disabled deliveries, resends, message fields`,
    { timeout },
    () => {
      describeQueueStatusContract(makeQueue, options);
    },
  );
}
