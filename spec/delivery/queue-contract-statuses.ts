import { describe, expect, it } from 'vitest';
import type { DeliveryQueue, Lease, MessageRecord, NewDelivery } from '../../lib/delivery';
import type { QueueContractOptions } from './contract-clock';
import { attemptAt, useContractFixture } from './contract-fixture';

/**
 * The part of the DeliveryQueue contract added with the message history: deliveries recorded `disabled`
 * at send time, resends of delivered deliveries (`includeDelivered`), and the owner and erasure fields of
 * a message. Run by describeQueueContract, so every queue that runs that suite runs this too.
 */
export function describeQueueStatusContract(
  makeQueue: () => DeliveryQueue | Promise<DeliveryQueue>,
  options: QueueContractOptions,
): void {
  const f = useContractFixture(makeQueue, options);
  const FAR = 1_000_000_000;

  const message = (label: string, extra: Partial<MessageRecord> = {}): MessageRecord => ({
    id: f.id(label),
    event: 'order.paid',
    body: `{"order":"${label}"}`,
    createdAt: f.T0,
    ...extra,
  });
  const to = (endpointId: string, status?: 'pending' | 'disabled', at = f.T0): NewDelivery => ({
    endpointId,
    url: `https://${endpointId}.example.com/hooks`,
    nextAttemptAt: at,
    ...(status ? { status } : {}),
  });
  const deliveryOf = async (label: string, endpointId: string) =>
    (await f.queue.getMessage(f.id(label)))?.deliveries.find((d) => d.endpointId === endpointId);

  describe('a delivery enqueued as disabled (its endpoint was disabled at send time)', () => {
    it('is recorded disabled, untried, without a due time', async () => {
      await f.queue.enqueue(message('a'), [to('e1', 'disabled'), to('e2', 'pending')]);
      expect(await deliveryOf('a', 'e1')).toEqual({
        messageId: f.id('a'),
        endpointId: 'e1',
        url: 'https://e1.example.com/hooks',
        status: 'disabled',
        attempts: [],
        scheduleBase: 0,
      });
      expect((await deliveryOf('a', 'e2'))?.status).toBe('pending');
    });

    it('is never leased, not counted pending and not in nextDueAt', async () => {
      await f.queue.enqueue(message('a'), [to('e1', 'disabled')]);
      await f.queue.enqueue(message('b'), [to('e1', 'disabled'), to('e2', undefined, f.T0 + FAR)]);
      expect(await f.queue.countPending()).toBe(1);
      expect(await f.queue.nextDueAt()).toBe(f.T0 + FAR);
      expect(await f.lease(f.T0)).toEqual([]);
      expect(await f.queue.nextDueAt((endpointId) => (endpointId === 'e2' ? 0 : 1))).toBeUndefined();
    });

    it('is restarted by redeliver: pending, due at now, with a fresh schedule', async () => {
      await f.queue.enqueue(message('a'), [to('e1', 'disabled')]);
      const now = f.clock.at(100);
      expect(await f.queue.redeliver(f.id('a'), { now })).toBe(1);
      expect(await f.queue.countPending()).toBe(1);
      expect(await deliveryOf('a', 'e1')).toMatchObject({ status: 'pending', nextAttemptAt: now, scheduleBase: 0 });
      const [got] = await f.lease(now);
      expect(got?.delivery).toMatchObject({ messageId: f.id('a'), endpointId: 'e1', attempts: [] });
    });
  });

  describe('redeliver with includeDelivered (a resend)', () => {
    /** Message `label`: e1 delivered, e2 exhausted, e3 pending after a failure, e4 disabled at send. */
    const settleEveryWay = async (label: string): Promise<void> => {
      await f.queue.enqueue(message(label), [to('e1'), to('e2'), to('e3'), to('e4', 'disabled')]);
      const byEndpoint = new Map((await f.lease(f.T0)).map((l) => [l.delivery.endpointId, l]));
      const get = (endpointId: string) => byEndpoint.get(endpointId) as Lease;
      await f.queue.settle(get('e1'), attemptAt(1, f.T0, 200), { status: 'delivered' });
      await f.queue.settle(get('e2'), attemptAt(1, f.T0, 500), { status: 'exhausted' });
      await f.queue.settle(get('e3'), attemptAt(1, f.T0, 503), { status: 'pending', nextAttemptAt: f.T0 + FAR });
    };

    it('restarts delivered deliveries too, continuing their attempt log', async () => {
      await settleEveryWay('a');
      const now = f.clock.at(100);
      expect(await f.queue.redeliver(f.id('a'), { now, includeDelivered: true })).toBe(3);
      expect(await deliveryOf('a', 'e1')).toMatchObject({
        status: 'pending',
        nextAttemptAt: now,
        scheduleBase: 1,
        attempts: [attemptAt(1, f.T0, 200)],
      });
      expect((await deliveryOf('a', 'e2'))?.status).toBe('pending');
      expect((await deliveryOf('a', 'e4'))?.status).toBe('pending');
      expect(await deliveryOf('a', 'e3')).toMatchObject({
        status: 'pending',
        nextAttemptAt: f.T0 + FAR,
        scheduleBase: 0,
      });
      expect(await f.queue.countPending()).toBe(4);
      const leased = await f.lease(now);
      expect(leased.map((l) => l.delivery.endpointId).sort()).toEqual(['e1', 'e2', 'e4']);
    });

    it('leaves delivered deliveries alone without it', async () => {
      await settleEveryWay('a');
      expect(await f.queue.redeliver(f.id('a'), { now: f.clock.at(100) })).toBe(2);
      expect((await deliveryOf('a', 'e1'))?.status).toBe('delivered');
    });

    it('restarts only the given endpoint when one is named', async () => {
      await settleEveryWay('a');
      const now = f.clock.at(100);
      expect(await f.queue.redeliver(f.id('a'), { now, endpointId: 'e1', includeDelivered: true })).toBe(1);
      expect(await f.queue.redeliver(f.id('a'), { now, endpointId: 'e3', includeDelivered: true })).toBe(0);
      expect((await deliveryOf('a', 'e2'))?.status).toBe('exhausted');
      expect(await f.queue.countPending()).toBe(2);
    });
  });

  describe('owner and erasedAt on the message record', () => {
    it('round-trip through getMessage and lease', async () => {
      const owned = message('a', { owner: 'acme' });
      const erased = message('b', { owner: 'globex', body: '', erasedAt: f.T0 - 5 });
      await f.queue.enqueue(owned, [to('e1')]);
      await f.queue.enqueue(erased, [to('e2', 'disabled')]);
      await f.queue.enqueue(message('c'), [to('e3', undefined, f.T0 + FAR)]);
      expect((await f.queue.getMessage(f.id('a')))?.message).toEqual(owned);
      expect((await f.queue.getMessage(f.id('b')))?.message).toEqual(erased);
      const plain = (await f.queue.getMessage(f.id('c')))?.message;
      expect(plain).toEqual(message('c'));
      expect(plain && 'owner' in plain).toBe(false);
      const [got] = await f.lease(f.T0);
      expect(got?.message).toEqual(owned);
    });
  });
}
