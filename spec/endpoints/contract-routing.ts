import { describe, expect, it } from 'vitest';
import type { EndpointInput } from '../../lib/endpoints';
import { T0, useStore, type MakeEndpointStore } from './contract-harness';

/** The client's read side: endpointsFor(event, owner) on every send, endpointById(id) before every attempt. */
export function describeRoutingContract(makeStore: MakeEndpointStore): void {
  const store = useStore(makeStore);

  const add = (id: string, fields: Partial<EndpointInput> = {}, createdAt = T0) =>
    store().create({ id, url: `https://${id}.example.com/h`, ...fields }, { now: createdAt });

  const idsFor = async (event: string, owner?: string) =>
    (await store().endpointsFor(event, owner)).map((endpoint) => endpoint.id);

  describe('endpointsFor', () => {
    it('answers the subscribed endpoints of exactly that owner, those without events included', async () => {
      await add('acme-all', { owner: 'acme' });
      await add('acme-paid', { owner: 'acme', events: ['order.paid'] });
      await add('acme-created', { owner: 'acme', events: ['order.created'] });
      await add('globex-all', { owner: 'globex' });
      await add('free-paid', { events: ['order.paid'] });
      expect(await idsFor('order.paid', 'acme')).toEqual(['acme-all', 'acme-paid']);
      expect(await idsFor('order.created', 'acme')).toEqual(['acme-all', 'acme-created']);
      expect(await idsFor('order.paid', 'globex')).toEqual(['globex-all']);
      expect(await idsFor('order.paid')).toEqual(['free-paid']);
      expect(await idsFor('order.created')).toEqual([]);
      expect(await idsFor('order.paid', 'initech')).toEqual([]);
    });

    it('answers disabled endpoints too, marked disabled, so that the client records the skipped delivery', async () => {
      await add('on');
      await add('off', { enabled: false }, T0 + 1);
      const endpoints = await store().endpointsFor('order.paid');
      expect(endpoints.map(({ id, enabled }) => ({ id, enabled }))).toEqual([
        { id: 'on', enabled: true },
        { id: 'off', enabled: false },
      ]);
    });

    it('answers in creation order', async () => {
      await add('late', { events: ['order.paid'] }, T0 + 30);
      await add('all', {}, T0 + 20);
      await add('early', { events: ['order.paid'] }, T0 + 10);
      await add('first-all', {}, T0);
      await store().update('early', { events: ['order.paid', 'order.created'] }, { now: T0 + 40 });
      expect(await idsFor('order.paid')).toEqual(['first-all', 'early', 'all', 'late']);
    });

    it('follows updates of events and deletions', async () => {
      await add('e1', { owner: 'acme', events: ['order.created'] });
      expect(await idsFor('order.paid', 'acme')).toEqual([]);
      await store().update('e1', { events: ['order.paid'] }, { now: T0 + 1 });
      expect(await idsFor('order.paid', 'acme')).toEqual(['e1']);
      expect(await idsFor('order.created', 'acme')).toEqual([]);
      await store().update('e1', { events: null }, { now: T0 + 2 });
      expect(await idsFor('user.deleted', 'acme')).toEqual(['e1']);
      await store().delete('e1');
      expect(await idsFor('user.deleted', 'acme')).toEqual([]);
    });

    it('answers what the client signs and sends with: url, events, headers, owner and the secret', async () => {
      const { secret } = await add('e1', {
        owner: 'acme',
        events: ['order.paid'],
        headers: { 'x-api-key': 'k' },
        description: 'for people',
        metadata: { plan: 'pro' },
      });
      const expected = {
        id: 'e1',
        owner: 'acme',
        url: 'https://e1.example.com/h',
        events: ['order.paid'],
        headers: { 'x-api-key': 'k' },
        enabled: true,
        secrets: [secret],
      };
      expect(await store().endpointsFor('order.paid', 'acme')).toEqual([expected]);
      expect(await store().endpointById('e1')).toEqual(expected);
    });
  });

  describe('endpointById', () => {
    it('answers an endpoint of any owner, and undefined for an unknown id', async () => {
      await add('mine', { owner: 'acme' });
      expect((await store().endpointById('mine'))?.owner).toBe('acme');
      expect(await store().endpointById('nobody')).toBeUndefined();
    });

    it('finds nothing by an id, owner or event that is not a string, even one that reads the same', async () => {
      await add('5', { owner: '7', events: ['1'] });
      expect(await store().endpointById(5 as never)).toBeUndefined();
      expect(await store().get(5 as never)).toBeUndefined();
      expect(await store().endpointsFor('1', 7 as never)).toEqual([]);
      expect(await store().endpointsFor(1 as never, '7')).toEqual([]);
      expect(await store().delete(5 as never)).toBe(false);
      expect((await store().endpointsFor('1', '7')).map((e) => e.id)).toEqual(['5']);
    });

    it('finds nothing by an id or owner holding a NUL character, which no stored endpoint has', async () => {
      await add('e1', { owner: 'acme' });
      expect(await store().get('e1\0')).toBeUndefined();
      expect(await store().endpointById('e1\0')).toBeUndefined();
      expect(await store().endpointsFor('order.paid', 'acme\0')).toEqual([]);
      expect(await store().list({ owner: 'acme\0' })).toEqual({ items: [] });
      expect(await store().delete('e1\0')).toBe(false);
      await expect(store().disable?.('e1\0', 'gone')).resolves.toBeUndefined();
      expect((await store().endpointsFor('order.paid', 'acme')).map((e) => e.id)).toEqual(['e1']);
    });

    it('sees a change at once: the next attempt uses the new url and enabled state', async () => {
      await add('e1');
      await store().update('e1', { url: 'https://moved.example.com/h' }, { now: T0 + 1 });
      await store().setEnabled('e1', false, { now: T0 + 2, reason: 'maintenance' });
      expect(await store().endpointById('e1')).toMatchObject({ url: 'https://moved.example.com/h', enabled: false });
    });
  });

  describe('disable and enable, as the client calls them', () => {
    it('disable keeps the reason and enable clears it, stamped with the current time', async () => {
      await add('e1');
      const before = Date.now();
      await store().disable?.('e1', 'gone');
      const disabled = await store().get('e1');
      expect(disabled).toMatchObject({ enabled: false, disabledReason: 'gone' });
      expect(disabled?.updatedAt).toBeGreaterThanOrEqual(before);
      await store().enable?.('e1');
      const enabled = await store().get('e1');
      expect(enabled?.enabled).toBe(true);
      expect(enabled).not.toHaveProperty('disabledReason');
    });

    it('ignores an id that is gone: the endpoint may have been deleted while an attempt was in flight', async () => {
      await expect(store().disable?.('deleted', 'gone')).resolves.toBeUndefined();
      await expect(store().enable?.('deleted')).resolves.toBeUndefined();
      expect(await store().get('deleted')).toBeUndefined();
    });
  });
}
