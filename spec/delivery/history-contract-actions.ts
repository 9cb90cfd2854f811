import { describe, expect, it } from 'vitest';
import type { Lease, PruneOptions } from '../../lib/delivery';
import type { ContractFixture } from './contract-fixture';
import { FAR, historyHelpers, type HistoryQueue, type PlannedMessage } from './history-fixture';

/** endpointStats, recover, erasePayload and prune. */
export function describeHistoryActions(f: ContractFixture<HistoryQueue>): void {
  const h = historyHelpers(f);
  const stateOf = async (label: string, endpointId = 'e1') =>
    (await f.queue.getMessage(f.id(label)))?.deliveries.find((d) => d.endpointId === endpointId);

  describe('endpointStats', () => {
    /** Endpoint e1's deliveries in every state inside [created(10), created(50)), and some outside it. */
    const window: readonly PlannedMessage[] = [
      { label: 'old', at: 9, deliveries: { e1: 'delivered' } },
      { label: 'p', at: 10, deliveries: { e1: 'pending' } },
      { label: 'f1', at: 20, deliveries: { e1: 'failing' } },
      { label: 'f2', at: 21, deliveries: { e1: 'failing' } },
      { label: 'd1', at: 30, deliveries: { e1: 'delivered', e2: 'failing' } },
      { label: 'd2', at: 31, owner: 'acme', deliveries: { e1: 'delivered' } },
      { label: 'd3', at: 32, deliveries: { e1: 'delivered' } },
      { label: 'x', at: 40, deliveries: { e1: 'exhausted' } },
      { label: 'dis', at: 41, deliveries: { e1: 'disabled' } },
      { label: 'gone', at: 42, deliveries: { e1: 'gone' } },
      { label: 'c', at: 43, deliveries: { e1: 'pending', e3: 'delivered' }, erase: true },
      { label: 'r', at: 44, deliveries: { e1: 'redelivered' } },
      { label: 'mixed', at: 45, deliveries: { e1: 'pending', e2: 'delivered' } },
      { label: 'late', at: 50, deliveries: { e1: 'exhausted' } },
      { label: 'later', at: 60, deliveries: { e1: 'delivered' } },
    ];

    it('counts the endpoint’s deliveries by state over the window, with its last success and failure', async () => {
      await h.build(window);
      const range = { since: h.created(10), until: h.created(50) };
      expect(await f.queue.endpointStats('e1', range)).toEqual({
        endpointId: 'e1',
        ...range,
        pending: 3,
        failing: 2,
        delivered: 3,
        exhausted: 1,
        disabled: 2,
        lastSuccessAt: h.created(32) + 1_000,
        lastFailureAt: h.created(44) + 1_000,
      });
    });

    it('counts another endpoint on its own', async () => {
      await h.build(window);
      expect(await f.queue.endpointStats('e2', { since: h.created(0), until: h.created(100) })).toEqual({
        endpointId: 'e2',
        since: h.created(0),
        until: h.created(100),
        pending: 0,
        failing: 1,
        delivered: 1,
        exhausted: 0,
        disabled: 0,
        lastSuccessAt: h.created(45) + 1_000,
        lastFailureAt: h.created(30) + 1_000,
      });
    });

    it('gives zeros and no times for an endpoint or a window without deliveries', async () => {
      await h.build(window);
      const zero = { pending: 0, failing: 0, delivered: 0, exhausted: 0, disabled: 0 };
      const range = { since: h.created(10), until: h.created(50) };
      expect(await f.queue.endpointStats('nowhere', range)).toEqual({ endpointId: 'nowhere', ...range, ...zero });
      const empty = { since: h.created(1_000), until: h.created(2_000) };
      expect(await f.queue.endpointStats('e1', empty)).toEqual({ endpointId: 'e1', ...empty, ...zero });
      const pendingOnly = { since: h.created(10), until: h.created(11) };
      expect(await f.queue.endpointStats('e1', pendingOnly)).toEqual({
        endpointId: 'e1',
        ...pendingOnly,
        ...zero,
        pending: 1,
      });
    });
  });

  it.each([
    ['endpointStats without until', () => f.queue.endpointStats('e1', { since: 0 } as never)],
    ['endpointStats with since NaN', () => f.queue.endpointStats('e1', { since: Number.NaN, until: 1 })],
    ['recover with since as a string', () => f.queue.recover('e1', { now: f.T0, since: '0' } as never)],
    ['recover without now', () => f.queue.recover('e1', { since: 0 } as never)],
  ])('refuses %s with invalid-query', async (_, call) => {
    const error = await h.rejection(call());
    expect(error.code).toBe('invalid-query');
  });

  describe('recover', () => {
    const plan: readonly PlannedMessage[] = [
      { label: 'before', at: 9, deliveries: { e1: 'exhausted' } },
      { label: 'x', at: 10, deliveries: { e1: 'exhausted', e2: 'exhausted' } },
      { label: 'gone', at: 11, deliveries: { e1: 'gone' } },
      { label: 'dis', at: 12, owner: 'acme', deliveries: { e1: 'disabled' } },
      { label: 'd', at: 13, deliveries: { e1: 'delivered' } },
      { label: 'f', at: 14, deliveries: { e1: 'failing' } },
      { label: 'p', at: 15, deliveries: { e1: 'pending' } },
      { label: 'c', at: 16, deliveries: { e1: 'pending', e2: 'delivered' }, erase: true },
      { label: 'at-until', at: 20, deliveries: { e1: 'exhausted' } },
    ];

    it('restarts the endpoint’s exhausted and disabled deliveries in [since, until), due at now', async () => {
      await h.build(plan);
      const pendingBefore = await f.queue.countPending();
      const now = f.clock.at(100);
      expect(await f.queue.recover('e1', { now, since: h.created(10), until: h.created(20) })).toBe(3);
      expect(await f.queue.countPending()).toBe(pendingBefore + 3);
      expect(await stateOf('x')).toMatchObject({ status: 'pending', nextAttemptAt: now, scheduleBase: 1 });
      expect((await stateOf('x'))?.attempts).toEqual([h.attemptOf(plan[1] as PlannedMessage, 1)]);
      expect(await stateOf('gone')).toMatchObject({ status: 'pending', nextAttemptAt: now, scheduleBase: 1 });
      expect(await stateOf('dis')).toMatchObject({ status: 'pending', nextAttemptAt: now, scheduleBase: 0 });
      const leased = await f.lease(now);
      expect(leased.map((l) => `${f.label(l.message.id)}/${l.delivery.endpointId}`).sort()).toEqual([
        'dis/e1',
        'gone/e1',
        'x/e1',
      ]);
    });

    it('leaves other states, other endpoints and messages outside the window alone', async () => {
      await h.build(plan);
      await f.queue.recover('e1', { now: f.clock.at(100), since: h.created(10), until: h.created(20) });
      expect((await stateOf('before'))?.status).toBe('exhausted');
      expect((await stateOf('at-until'))?.status).toBe('exhausted');
      expect((await stateOf('x', 'e2'))?.status).toBe('exhausted');
      expect(await stateOf('d')).toMatchObject({ status: 'delivered', scheduleBase: 0 });
      expect(await stateOf('f')).toMatchObject({ status: 'pending', nextAttemptAt: f.T0 + FAR, scheduleBase: 0 });
      expect(await stateOf('p')).toMatchObject({ status: 'pending', nextAttemptAt: f.T0 + FAR, attempts: [] });
      expect((await stateOf('c'))?.status).toBe('cancelled');
    });

    it('has no upper bound without until, and returns 0 when nothing matches', async () => {
      await h.build(plan);
      expect(await f.queue.recover('e1', { now: f.clock.at(100), since: h.created(11) })).toBe(3);
      expect((await stateOf('at-until'))?.status).toBe('pending');
      expect(await f.queue.recover('e1', { now: f.clock.at(100), since: h.created(0) })).toBe(2);
      expect(await f.queue.recover('e1', { now: f.clock.at(100), since: h.created(0) })).toBe(0);
      expect(await f.queue.recover('nowhere', { now: f.clock.at(100), since: h.created(0) })).toBe(0);
    });
  });

  describe('erasePayload', () => {
    it('empties the body, stamps erasedAt and cancels the pending deliveries, keeping every record', async () => {
      const plan: PlannedMessage = {
        label: 'a',
        at: 1,
        owner: 'acme',
        deliveries: { e1: 'pending', e2: 'delivered', e3: 'exhausted', e4: 'failing' },
      };
      await h.build([plan]);
      const before = await f.queue.getMessage(f.id('a'));
      const now = f.clock.at(50);
      expect(await f.queue.erasePayload(f.id('a'), { now })).toBe(true);
      const after = await f.queue.getMessage(f.id('a'));
      expect(after?.message).toEqual({ ...h.record(plan), body: '', erasedAt: now });
      const was = new Map(before?.deliveries.map((d) => [d.endpointId, d]));
      const byEndpoint = new Map(after?.deliveries.map((d) => [d.endpointId, d]));
      expect(byEndpoint.get('e1')).toEqual({ ...was.get('e1'), status: 'cancelled', nextAttemptAt: undefined });
      expect(byEndpoint.get('e1')?.nextAttemptAt).toBeUndefined();
      expect(byEndpoint.get('e2')).toEqual(was.get('e2'));
      expect(byEndpoint.get('e3')).toEqual(was.get('e3'));
      expect(byEndpoint.get('e4')).toMatchObject({ status: 'cancelled', attempts: [h.attemptOf(plan, 1, 503)] });
      expect(await f.queue.countPending()).toBe(0);
      expect(await f.queue.nextDueAt()).toBeUndefined();
      expect(await f.lease(f.clock.later())).toEqual([]);
    });

    it('returns false for an unknown message, and keeps the first erasedAt when erased again', async () => {
      await h.build([{ label: 'a', at: 1, deliveries: { e1: 'delivered' } }]);
      expect(await f.queue.erasePayload(f.id('unknown'), { now: f.T0 })).toBe(false);
      expect(await f.queue.erasePayload(f.id('a'), { now: f.T0 })).toBe(true);
      expect(await f.queue.erasePayload(f.id('a'), { now: f.T0 + 5 })).toBe(true);
      expect((await f.queue.getMessage(f.id('a')))?.message).toMatchObject({ body: '', erasedAt: f.T0 });
      expect(await h.list({ status: 'delivered' })).toEqual(['a']);
    });

    it('never lets redeliver or recover restart a cancelled delivery', async () => {
      await h.build([{ label: 'a', at: 1, deliveries: { e1: 'pending', e2: 'exhausted' } }]);
      await f.queue.erasePayload(f.id('a'), { now: f.T0 });
      expect(await f.queue.redeliver(f.id('a'), { now: f.T0, endpointId: 'e1', includeDelivered: true })).toBe(0);
      expect(await f.queue.recover('e1', { now: f.T0, since: 0 })).toBe(0);
      expect((await stateOf('a'))?.status).toBe('cancelled');
      expect(await f.queue.countPending()).toBe(0);
    });

    it('lets a leased delivery’s settle record its attempt, keeping it cancelled and never sending again', async () => {
      await f.queue.enqueue(h.record({ label: 'b', at: 2, deliveries: {} }), [
        { endpointId: 'e1', url: 'https://e1.example.com/hooks', nextAttemptAt: f.T0 },
        { endpointId: 'e2', url: 'https://e2.example.com/hooks', nextAttemptAt: f.T0 },
      ]);
      const leases = await f.lease(f.T0, { leaseMs: f.clock.shortLeaseMs });
      expect(leases).toHaveLength(2);
      const [e1, e2] = ['e1', 'e2'].map((ep) => leases.find((l) => l.delivery.endpointId === ep) as Lease);
      expect(await f.queue.erasePayload(f.id('b'), { now: f.T0 })).toBe(true);
      expect(await f.queue.countPending()).toBe(0);
      expect(await f.queue.nextDueAt()).toBeUndefined();

      const sent = h.attemptOf({ label: 'b', at: 2, deliveries: {} }, 1, 200);
      expect(await f.queue.settle(e1 as Lease, sent, { status: 'delivered' })).toBe(true);
      expect(await stateOf('b', 'e1')).toMatchObject({ status: 'cancelled', attempts: [sent] });
      const failed = h.attemptOf({ label: 'b', at: 2, deliveries: {} }, 1, 503);
      expect(await f.queue.settle(e2 as Lease, failed, { status: 'pending', nextAttemptAt: f.T0 })).toBe(true);
      expect(await stateOf('b', 'e2')).toMatchObject({ status: 'cancelled', attempts: [failed] });
      expect(await f.queue.countPending()).toBe(0);
      expect(await f.lease(f.T0 + f.clock.shortLeaseMs)).toEqual([]);
      expect(await f.queue.nextDueAt()).toBeUndefined();
    });
  });

  describe('prune', () => {
    /** Finished in every way (f1..f6), and unfinished ones (old and new) that prune never touches. */
    const plan: readonly PlannedMessage[] = [
      { label: 'pending', at: 0, deliveries: { e1: 'pending' } },
      { label: 'failing', at: 0, deliveries: { e1: 'failing', e2: 'delivered' } },
      { label: 'redelivered', at: 0, deliveries: { e1: 'redelivered' } },
      { label: 'f1', at: 1, deliveries: { e1: 'delivered', e2: 'exhausted' } },
      { label: 'f2', at: 2, deliveries: { e1: 'disabled' } },
      { label: 'f3', at: 3, deliveries: { e1: 'gone' } },
      { label: 'f4', at: 4, deliveries: { e1: 'pending' }, erase: true },
      { label: 'f5', at: 5, deliveries: {} },
      { label: 'f6', at: 6, deliveries: { e1: 'delivered' } },
      { label: 'new', at: 7, deliveries: { e1: 'pending' } },
    ];
    const unfinished = ['new', 'redelivered', 'pending', 'failing'];

    it('deletes finished messages created before olderThan, with their deliveries, and returns how many', async () => {
      await h.build(plan);
      expect(await f.queue.prune({ olderThan: h.created(4) })).toBe(3);
      for (const label of ['f1', 'f2', 'f3']) expect(await f.queue.getMessage(f.id(label))).toBeUndefined();
      expect(await h.list()).toEqual(['new', 'f6', 'f5', 'f4', ...unfinished.slice(1)]);
      expect(await f.queue.redeliver(f.id('f1'), { now: f.T0 })).toBe(0);
      const stats = await f.queue.endpointStats('e1', { since: h.created(0), until: h.created(100) });
      expect(stats).toMatchObject({ delivered: 1, exhausted: 0, disabled: 0, pending: 3, failing: 1 });
    });

    it('keeps only the newest keepMessages finished ones, never counting or deleting unfinished ones', async () => {
      await h.build(plan);
      expect(await f.queue.prune({ keepMessages: 2 })).toBe(4);
      expect(await h.list()).toEqual(['new', 'f6', 'f5', ...unfinished.slice(1)]);
      expect(await f.queue.prune({ keepMessages: 2 })).toBe(0);
      expect(await f.queue.prune({ keepMessages: 0 })).toBe(2);
      expect(await h.list()).toEqual(unfinished);
      expect(await f.queue.countPending()).toBe(4);
    });

    it('deletes what either rule selects when both are given', async () => {
      await h.build(plan);
      expect(await f.queue.prune({ olderThan: h.created(2), keepMessages: 4 })).toBe(2);
      expect(await h.list()).toEqual(['new', 'f6', 'f5', 'f4', 'f3', ...unfinished.slice(1)]);
    });

    it('deletes nothing without a rule, and nothing unfinished however old', async () => {
      await h.build(plan);
      expect(await f.queue.prune({})).toBe(0);
      expect(await f.queue.prune({ olderThan: h.created(1_000) })).toBe(6);
      expect(await h.list()).toEqual(unfinished);
      expect(await f.queue.countPending()).toBe(4);
    });

    it.each([{ keepMessages: -1 }, { keepMessages: 1.5 }, { olderThan: Number.NaN }, { olderThan: '1' }])(
      'refuses %j with invalid-query',
      async (options) => {
        const error = await h.rejection(f.queue.prune(options as unknown as PruneOptions));
        expect(error.code).toBe('invalid-query');
      },
    );
  });
}
