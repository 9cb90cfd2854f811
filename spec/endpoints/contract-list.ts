import { describe, expect, it } from 'vitest';
import type { EndpointInput, EndpointQuery, StoredEndpoint } from '../../lib/endpoints';
import { expectRefusal, T0, useStore, type ContractStore, type MakeEndpointStore } from './contract-harness';

/** Every page of a listing, following nextCursor to the end. */
async function allPages(store: ContractStore, query: EndpointQuery): Promise<StoredEndpoint[][]> {
  const pages: StoredEndpoint[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ ...query, ...(cursor !== undefined && { cursor }) });
    pages.push([...page.items]);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

const ids = (endpoints: readonly StoredEndpoint[]): string[] => endpoints.map((endpoint) => endpoint.id);

/** list(): order, filters, owners, limits and cursors. */
export function describeListContract(makeStore: MakeEndpointStore): void {
  const store = useStore(makeStore);

  const add = (id: string, createdAt: number, fields: Partial<EndpointInput> = {}) =>
    store().create(
      { id, url: `https://${id.replace(/[^a-z0-9]/gi, '')}.example.com/h`, ...fields },
      { now: createdAt },
    );

  describe('list', () => {
    it('answers oldest first, and by id among endpoints created at the same time', async () => {
      await add('c', T0 + 10);
      await add('b', T0 + 20);
      await add('z', T0);
      await add('a', T0);
      expect(ids((await store().list({})).items)).toEqual(['a', 'z', 'c', 'b']);
    });

    it('answers every owner for no owner filter, only endpoints without owner for null, one owner for a string', async () => {
      await add('free1', T0);
      await add('acme1', T0 + 1, { owner: 'acme' });
      await add('globex1', T0 + 2, { owner: 'globex' });
      await add('acme2', T0 + 3, { owner: 'acme' });
      await add('free2', T0 + 4);
      expect(ids((await store().list({})).items)).toEqual(['free1', 'acme1', 'globex1', 'acme2', 'free2']);
      expect(ids((await store().list({ owner: null })).items)).toEqual(['free1', 'free2']);
      expect(ids((await store().list({ owner: 'acme' })).items)).toEqual(['acme1', 'acme2']);
      expect(ids((await store().list({ owner: 'initech' })).items)).toEqual([]);
    });

    it('filters by event, counting an endpoint without events as subscribed to all', async () => {
      await add('all', T0);
      await add('paid', T0 + 1, { events: ['order.paid'] });
      await add('both', T0 + 2, { events: ['order.created', 'order.paid'] });
      await add('created', T0 + 3, { events: ['order.created'] });
      expect(ids((await store().list({ event: 'order.paid' })).items)).toEqual(['all', 'paid', 'both']);
      expect(ids((await store().list({ event: 'order.refunded' })).items)).toEqual(['all']);
    });

    it('filters by enabled', async () => {
      await add('on', T0);
      await add('off', T0 + 1, { enabled: false });
      expect(ids((await store().list({ enabled: false })).items)).toEqual(['off']);
      expect(ids((await store().list({ enabled: true })).items)).toEqual(['on']);
    });

    it('pages through an owner with event and enabled filters, each endpoint once, without a cursor on the last page', async () => {
      const expected: string[] = [];
      for (let i = 0; i < 23; i += 1) {
        const id = `ep${String(i).padStart(2, '0')}`;
        const owner = i % 3 === 0 ? 'other' : 'acme';
        const events = i % 4 === 0 ? ['user.deleted'] : i % 4 === 1 ? undefined : ['order.paid', 'user.deleted'];
        const enabled = i % 5 !== 0;
        // Groups of three share a creation time, so the cursor must order by id within one.
        await add(id, T0 + Math.floor(i / 3), { owner, ...(events && { events }), enabled });
        if (owner === 'acme' && enabled && (events === undefined || events.includes('order.paid'))) expected.push(id);
      }
      const pages = await allPages(store(), { owner: 'acme', event: 'order.paid', enabled: true, limit: 3 });
      expect(pages.flat().map((endpoint) => endpoint.id)).toEqual(expected);
      expect(pages.map((page) => page.length)).toEqual([
        ...Array(Math.ceil(expected.length / 3) - 1).fill(3),
        expected.length % 3 || 3,
      ]);
    });

    it('answers no cursor when the last page is exactly full', async () => {
      for (let i = 0; i < 4; i += 1) await add(`e${i}`, T0 + i);
      const first = await store().list({ limit: 2 });
      expect(ids(first.items)).toEqual(['e0', 'e1']);
      const second = await store().list({ limit: 2, cursor: first.nextCursor as string });
      expect(second).toEqual({ items: second.items });
      expect(ids(second.items)).toEqual(['e2', 'e3']);
    });

    it('answers 50 endpoints a page by default', async () => {
      for (let i = 0; i < 51; i += 1) await add(`e${String(i).padStart(2, '0')}`, T0 + i);
      const first = await store().list({});
      expect(first.items).toHaveLength(50);
      const rest = await store().list({ cursor: first.nextCursor as string });
      expect(ids(rest.items)).toEqual(['e50']);
      expect(rest.nextCursor).toBeUndefined();
    });

    it('continues after an endpoint that was deleted between pages', async () => {
      for (let i = 0; i < 4; i += 1) await add(`e${i}`, T0 + i);
      const first = await store().list({ limit: 2 });
      await store().delete('e1');
      expect(ids((await store().list({ limit: 2, cursor: first.nextCursor as string })).items)).toEqual(['e2', 'e3']);
    });

    it('never answers a secret', async () => {
      const { secret } = await add('e0', T0);
      const rotated = await store().rotateSecret('e0', { now: T0 + 1, graceMs: 60_000 });
      const listed = JSON.stringify(await store().list({}));
      expect(listed).not.toContain(secret.slice(6));
      expect(listed).not.toContain(rotated.secret.slice(6));
    });
  });

  describe('list refuses', () => {
    it.each([
      ['a limit of 0', { limit: 0 }, /limit must be a whole number from 1 to 250, got 0/],
      ['a limit of 251', { limit: 251 }, /limit must be a whole number from 1 to 250, got 251/],
      ['a fractional limit', { limit: 2.5 }, /limit must be a whole number/],
      ['a limit given as a string', { limit: '10' }, /limit must be a whole number/],
      ['an empty owner', { owner: '' }, /owner must be an owner's id/],
      ['an event that is no webhook name', { event: 'a b' }, /event must be a webhook name/],
      ['enabled as a string', { enabled: 'true' }, /enabled must be true or false/],
      ['an unknown filter', { ownr: 'x' }, /unknown option 'ownr' \(did you mean 'owner'\?\)/],
    ])('%s with invalid-query', async (_, query, message) => {
      await expectRefusal(store().list(query as never), 'invalid-query', message);
    });

    it.each([
      ['not base64url', 'not a cursor!'],
      ['an empty string', ''],
      ['JSON that is no position', Buffer.from('{"createdAt":1}').toString('base64url')],
      ['a position with a fractional time', Buffer.from('[1.5,"a"]').toString('base64url')],
      ['a position with a malformed id', Buffer.from('[1,"a b"]').toString('base64url')],
      ['bytes that are no JSON', Buffer.from([0xff, 0xfe, 0x00]).toString('base64url')],
    ])('a cursor that is %s with invalid-cursor', async (_, cursor) => {
      await expectRefusal(store().list({ cursor }), 'invalid-cursor', /cursor is not one this store answered/);
    });
  });
}
