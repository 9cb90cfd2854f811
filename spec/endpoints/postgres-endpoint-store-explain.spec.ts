import { Pool, type QueryConfig } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndpointQuery } from '../../lib/endpoints';
import { PostgresEndpointStore } from '../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';

/** One node of EXPLAIN (FORMAT JSON)'s plan tree. */
interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

const TABLES = new Set(['endpoints', 'endpoint_events', 'endpoint_secrets']);
const ENDPOINTS = 20_000;
const T0 = 1_000_000;

describe.runIf(postgresAvailable())('PostgresEndpointStore reads its tables through indexes only', () => {
  let server: TestPostgres;
  let pool: Pool;
  let idleErrors: string[] = [];
  let store: PostgresEndpointStore;
  /** The statements the store ran on the pool since the last take(). */
  let ran: QueryConfig[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    pool = new Pool({ connectionString: await server.createDatabase(), max: 4 });
    idleErrors = recordIdleErrors(pool);
    const recording = new Proxy(pool, {
      get(target, property) {
        if (property === 'query') {
          return (config: QueryConfig | string, values?: unknown[]) => {
            const statement = typeof config === 'string' ? { text: config, values: values ?? [] } : config;
            ran.push(statement);
            return target.query(statement);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    store = new PostgresEndpointStore({ pool: recording, schema: 'explain' });
    await store.list({});
    // A used store: 20,000 endpoints of 200 owners (one in a hundred without one), a quarter subscribed to
    // every webhook and the others to two of 10, each with a current secret and a tenth with a previous
    // one. Enough rows that the planner's choice is the one it makes in use.
    await pool.query(`
      INSERT INTO explain.endpoints (id, owner, url, events, enabled, created_at, updated_at)
      SELECT 'ep-' || lpad(n::text, 6, '0'), CASE WHEN n % 100 = 0 THEN NULL ELSE 'owner-' || n % 200 END,
             'https://example.com/' || n,
             CASE WHEN n % 4 = 0 THEN NULL ELSE json_build_array('event-' || n / 7 % 10, 'event-' || (n / 7 + 1) % 10)::text END,
             n % 7 <> 0, ${T0} + n / 3, ${T0} + n / 3
      FROM generate_series(1, ${ENDPOINTS}) AS n`);
    await pool.query(`
      INSERT INTO explain.endpoint_events (endpoint_id, event, owner)
      SELECT e.id, k.event, e.owner FROM explain.endpoints e,
             json_array_elements_text(coalesce(e.events, '["*"]')::json) AS k (event)`);
    await pool.query(`
      INSERT INTO explain.endpoint_secrets (endpoint_id, secret, expires_at)
      SELECT id, 'whsec_' || md5(id), NULL FROM explain.endpoints
      UNION ALL
      SELECT id, 'whsec_' || md5(id || 'old'), 4000000000000 FROM explain.endpoints WHERE right(id, 1) = '7'`);
    await pool.query('ANALYZE explain.endpoints, explain.endpoint_events, explain.endpoint_secrets');
  }, 120_000);

  // stop() gives the server 10 s to shut down (a checkpoint, slow on a busy disk) before it kills it.
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
    await server?.stop();
  }, 30_000);

  /** The nodes of a statement's plan that read a store table or an index (not executed: no ANALYZE). */
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

  /** Runs `operation`, checks that no statement it ran reads a store table without an index, and answers the indexes. */
  async function indexesUsedBy(operation: () => Promise<unknown>): Promise<string[]> {
    ran = [];
    await operation();
    expect(ran.length).toBeGreaterThan(0);
    const indexes = new Set<string>();
    for (const statement of ran.splice(0)) {
      for (const node of await scans(statement)) {
        expect(node['Node Type'], `${node['Relation Name']} in:\n${statement.text}`).not.toBe('Seq Scan');
        if (node['Index Name']) indexes.add(node['Index Name']);
      }
    }
    return [...indexes].sort();
  }

  it.each<[string, string | undefined]>([
    ["an owner's endpoints", 'owner-7'],
    ['the endpoints without an owner', undefined],
  ])('finds %s subscribed to a webhook through the (owner, event) index, on every send', async (_, owner) => {
    const endpoints = await store.endpointsFor('event-3', owner);
    expect(endpoints.length).toBeGreaterThan(0);
    // Every endpoint whose id ends in 7 has a previous secret still in its grace.
    const signsWith = (id: string | undefined) => (id?.endsWith('7') ? 2 : 1);
    expect(
      endpoints.every((endpoint) => endpoint.owner === owner && endpoint.secrets?.length === signsWith(endpoint.id)),
    ).toBe(true);
    expect(await indexesUsedBy(() => store.endpointsFor('event-3', owner))).toEqual([
      'endpoint_events_owner_event',
      'endpoint_secrets_endpoint',
      'endpoints_pkey',
    ]);
  });

  it('reads one endpoint with its secrets by key, before every attempt', async () => {
    expect((await store.endpointById('ep-000017'))?.secrets).toHaveLength(2);
    expect(await indexesUsedBy(() => store.endpointById('ep-000017'))).toEqual([
      'endpoint_secrets_endpoint',
      'endpoints_pkey',
    ]);
    expect(await indexesUsedBy(() => store.get('ep-000017'))).toEqual(['endpoints_pkey']);
  });

  it.each<[string, EndpointQuery, string | RegExp]>([
    ['every endpoint', {}, 'endpoints_created'],
    ['by owner', { owner: 'owner-7' }, 'endpoints_owner_created'],
    // One endpoint in a hundred has no owner: walking all in order finds a page about as soon.
    ['without an owner', { owner: null }, /^endpoints_(owner_)?created$/],
    ['by owner and event', { owner: 'owner-7', event: 'event-3' }, 'endpoints_owner_created'],
    ['by owner, enabled', { owner: 'owner-7', enabled: false }, 'endpoints_owner_created'],
    ['by event', { event: 'event-3' }, 'endpoints_created'],
  ])('lists %s through its index, and seeks the next page to the cursor', async (_, query, index) => {
    const page = await store.list({ ...query, limit: 5 });
    expect(page.items).toHaveLength(5);
    const uses = (indexes: string[]) =>
      indexes.some((name) => (typeof index === 'string' ? name === index : index.test(name)));
    expect(uses(await indexesUsedBy(() => store.list({ ...query, limit: 5 })))).toBe(true);
    const next = await indexesUsedBy(() => store.list({ ...query, limit: 5, cursor: page.nextCursor as string }));
    expect(uses(next)).toBe(true);
  });
});
