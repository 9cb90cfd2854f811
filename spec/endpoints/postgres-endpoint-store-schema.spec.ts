import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointStoreError } from '../../lib/errors';
import { PostgresEndpointStore, PostgresQueue } from '../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

/** What a call rejects with. */
async function refusal(call: Promise<unknown>): Promise<EndpointStoreError> {
  const error = await call.then(
    () => new Error('no error'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(EndpointStoreError);
  return error as EndpointStoreError;
}

const tablesOf = async (pool: Pool, schema: string): Promise<string[]> =>
  (
    await pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    )
  ).rows.map((row) => row.table_name);

describe.runIf(postgresAvailable())('PostgresEndpointStore tables, versions and neighbours', () => {
  let server: TestPostgres;
  /** The database the tests share; each test works in schemas of its own, which no one has used. */
  let database = '';
  let schemas = 0;
  const schema = () => `s${++schemas}`;
  /** Pools and stores a test made, ended after it; every pool's idle errors are checked. */
  const cleanup: (() => Promise<unknown>)[] = [];
  const idleErrors: string[][] = [];

  beforeAll(async () => {
    server = await startPostgres();
    database = await server.createDatabase();
  }, 60_000);

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    for (const codes of idleErrors.splice(0)) expect(unexpectedIdleErrors(codes)).toEqual([]);
  });

  // stop() gives the server 10 s to shut down (a checkpoint, slow on a busy disk) before it kills it.
  afterAll(async () => {
    await server?.stop();
  }, 30_000);

  /** A pool of its own on the shared database, or on `connectionString`'s. */
  function poolOn(connectionString = database): Pool {
    const pool = new Pool({ connectionString, max: 4 });
    idleErrors.push(recordIdleErrors(pool));
    cleanup.push(() => pool.end());
    return pool;
  }

  function storeOn(pool: Pool, name?: string): PostgresEndpointStore {
    const store = new PostgresEndpointStore({ pool, ...(name !== undefined && { schema: name }) });
    cleanup.push(() => store.close());
    return store;
  }

  const versionOf = async (pool: Pool, name: string) =>
    (await pool.query(`SELECT version FROM ${name}.endpoint_schema_version`)).rows;

  it("creates its tables on first use in the queue's default schema, with its own version record at 1", async () => {
    const pool = poolOn();
    const store = storeOn(pool);
    expect(store.schema).toBe('hookspec');
    expect(await store.list({})).toEqual({ items: [] });
    expect(await tablesOf(pool, 'hookspec')).toEqual([
      'endpoint_events',
      'endpoint_schema_version',
      'endpoint_secrets',
      'endpoints',
    ]);
    expect(await versionOf(pool, 'hookspec')).toEqual([{ version: 1 }]);
  });

  it('migrates once when several stores, each with its own pool, start at once on a new schema', async () => {
    const name = schema();
    const stores = Array.from({ length: 4 }, () => storeOn(poolOn(), name));
    const created = await Promise.all(
      stores.map((store, n) => store.create({ id: `e${n}`, url: `https://e${n}.example.com/h` }, { now: T0 + n })),
    );
    expect(created.map(({ endpoint }) => endpoint.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    for (const store of stores) {
      expect((await store.list({})).items.map((endpoint) => endpoint.id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    }
    expect(await versionOf(poolOn(), name)).toEqual([{ version: 1 }]);
  });

  it.each(['the store', 'the queue', 'neither (both at once)'])(
    'shares a new schema with a PostgresQueue when %s starts first',
    async (first) => {
      const name = schema();
      const pool = poolOn();
      const store = storeOn(pool, name);
      const queue = new PostgresQueue({ pool, schema: name });
      cleanup.push(() => queue.close());
      const storeStarts = () => store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
      const queueStarts = () =>
        queue.enqueue({ id: 'm1', event: 'order.paid', body: '{}', createdAt: T0 }, [
          { endpointId: 'e1', url: 'https://e1.example.com/h', nextAttemptAt: T0 },
        ]);
      if (first === 'the store') {
        await storeStarts();
        await queueStarts();
      } else if (first === 'the queue') {
        await queueStarts();
        await storeStarts();
      } else {
        await Promise.all([storeStarts(), queueStarts()]);
      }
      expect((await store.endpointById('e1'))?.url).toBe('https://e1.example.com/h');
      expect(await queue.countPending()).toBe(1);
      expect(await tablesOf(pool, name)).toEqual(
        expect.arrayContaining(['endpoint_schema_version', 'endpoints', 'messages', 'schema_version']),
      );
      expect(await versionOf(pool, name)).toEqual([{ version: 1 }]);
    },
  );

  it("leaves the queue's version record alone, and a queue started later leaves the store's tables", async () => {
    const name = schema();
    const pool = poolOn();
    const queue = new PostgresQueue({ pool, schema: name });
    cleanup.push(() => queue.close());
    await queue.countPending();
    const queueVersion = (await pool.query(`SELECT version FROM ${name}.schema_version`)).rows;
    const store = storeOn(pool, name);
    await store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
    expect((await pool.query(`SELECT version FROM ${name}.schema_version`)).rows).toEqual(queueVersion);
    const again = new PostgresQueue({ pool, schema: name });
    cleanup.push(() => again.close());
    expect(await again.countPending()).toBe(0);
    expect((await store.get('e1'))?.id).toBe('e1');
  });

  it('refuses endpoint tables of a newer version on every call, and leaves them untouched', async () => {
    const name = schema();
    const pool = poolOn();
    const first = storeOn(pool, name);
    await first.create({ id: 'kept', url: 'https://kept.example.com/h' }, { now: T0 });
    await pool.query(`UPDATE ${name}.endpoint_schema_version SET version = 7`);
    const store = storeOn(pool, name);
    const error = await refusal(store.list({}));
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'unsupported-schema',
      message:
        `PostgresEndpointStore: the endpoint tables in schema "${name}" have version 7, written by a newer ` +
        'hookspec; this version understands up to 1. Upgrade hookspec in this process, or give it another schema.',
    });
    expect((await refusal(store.create({ url: 'https://x.example.com/h' }, { now: T0 }))).code).toBe(
      'unsupported-schema',
    );
    expect((await pool.query(`SELECT id FROM ${name}.endpoints`)).rows).toEqual([{ id: 'kept' }]);
  });

  it('uses a schema made beforehand, as a user who may not create schemas', async () => {
    const pool = poolOn();
    const name = schema();
    await pool.query('CREATE ROLE store_user LOGIN');
    await pool.query(`CREATE SCHEMA ${name} AUTHORIZATION store_user`);
    const store = new PostgresEndpointStore({
      connectionString: database.replace('postgres://postgres@', 'postgres://store_user@'),
      schema: name,
      poolSize: 2,
    });
    cleanup.push(() => store.close());
    const { secret } = await store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
    expect((await store.endpointById('e1'))?.secrets).toEqual([secret]);
  });

  it('orders ids as JavaScript does and matches owners exactly, in a database whose default collation does not', async () => {
    const name = `icu_${schemas}`;
    await poolOn().query(
      `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`,
    );
    const pool = poolOn(database.replace(/\/[^/]+$/, `/${name}`));
    // The database's own order is not JavaScript's: 'a' before 'B'.
    expect((await pool.query("SELECT x FROM (VALUES ('B'), ('a')) AS v (x) ORDER BY x")).rows).toEqual([
      { x: 'a' },
      { x: 'B' },
    ]);
    const store = storeOn(pool);
    for (const id of ['b', 'a', 'B', 'A']) {
      await store.create({ id, owner: id === 'A' ? 'ACME' : 'acme', url: 'https://x.example.com/h' }, { now: T0 });
    }
    const first = await store.list({ limit: 2 });
    const rest = await store.list({ limit: 2, cursor: first.nextCursor as string });
    expect([...first.items, ...rest.items].map((endpoint) => endpoint.id)).toEqual(['A', 'B', 'a', 'b']);
    expect((await store.endpointsFor('order.paid', 'acme')).map((endpoint) => endpoint.id)).toEqual(['B', 'a', 'b']);
    expect((await store.list({ owner: 'ACME' })).items.map((endpoint) => endpoint.id)).toEqual(['A']);
  });
});
