import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../../lib/delivery';
import { PostgresQueue } from '../../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../../support/postgres-server';

const T0 = 1_000_000_000_000;
const LEASE_MS = 60_000;

const message = (id: string): MessageRecord => ({ id, event: 'order.paid', body: `{"id":"${id}"}`, createdAt: T0 });

const deliveriesTo = (endpoints: readonly string[]) =>
  endpoints.map((endpointId) => ({ endpointId, url: `https://${endpointId}.example.com/`, nextAttemptAt: T0 }));

const delivered = (n: number) => ({ attempt: n, startedAt: T0 + n, durationMs: 3, status: 204 });

// Concurrent sends and settlements share statements (one commit each batch): what each caller sees must
// be what it would see alone.
describe.runIf(postgresAvailable())('PostgresQueue, calls made at once', () => {
  let server: TestPostgres;
  let pool: Pool;
  let schemas = 0;
  let idleErrors: string[] = [];
  const open: PostgresQueue[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    pool = new Pool({ connectionString: await server.createDatabase(), max: 6 });
    idleErrors = recordIdleErrors(pool);
  }, 60_000);

  afterEach(async () => {
    for (const queue of open.splice(0)) await queue.close();
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
  });

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  }, 30_000);

  const queueOn = (): PostgresQueue => {
    const queue = new PostgresQueue({ pool, schema: `batches_${++schemas}` });
    open.push(queue);
    return queue;
  };

  it('commits every one of 100 concurrent sends, each with its deliveries in order, and refuses only a duplicate', async () => {
    const queue = queueOn();
    await queue.enqueue(message('m-taken'), deliveriesTo(['e1']));
    const ids = Array.from({ length: 100 }, (_, i) => `m-${String(i).padStart(3, '0')}`);
    const outcomes = await Promise.allSettled([
      ...ids.map((id) => queue.enqueue(message(id), deliveriesTo(['e1', 'e2']))),
      queue.enqueue(message('m-taken'), deliveriesTo(['e2'])),
      queue.enqueue(message('m-050'), deliveriesTo(['e3'])),
    ]);
    const refused = outcomes.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [{ i, code: (outcome.reason as { code?: string }).code }] : [],
    );
    // One of the two sends of m-050 was first: the other is the duplicate, whichever it was.
    expect(refused).toHaveLength(2);
    expect(refused).toContainEqual({ i: 100, code: 'duplicate-message' });
    expect(refused.every((entry) => entry.code === 'duplicate-message')).toBe(true);
    // m-taken's delivery, 99 messages' two, and m-050's: two (e1, e2) or one (e3), by which send came first.
    const m050 = refused.some((entry) => entry.i === 50) ? 1 : 2;
    expect(await queue.countPending()).toBe(1 + 99 * 2 + m050);
    // Deliveries are numbered in acceptance order: each message's two are consecutive, e1 before e2.
    const { rows } = await pool.query<{ message_id: string; endpoint_id: string }>(
      `SELECT message_id, endpoint_id FROM ${queue.schema}.deliveries WHERE message_id <> 'm-050' ORDER BY seq`,
    );
    const pairs = rows.filter((row) => row.message_id !== 'm-taken');
    for (let i = 0; i < pairs.length; i += 2) {
      expect([pairs[i]?.message_id, pairs[i]?.endpoint_id, pairs[i + 1]?.endpoint_id]).toEqual([
        pairs[i + 1]?.message_id,
        'e1',
        'e2',
      ]);
    }
  });

  it('settles 60 leases at once, finishes each message once, and answers false to a lease settled twice', async () => {
    const queue = queueOn();
    const ids = Array.from({ length: 20 }, (_, i) => `m-${i}`);
    for (const id of ids) await queue.enqueue(message(id), deliveriesTo(['e1', 'e2', 'e3']));
    const leases = await queue.lease({ now: T0, limit: 100, leaseMs: LEASE_MS });
    expect(leases).toHaveLength(60);
    const [twice] = leases;
    const settled = await Promise.all([
      ...leases.map((lease) => queue.settle(lease, delivered(1), { status: 'delivered' })),
      queue.settle(twice!, delivered(1), { status: 'delivered' }),
    ]);
    expect(settled.filter(Boolean)).toHaveLength(60);
    expect(settled.at(-1)).toBe(false);
    expect(await queue.countPending()).toBe(0);
    const { rows } = await pool.query<{ pending_count: number; finished: string }>(
      `SELECT pending_count, count(DISTINCT finished_order) AS finished FROM ${queue.schema}.messages
       GROUP BY pending_count`,
    );
    // Every message finished, each with its own number.
    expect(rows).toEqual([{ pending_count: 0, finished: '20' }]);
    const view = await queue.getMessage(twice!.message.id);
    expect(view?.deliveries.map((d) => [d.status, d.attempts.length])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('gives an expired lease to the next lease() at once, and refuses the late settle of the old one', async () => {
    const queue = queueOn();
    await queue.enqueue(message('m-1'), deliveriesTo(['e1']));
    const [first] = await queue.lease({ now: T0, limit: 10, leaseMs: LEASE_MS });
    expect(await queue.lease({ now: T0 + LEASE_MS - 1, limit: 10, leaseMs: LEASE_MS })).toEqual([]);
    const [again] = await queue.lease({ now: T0 + LEASE_MS, limit: 10, leaseMs: LEASE_MS });
    expect(again?.message.id).toBe('m-1');
    expect(again?.token).not.toBe(first?.token);
    expect(await queue.settle(first!, delivered(1), { status: 'delivered' })).toBe(false);
    expect(await queue.settle(again!, delivered(1), { status: 'delivered' })).toBe(true);
    expect(await queue.nextDueAt()).toBeUndefined();
  });
});
