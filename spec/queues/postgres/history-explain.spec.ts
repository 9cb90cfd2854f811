import { Pool, type QueryConfig } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lease, MessageQuery } from '../../../lib/delivery';
import { PostgresQueue } from '../../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../../support/postgres-server';

/** One node of EXPLAIN (FORMAT JSON)'s plan tree. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

const TABLES = new Set(['messages', 'deliveries', 'attempts']);
const MESSAGES = 20_000;

describe.runIf(postgresAvailable())('PostgresQueue reads the queue tables through indexes only', () => {
  let server: TestPostgres;
  let pool: Pool;
  let idleErrors: string[] = [];
  let queue: PostgresQueue;
  /** The statements the queue ran since the last take(), through a pool that records them. */
  let ran: QueryConfig[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    pool = new Pool({ connectionString: await server.createDatabase(), max: 4 });
    idleErrors = recordIdleErrors(pool);
    const recording = new Proxy(pool, {
      get(target, property) {
        if (property === 'query') {
          return (config: QueryConfig) => {
            ran.push(config);
            return target.query(config);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    queue = new PostgresQueue({ pool: recording, schema: 'explain' });
    await queue.countPending();
    // A used queue: 20,000 messages of 50 owners (every fifth without one) and 10 events, to 100
    // endpoints (every third message to two), mostly delivered, a few pending, failing, exhausted or
    // disabled, each attempted once. Enough rows that the planner's choice is the one it makes in use.
    await pool.query(`
      INSERT INTO explain.messages (id, event, body, owner, created_at, pending_count, finished_order)
      SELECT 'm' || lpad(n::text, 6, '0'), 'event-' || n % 10, '{}',
             CASE WHEN n % 5 = 0 THEN NULL ELSE 'owner-' || n % 50 END, 1000000 + n,
             CASE WHEN n % 100 < 4 THEN 1 ELSE 0 END, CASE WHEN n % 100 < 4 THEN NULL ELSE n END
      FROM generate_series(1, ${MESSAGES}) AS n`);
    await pool.query(`
      INSERT INTO explain.deliveries (message_id, endpoint_id, url, owner, event, created_at, status,
                                      attempt_count, next_attempt_at)
      SELECT m.id, 'ep-' || (m.created_at + k * 7) % 100, 'https://example.com/', m.owner, m.event, m.created_at,
             CASE WHEN m.created_at % 100 < 4 THEN 'pending' WHEN m.created_at % 100 < 6 THEN 'exhausted'
                  WHEN m.created_at % 100 < 7 THEN 'disabled' ELSE 'delivered' END,
             CASE WHEN m.created_at % 100 < 2 THEN 0 ELSE 1 END,
             CASE WHEN m.created_at % 100 < 4 THEN m.created_at END
      FROM explain.messages m, generate_series(0, 1) AS k WHERE k = 0 OR m.created_at % 3 = 0`);
    await pool.query(`
      INSERT INTO explain.attempts (delivery_seq, attempt_index, started_at, succeeded, record)
      SELECT seq, 0, created_at + 1000, status = 'delivered', '{}' FROM explain.deliveries WHERE attempt_count = 1`);
    await pool.query('ANALYZE explain.messages, explain.deliveries, explain.attempts');
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await pool?.end();
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
    await server?.stop();
  });

  /** The statements run by `operation`. */
  async function statementsOf(operation: () => Promise<unknown>): Promise<QueryConfig[]> {
    ran = [];
    await operation();
    return ran;
  }

  /** The nodes of a statement's plan that read a queue table or an index (not executed: no ANALYZE). */
  async function scans(statement: QueryConfig): Promise<PlanNode[]> {
    const { rows } = await pool.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${statement.text}`,
      statement.values,
    );
    const found: PlanNode[] = [];
    const visit = (node: PlanNode): void => {
      if (TABLES.has(node['Relation Name'] ?? '') || node['Index Name'] !== undefined) found.push(node);
      for (const child of node.Plans ?? []) visit(child);
    };
    visit((rows[0] as { 'QUERY PLAN': { Plan: PlanNode }[] })['QUERY PLAN'][0]?.Plan as PlanNode);
    return found;
  }

  /** Runs `operation`, and checks that no statement it ran reads a queue table without an index. */
  async function indexesUsedBy(operation: () => Promise<unknown>): Promise<string[]> {
    const indexes = new Set<string>();
    for (const statement of await statementsOf(operation)) {
      for (const node of await scans(statement)) {
        expect(node['Node Type'], `${node['Relation Name']} in:\n${statement.text}`).not.toBe('Seq Scan');
        if (node['Index Name']) indexes.add(node['Index Name']);
      }
    }
    return [...indexes].sort();
  }

  it.each<[string, MessageQuery, string | RegExp]>([
    ['every message', {}, 'messages_created'],
    ['by owner', { owner: 'owner-1' }, 'messages_owner_created'],
    // A fifth of the messages have no owner: walking the newest first finds a page as soon.
    ['without an owner', { owner: null }, /^messages_(owner_)?created$/],
    ['by owner in a window', { owner: 'owner-1', since: 1_005_000, until: 1_009_000 }, 'messages_owner_created'],
    ['by owner and event', { owner: 'owner-1', event: 'event-1' }, 'messages_owner_event_created'],
    ['by event', { event: 'event-3' }, 'messages_event_created'],
    ['by endpoint', { endpointId: 'ep-7' }, 'deliveries_endpoint_created'],
    ['by endpoint and status', { endpointId: 'ep-3', status: 'failing' }, 'deliveries_endpoint_created'],
    ['by status', { status: 'exhausted' }, 'deliveries_state_created'],
    ['by owner and status', { owner: 'owner-2', status: 'failing' }, 'deliveries_owner_state_created'],
    ['by owner and endpoint', { owner: 'owner-7', endpointId: 'ep-7' }, 'deliveries_endpoint_created'],
    ['by owner, event and status', { owner: 'owner-2', event: 'event-2', status: 'failing' }, /^deliveries_/],
  ])('lists %s through its index', async (_, query, index) => {
    const page = await queue.queryMessages({ ...query, limit: 5 });
    expect(page.items.length).toBeGreaterThan(0);
    const uses = (indexes: string[]) =>
      indexes.some((name) => (typeof index === 'string' ? name === index : index.test(name)));
    expect(uses(await indexesUsedBy(() => queue.queryMessages({ ...query, limit: 5 })))).toBe(true);
    // The next page seeks to the cursor through the same index.
    const next = await indexesUsedBy(() =>
      queue.queryMessages({ ...query, limit: 5, cursor: page.nextCursor as string }),
    );
    expect(uses(next)).toBe(true);
  });

  it('reads a message, its deliveries and their attempts by key', async () => {
    expect(await indexesUsedBy(() => queue.getMessage('m001234'))).toEqual(
      expect.arrayContaining(['messages_pkey', 'deliveries_message', 'attempts_pkey']),
    );
  });

  it('counts an endpoint’s stats and finds what recover resets through the endpoint indexes', async () => {
    const window = { since: 1_005_000, until: 1_006_000 };
    expect(await indexesUsedBy(() => queue.endpointStats('ep-7', window))).toContain('deliveries_endpoint_created');
    expect(await indexesUsedBy(() => queue.recover('ep-7', { now: 5, ...window }))).toContain(
      'deliveries_endpoint_created',
    );
  });

  it('leases, settles and finds the next due time through the waiting and lease indexes', async () => {
    let leases: Lease[] = [];
    const leased = await indexesUsedBy(async () => {
      leases = await queue.lease({ now: 2_000_000, limit: 10, leaseMs: 1_000, endpointCapacity: () => 2 });
    });
    expect(leases.length).toBe(10);
    expect(leased).toEqual(expect.arrayContaining(['deliveries_leased', 'deliveries_waiting']));
    const lease = leases[0] as Lease;
    const settled = await indexesUsedBy(() => queue.settle(lease, undefined, { status: 'pending', nextAttemptAt: 5 }));
    expect(settled).toContain('deliveries_pkey');
    expect(await indexesUsedBy(() => queue.countPending())).toEqual(['deliveries_state_created']);
    expect(await indexesUsedBy(() => queue.nextDueAt(() => 1))).toEqual(
      expect.arrayContaining(['deliveries_leased', 'deliveries_waiting']),
    );
  });

  it('finds what prune and erasePayload delete or change through indexes', async () => {
    expect(await indexesUsedBy(() => queue.prune({ olderThan: 1_000_050 }))).toContain('messages_finished_created');
    expect(await indexesUsedBy(() => queue.prune({ keepMessages: MESSAGES - 10 }))).toContain(
      'messages_finished_created',
    );
    expect(await indexesUsedBy(() => queue.erasePayload('m001000', { now: 5 }))).toEqual(
      expect.arrayContaining(['messages_pkey', 'deliveries_message']),
    );
  });
});
