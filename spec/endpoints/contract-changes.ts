import { describe, expect, it } from 'vitest';
import { expectRefusal, T0, useStore, type MakeEndpointStore } from './contract-harness';

/** update(), setEnabled() and delete(). */
export function describeChangesContract(makeStore: MakeEndpointStore): void {
  const store = useStore(makeStore);
  const url = 'https://hooks.example.com/in';
  const full = {
    id: 'e1',
    owner: 'acme',
    url,
    events: ['order.paid'],
    description: 'Orders',
    headers: { 'x-api-key': 'k' },
    metadata: { plan: 'pro' },
  };

  describe('update', () => {
    it('changes the given fields, keeps the others, and stamps updatedAt', async () => {
      const { endpoint } = await store().create(full, { now: T0 });
      const updated = await store().update(
        'e1',
        { url: 'https://new.example.com/h', events: ['order.created', 'order.paid'], metadata: { plan: 'team' } },
        { now: T0 + 5 },
      );
      const expected = {
        ...endpoint,
        url: 'https://new.example.com/h',
        events: ['order.created', 'order.paid'],
        metadata: { plan: 'team' },
        updatedAt: T0 + 5,
      };
      expect(updated).toEqual(expected);
      expect(await store().get('e1')).toEqual(expected);
    });

    it('clears a field set to null', async () => {
      await store().create(full, { now: T0 });
      const updated = await store().update(
        'e1',
        { events: null, description: null, headers: null, metadata: null },
        { now: T0 + 1 },
      );
      expect(updated).toEqual({ id: 'e1', owner: 'acme', url, enabled: true, createdAt: T0, updatedAt: T0 + 1 });
      expect(await store().get('e1')).toEqual(updated);
    });

    it('rejects an unknown id with unknown-endpoint', async () => {
      await expectRefusal(
        store().update('nobody', { url }, { now: T0 }),
        'unknown-endpoint',
        /no endpoint has the id 'nobody'/,
      );
    });

    it.each([
      ['a url that is not http', { url: 'mailto:a@example.com' }, 'invalid-endpoint', /only http: and https:/],
      ['url set to null', { url: null }, 'invalid-endpoint', /url must be the endpoint's http: or https: URL/],
      ['an empty events list', { events: [] }, 'invalid-endpoint', /events must be a non-empty array/],
      [
        'a reserved header',
        { headers: { 'webhook-timestamp': 'h3ader-value' } },
        'reserved-header',
        /headers may not set 'webhook-timestamp'/,
      ],
      [
        'a header value with a line break',
        { headers: { 'x-api-key': 'h3ader-value\r\n' } },
        'invalid-endpoint',
        /holds a line break/,
      ],
      ['the owner', { owner: 'globex' }, 'invalid-endpoint', /the patch sets 'owner'.*the owner is fixed at creation/],
      ['enabled', { enabled: false }, 'invalid-endpoint', /the patch sets 'enabled'.*setEnabled/],
      ['a secret', { secret: 'whsec_x' }, 'invalid-endpoint', /the patch sets 'secret'.*rotateSecret/],
      ['a misspelt field', { descripton: 'x' }, 'invalid-endpoint', /'descripton' \(did you mean 'description'\?\)/],
    ])('refuses %s and changes nothing', async (_, patch, code, message) => {
      const { endpoint } = await store().create(full, { now: T0 });
      await expectRefusal(store().update('e1', patch as never, { now: T0 + 1 }), code, message, ['h3ader-value']);
      expect(await store().get('e1')).toEqual(endpoint);
    });

    it('refuses a missing now with invalid-option', async () => {
      await store().create(full, { now: T0 });
      await expectRefusal(store().update('e1', { url }, {} as never), 'invalid-option', /now must be the time/);
    });
  });

  describe('setEnabled', () => {
    it('disables with a reason and enables again, clearing it', async () => {
      await store().create({ id: 'e1', url }, { now: T0 });
      const disabled = await store().setEnabled('e1', false, { now: T0 + 1, reason: 'failing' });
      expect(disabled).toEqual({
        id: 'e1',
        url,
        enabled: false,
        disabledReason: 'failing',
        createdAt: T0,
        updatedAt: T0 + 1,
      });
      expect(await store().get('e1')).toEqual(disabled);
      const enabled = await store().setEnabled('e1', true, { now: T0 + 2 });
      expect(enabled).toEqual({ id: 'e1', url, enabled: true, createdAt: T0, updatedAt: T0 + 2 });
      expect(await store().get('e1')).toEqual(enabled);
    });

    it('disables without a reason', async () => {
      await store().create({ id: 'e1', url }, { now: T0 });
      expect(await store().setEnabled('e1', false, { now: T0 + 1 })).toEqual({
        id: 'e1',
        url,
        enabled: false,
        createdAt: T0,
        updatedAt: T0 + 1,
      });
    });

    it('rejects an unknown id, a reason that is not a string, and enabled that is not a boolean', async () => {
      await expectRefusal(
        store().setEnabled('nobody', false, { now: T0 }),
        'unknown-endpoint',
        /no endpoint has the id 'nobody'/,
      );
      await store().create({ id: 'e1', url }, { now: T0 });
      await expectRefusal(
        store().setEnabled('e1', false, { now: T0, reason: 5 } as never),
        'invalid-option',
        /reason must be a non-empty string/,
      );
      await expectRefusal(
        store().setEnabled('e1', 'false' as never, { now: T0 }),
        'invalid-option',
        /enabled must be true or false, got 'false'/,
      );
      expect((await store().get('e1'))?.enabled).toBe(true);
    });
  });

  describe('delete', () => {
    it('removes the endpoint from get, list, endpointsFor and endpointById, and answers whether it existed', async () => {
      await store().create(full, { now: T0 });
      await store().create({ ...full, id: 'e2' }, { now: T0 + 1 });
      expect(await store().delete('e1')).toBe(true);
      expect(await store().get('e1')).toBeUndefined();
      expect(await store().endpointById('e1')).toBeUndefined();
      expect((await store().list({ owner: 'acme' })).items.map((e) => e.id)).toEqual(['e2']);
      expect((await store().endpointsFor('order.paid', 'acme')).map((e) => e.id)).toEqual(['e2']);
      expect(await store().delete('e1')).toBe(false);
    });

    it('deletes the secrets with it: an endpoint created again under the id has only its new secret', async () => {
      const first = await store().create({ id: 'e1', url }, { now: T0 });
      await store().rotateSecret('e1', { now: Date.now(), graceMs: 60_000 });
      await store().delete('e1');
      const again = await store().create({ id: 'e1', url }, { now: T0 + 1 });
      const secrets = (await store().endpointById('e1'))?.secrets;
      expect(secrets).toEqual([again.secret]);
      expect(secrets).not.toContain(first.secret);
    });
  });
}
