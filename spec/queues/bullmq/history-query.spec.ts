import { describe, expect, it } from 'vitest';
import type { MessageQuery } from '../../../lib/delivery';
import { cursorAt, planQuery } from '../../../lib/queues/bullmq/history-query';
import { sortKey } from '../../../lib/queues/bullmq/message-hash';

const plan = (query: MessageQuery) => planQuery(query, 'test');

describe('the BullMQ history query plan', () => {
  it.each([
    [{}, 'all', ''],
    [{ owner: 'acme' }, 'owner', ''],
    [{ owner: null }, 'owner', ''],
    [{ owner: 'acme', event: 'order.paid' }, 'owner-event', ''],
    [{ endpointId: 'e1' }, 'endpoint', ''],
    [{ endpointId: 'e1', status: 'failing' }, 'endpoint-state', ''],
    [{ owner: 'acme', endpointId: 'e1', status: 'failing', event: 'order.paid' }, 'endpoint-state', 'oe'],
    [{ owner: 'acme', endpointId: 'e1' }, 'endpoint', 'o'],
    [{ owner: 'acme', status: 'exhausted' }, 'owner', 's'],
    [{ owner: 'acme', event: 'order.paid', status: 'exhausted' }, 'owner-event', 's'],
    [{ event: 'order.paid' }, 'all', 'e'],
    [{ status: 'cancelled' }, 'all', 's'],
  ] as const)('walks the closest index for %j, checking only what it does not answer', (query, kind, checks) => {
    expect(plan(query as MessageQuery)).toMatchObject({ kind, checks });
  });

  it('reads a window as a range of sort keys, newest first', () => {
    expect(plan({ since: 1_000, until: 2_000 })).toMatchObject({ hi: '(000000000002000:', lo: '[000000000001000:' });
    expect(plan({})).toMatchObject({ hi: '+', lo: '-' });
  });

  it('resumes strictly past the position its cursor holds, ties broken by id', () => {
    const first = plan({ owner: 'acme', limit: 2 });
    const position = sortKey({ createdAt: 1_500, id: 'msg:1 ☕' });
    const next = plan({ owner: 'acme', limit: 7, cursor: cursorAt(first, position) });
    expect(next).toMatchObject({ hi: `(${position}`, lo: '-', limit: 7 });
    expect(() => plan({ owner: 'globex', cursor: cursorAt(first, position) })).toThrow(
      expect.objectContaining({ code: 'invalid-cursor' }),
    );
  });
});
