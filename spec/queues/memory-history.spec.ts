import { describe, expect, it } from 'vitest';
import type { MessageQuery } from '../../lib/delivery';
import { MemoryQueue } from '../../lib/queues/memory';

const T0 = 1_000_000_000_000;

async function sendAt(queue: MemoryQueue, id: string, createdAt: number, owner?: string): Promise<void> {
  await queue.enqueue({ id, event: 'order.paid', body: '{}', createdAt, ...(owner === undefined ? {} : { owner }) }, [
    { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: T0 },
  ]);
}

/** Leases everything due and settles it delivered. */
async function deliverAll(queue: MemoryQueue): Promise<void> {
  for (;;) {
    const leases = await queue.lease({ now: T0, limit: 500, leaseMs: 1_000 });
    if (leases.length === 0) return;
    for (const lease of leases) {
      await queue.settle(lease, { attempt: 1, startedAt: T0, durationMs: 1, status: 200 }, { status: 'delivered' });
    }
  }
}

async function walk(queue: MemoryQueue, query: MessageQuery): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await queue.queryMessages({ ...query, ...(cursor === undefined ? {} : { cursor }) });
    ids.push(...page.items.map((item) => item.message.id));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return ids;
}

describe('MemoryQueue history and retention', () => {
  it('indexes the messages stored before its first history call, then keeps the indexes up to date', async () => {
    const queue = new MemoryQueue();
    for (const [id, at] of [
      ['b', 2],
      ['c', 3],
      ['a', 1],
    ] as const)
      await sendAt(queue, id, T0 + at, 'acme');
    expect(await walk(queue, { owner: 'acme' })).toEqual(['c', 'b', 'a']);
    await sendAt(queue, 'between', T0 + 2, 'acme');
    await sendAt(queue, 'other', T0 + 4, 'globex');
    expect(await walk(queue, { owner: 'acme', limit: 1 })).toEqual(['c', 'between', 'b', 'a']);
    expect(await walk(queue, { endpointId: 'e1' })).toEqual(['other', 'c', 'between', 'b', 'a']);
  });

  it('no longer lists the finished messages that retainFinished dropped', async () => {
    const queue = new MemoryQueue({ retainFinished: 2 });
    for (let n = 0; n < 4; n += 1) await sendAt(queue, `m${n}`, T0 + n, 'acme');
    await deliverAll(queue);
    await sendAt(queue, 'waiting', T0 - 1, 'acme');
    expect(await walk(queue, { owner: 'acme' })).toEqual(['m3', 'm2', 'waiting']);
    expect(await queue.endpointStats('e1', { since: 0, until: T0 * 2 })).toMatchObject({ delivered: 2, pending: 1 });
  });

  it('keeps listing, paging and counting right after thousands of drops', async () => {
    const queue = new MemoryQueue({ retainFinished: 10 });
    // A first query builds the indexes, so that the drops below go through them.
    expect(await walk(queue, {})).toEqual([]);
    for (let n = 0; n < 3_000; n += 1) {
      await sendAt(queue, `m${String(n).padStart(4, '0')}`, T0 + n, `owner-${n % 3}`);
      if (n % 100 === 99) await deliverAll(queue);
    }
    const newest = Array.from({ length: 10 }, (_, i) => `m${String(2_999 - i).padStart(4, '0')}`);
    expect(await walk(queue, { limit: 3 })).toEqual(newest);
    expect(await walk(queue, { owner: 'owner-0', limit: 2 })).toEqual(
      newest.filter((id) => Number(id.slice(1)) % 3 === 0),
    );
    expect(await queue.prune({ keepMessages: 4 })).toBe(6);
    expect(await walk(queue, { endpointId: 'e1' })).toEqual(newest.slice(0, 4));
  });

  it('orders messages that arrive out of creation order', async () => {
    const queue = new MemoryQueue();
    const times = Array.from({ length: 500 }, (_, n) => (n * 7_919) % 997);
    for (const [n, at] of times.entries()) await sendAt(queue, `m${String(n).padStart(3, '0')}`, T0 + at);
    const expected = times
      .map((at, n) => ({ at, id: `m${String(n).padStart(3, '0')}` }))
      .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1))
      .map((m) => m.id);
    expect(await walk(queue, { limit: 37 })).toEqual(expected);
    expect(await walk(queue, { since: T0 + 100, until: T0 + 200, limit: 250 })).toEqual(
      expected.filter((id) => {
        const at = times[Number(id.slice(1))] as number;
        return at >= 100 && at < 200;
      }),
    );
  });
});
