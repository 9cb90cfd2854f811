import { describe, expect, it } from 'vitest';
import type { DeliveryState, MessageQuery } from '../../lib/delivery';
import type { ContractFixture } from './contract-fixture';
import { historyHelpers, type HistoryQueue, type PlannedMessage } from './history-fixture';

/** queryMessages: filters, order, full views, limits and cursors. */
export function describeHistoryQueries(f: ContractFixture<HistoryQueue>): void {
  const h = historyHelpers(f);

  /** Three owners' messages (and ownerless ones) to shared and own endpoints, of two events. */
  const owners: readonly PlannedMessage[] = [
    { label: 'acme-1', at: 10, owner: 'acme', deliveries: { shared: 'delivered', 'acme-ep': 'delivered' } },
    { label: 'acme-2', at: 20, owner: 'acme', event: 'order.refunded', deliveries: { 'acme-ep': 'failing' } },
    { label: 'acme-3', at: 30, owner: 'acme', deliveries: { shared: 'exhausted' } },
    { label: 'globex-1', at: 15, owner: 'globex', deliveries: { shared: 'exhausted' } },
    { label: 'globex-2', at: 25, owner: 'globex', event: 'order.refunded', deliveries: { 'globex-ep': 'pending' } },
    { label: 'acme-corp-1', at: 27, owner: 'acme-corp', deliveries: { shared: 'failing' } },
    { label: 'none-1', at: 5, deliveries: { shared: 'delivered' } },
    { label: 'none-2', at: 35, event: 'order.refunded', deliveries: { shared: 'failing' } },
  ];

  describe('queryMessages: order and views', () => {
    it('returns nothing, and no cursor, for an empty history', async () => {
      expect(await f.queue.queryMessages({})).toEqual({ items: [] });
    });

    it('lists newest first by createdAt, then by id descending, whatever the order of enqueue', async () => {
      await h.build(
        [
          ['a', 5],
          ['b', 1],
          ['c', 9],
          ['e', 5],
          ['d', 5],
          ['f', 0],
        ].map(([label, at]) => ({ label: label as string, at: at as number, deliveries: { e1: 'pending' as const } })),
      );
      expect(await h.list()).toEqual(['c', 'e', 'd', 'a', 'b', 'f']);
    });

    it('gives each message as getMessage does: the record and every delivery with its attempts in order', async () => {
      await h.build([{ label: 'a', at: 1, owner: 'acme', deliveries: { e1: 'delivered', e2: 'redelivered' } }]);
      const [lease] = await f.lease(f.T0, { limit: 10 });
      const second = h.attemptOf({ label: 'a', at: 1, deliveries: {} }, 2, 502);
      await f.queue.settle(lease as NonNullable<typeof lease>, second, { status: 'exhausted' });
      const page = await f.queue.queryMessages({ owner: 'acme' });
      expect(page.items).toEqual([await f.queue.getMessage(f.id('a'))]);
      const e2 = page.items[0]?.deliveries.find((d) => d.endpointId === 'e2');
      expect(e2?.attempts.map((a) => [a.attempt, a.status ?? a.errorCode])).toEqual([
        [1, 'connection-refused'],
        [2, 502],
      ]);
      expect(page.items[0]?.message).toMatchObject({ owner: 'acme', body: '{"order":"a"}', createdAt: h.created(1) });
    });
  });

  describe('queryMessages: owner isolation', () => {
    it('lists only the given owner’s messages, exactly matched', async () => {
      await h.build(owners);
      expect(await h.list({ owner: 'acme' })).toEqual(['acme-3', 'acme-2', 'acme-1']);
      expect(await h.list({ owner: 'globex' })).toEqual(['globex-2', 'globex-1']);
      expect(await h.list({ owner: 'acme-corp' })).toEqual(['acme-corp-1']);
    });

    it('lists only ownerless messages for owner null, and every message for owner undefined', async () => {
      await h.build(owners);
      expect(await h.list({ owner: null })).toEqual(['none-2', 'none-1']);
      expect(await h.list({})).toEqual([
        'none-2',
        'acme-3',
        'acme-corp-1',
        'globex-2',
        'acme-2',
        'globex-1',
        'acme-1',
        'none-1',
      ]);
    });

    it.each(['ACME', 'acm', 'acme ', '%', 'acme%', '_cme', "acme' OR '1'='1", '*', 'null', 'undefined'])(
      'lists nothing for the owner %j, which owns nothing',
      async (owner) => {
        await h.build(owners);
        expect(await h.list({ owner })).toEqual([]);
        expect(await h.list({ owner, endpointId: 'shared' })).toEqual([]);
        expect(await h.list({ owner, status: 'failing' })).toEqual([]);
      },
    );

    it('keeps to the owner under every other filter, on an endpoint other owners share', async () => {
      await h.build(owners);
      expect(await h.list({ owner: 'acme', endpointId: 'shared' })).toEqual(['acme-3', 'acme-1']);
      expect(await h.list({ owner: 'globex', endpointId: 'shared' })).toEqual(['globex-1']);
      expect(await h.list({ owner: null, endpointId: 'shared' })).toEqual(['none-2', 'none-1']);
      expect(await h.list({ owner: 'acme', status: 'failing' })).toEqual(['acme-2']);
      expect(await h.list({ owner: 'acme', status: 'exhausted', endpointId: 'shared' })).toEqual(['acme-3']);
      expect(await h.list({ owner: 'globex', status: 'failing' })).toEqual([]);
      expect(await h.list({ owner: 'acme', status: 'delivered' })).toEqual(['acme-1']);
      expect(await h.list({ owner: null, status: 'delivered' })).toEqual(['none-1']);
      expect(await h.list({ owner: 'globex', status: 'delivered' })).toEqual([]);
      expect(await h.list({ event: 'order.paid', status: 'delivered' })).toEqual(['acme-1', 'none-1']);
      expect(await h.list({ owner: 'globex', status: 'pending' })).toEqual(['globex-2']);
      expect(await h.list({ owner: 'acme', event: 'order.refunded' })).toEqual(['acme-2']);
      expect(await h.list({ owner: null, event: 'order.refunded' })).toEqual(['none-2']);
      expect(await h.list({ owner: 'acme', endpointId: 'globex-ep' })).toEqual([]);
      expect(await h.list({ owner: 'globex', since: h.created(0), until: h.created(100) })).toEqual([
        'globex-2',
        'globex-1',
      ]);
    });

    it('keeps to the owner on every page of a walk', async () => {
      await h.build(owners);
      expect(await h.walk({ owner: 'acme', limit: 1 })).toEqual({ labels: ['acme-3', 'acme-2', 'acme-1'], pages: 3 });
      expect(await h.walk({ owner: null, limit: 1 })).toEqual({ labels: ['none-2', 'none-1'], pages: 2 });
    });
  });

  describe('queryMessages: endpoint, event, status and time filters', () => {
    it('lists messages with a delivery to the endpoint', async () => {
      await h.build(owners);
      expect(await h.list({ endpointId: 'acme-ep' })).toEqual(['acme-2', 'acme-1']);
      expect(await h.list({ endpointId: 'nowhere' })).toEqual([]);
    });

    it('lists messages of the event', async () => {
      await h.build(owners);
      expect(await h.list({ event: 'order.refunded' })).toEqual(['none-2', 'globex-2', 'acme-2']);
      expect(await h.list({ event: 'order' })).toEqual([]);
    });

    /** One message per way a delivery ends up, and two that mix them. */
    const states: readonly PlannedMessage[] = [
      { label: 'pending', at: 1, deliveries: { e1: 'pending' } },
      { label: 'failing', at: 2, deliveries: { e1: 'failing' } },
      { label: 'delivered', at: 3, deliveries: { e1: 'delivered' } },
      { label: 'exhausted', at: 4, deliveries: { e1: 'exhausted' } },
      { label: 'disabled', at: 5, deliveries: { e1: 'disabled' } },
      { label: 'gone', at: 6, deliveries: { e1: 'gone' } },
      { label: 'cancelled', at: 7, deliveries: { e1: 'pending', e2: 'delivered' }, erase: true },
      { label: 'redelivered', at: 8, deliveries: { e1: 'redelivered' } },
      { label: 'mixed', at: 9, deliveries: { e1: 'delivered', e2: 'failing' } },
    ];

    it.each([
      ['pending', ['redelivered', 'pending']],
      ['failing', ['mixed', 'failing']],
      ['delivered', ['mixed', 'cancelled', 'delivered']],
      ['exhausted', ['exhausted']],
      ['disabled', ['gone', 'disabled']],
      ['cancelled', ['cancelled']],
    ] as const)('lists messages with a delivery in state %s', async (status: DeliveryState, expected) => {
      await h.build(states);
      expect(await h.list({ status })).toEqual(expected);
    });

    it('counts a redelivered delivery as pending, not failing, until it fails again', async () => {
      await h.build(states);
      const view = await f.queue.getMessage(f.id('redelivered'));
      expect(view?.deliveries[0]).toMatchObject({ status: 'pending', scheduleBase: 1, attempts: [{ attempt: 1 }] });
      expect(await h.list({ status: 'failing', endpointId: 'e1' })).toEqual(['failing']);
    });

    it("reads status with endpointId as that endpoint's delivery state", async () => {
      await h.build(states);
      expect(await h.list({ endpointId: 'e2', status: 'failing' })).toEqual(['mixed']);
      expect(await h.list({ endpointId: 'e1', status: 'failing' })).toEqual(['failing']);
      expect(await h.list({ endpointId: 'e1', status: 'delivered' })).toEqual(['mixed', 'delivered']);
      expect(await h.list({ endpointId: 'e2', status: 'delivered' })).toEqual(['cancelled']);
      expect(await h.list({ endpointId: 'e2', status: 'cancelled' })).toEqual([]);
      expect(await h.list({ endpointId: 'e1', status: 'cancelled' })).toEqual(['cancelled']);
    });

    it('takes since inclusive and until exclusive', async () => {
      await h.build([0, 1, 2, 3, 4, 5].map((at) => ({ label: `m${at}`, at, deliveries: { e1: 'pending' as const } })));
      expect(await h.list({ since: h.created(2), until: h.created(4) })).toEqual(['m3', 'm2']);
      expect(await h.list({ since: h.created(4) })).toEqual(['m5', 'm4']);
      expect(await h.list({ until: h.created(1) })).toEqual(['m0']);
      expect(await h.list({ since: h.created(3), until: h.created(3) })).toEqual([]);
    });

    it('combines every filter with AND', async () => {
      await h.build(owners);
      const query: MessageQuery = {
        owner: 'acme',
        event: 'order.paid',
        endpointId: 'shared',
        status: 'delivered',
        since: h.created(10),
        until: h.created(31),
      };
      expect(await h.list(query)).toEqual(['acme-1']);
      expect(await h.list({ ...query, since: h.created(11) })).toEqual([]);
      expect(await h.list({ ...query, status: 'exhausted' })).toEqual(['acme-3']);
      expect(await h.list({ ...query, status: 'exhausted', until: h.created(30) })).toEqual([]);
      expect(await h.list({ ...query, event: 'order.refunded' })).toEqual([]);
    });
  });

  describe('queryMessages: pages and cursors', () => {
    const many = (count: number, at: (n: number) => number = (n) => n): PlannedMessage[] =>
      Array.from({ length: count }, (_, n) => ({
        label: `m${String(n).padStart(2, '0')}`,
        at: at(n),
        deliveries: { e1: 'pending' as const },
      }));

    it('walks every page once, with no cursor on the last', async () => {
      await h.build(many(23));
      const walked = await h.walk({ limit: 5 });
      expect(walked.pages).toBe(5);
      expect(walked.labels).toEqual(await h.list());
      expect(new Set(walked.labels).size).toBe(23);
    });

    it('gives no cursor on a full last page', async () => {
      await h.build(many(10));
      const first = await f.queue.queryMessages({ limit: 5 });
      const second = await f.queue.queryMessages({ limit: 5, cursor: first.nextCursor as string });
      expect(h.labels(second)).toEqual(['m04', 'm03', 'm02', 'm01', 'm00']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('walks messages of one createdAt by id, with no duplicate and no gap', async () => {
      await h.build(many(12, () => 7));
      const walked = await h.walk({ limit: 5 });
      expect(walked.labels).toEqual(
        many(12)
          .map((m) => m.label)
          .reverse(),
      );
    });

    it('keeps its place while newer and older messages arrive between pages', async () => {
      await h.build(many(9, (n) => 100 + n * 10));
      const first = await f.queue.queryMessages({ limit: 4 });
      expect(h.labels(first)).toEqual(['m08', 'm07', 'm06', 'm05']);
      await h.build([
        { label: 'newer', at: 1_000, deliveries: { e1: 'pending' } },
        { label: 'tie-after', at: 150, deliveries: { e1: 'pending' } },
        { label: 'older', at: 115, deliveries: { e1: 'pending' } },
      ]);
      const second = await f.queue.queryMessages({ limit: 4, cursor: first.nextCursor as string });
      expect(h.labels(second)).toEqual(['m04', 'm03', 'm02', 'older']);
      const third = await f.queue.queryMessages({ limit: 4, cursor: second.nextCursor as string });
      expect(h.labels(third)).toEqual(['m01', 'm00']);
      expect(third.nextCursor).toBeUndefined();
    });

    it('accepts another limit with the same filters', async () => {
      await h.build(many(6));
      const first = await f.queue.queryMessages({ limit: 2, owner: null });
      const rest = await f.queue.queryMessages({ limit: 10, owner: null, cursor: first.nextCursor as string });
      expect(h.labels(rest)).toEqual(['m03', 'm02', 'm01', 'm00']);
    });

    it('lists 50 by default, and 1 to 250', async () => {
      await h.build(many(60));
      const page = await f.queue.queryMessages({});
      expect(page.items).toHaveLength(50);
      expect(typeof page.nextCursor).toBe('string');
      expect((await f.queue.queryMessages({ limit: 1 })).items).toHaveLength(1);
      expect((await f.queue.queryMessages({ limit: 250 })).items).toHaveLength(60);
    });

    it.each([0, 251, 1.5, -1, Number.NaN, '10'])('refuses limit %j with invalid-query', async (limit) => {
      const error = await h.rejection(f.queue.queryMessages({ limit } as unknown as MessageQuery));
      expect(error).toMatchObject({ code: 'invalid-query', message: expect.stringContaining('limit') });
    });

    it.each([
      ['status', { status: 'lost' }],
      ['since', { since: Number.NaN }],
      ['until', { until: '2026-01-01' }],
      ['owner', { owner: 42 }],
      ['event', { event: 7 }],
      ['endpointId', { endpointId: null }],
    ])('refuses a bad %s with invalid-query', async (field, query) => {
      const error = await h.rejection(f.queue.queryMessages(query as unknown as MessageQuery));
      expect(error).toMatchObject({ code: 'invalid-query', message: expect.stringContaining(field) });
    });

    it.each(['garbage', 'e30', Buffer.from('{"p":[1,"x"]}').toString('base64url'), '!!!'])(
      'refuses the cursor %j with invalid-cursor',
      async (cursor) => {
        await h.build(many(3));
        const error = await h.rejection(f.queue.queryMessages({ cursor }));
        expect(error.code).toBe('invalid-cursor');
      },
    );

    it.each([
      ['another owner', { owner: 'globex' }],
      ['no owner', { owner: null }],
      ['every owner', {}],
      ['an event', { owner: 'acme', event: 'order.paid' }],
      ['a status', { owner: 'acme', status: 'delivered' }],
      ['an endpoint', { owner: 'acme', endpointId: 'shared' }],
      ['a window', { owner: 'acme', since: 0 }],
    ] as const)('refuses a cursor reused with %s (invalid-cursor)', async (_, other) => {
      await h.build(owners);
      const first = await f.queue.queryMessages({ owner: 'acme', limit: 1 });
      expect(typeof first.nextCursor).toBe('string');
      const error = await h.rejection(
        f.queue.queryMessages({ ...(other as MessageQuery), limit: 1, cursor: first.nextCursor as string }),
      );
      expect(error.code).toBe('invalid-cursor');
    });
  });
}
