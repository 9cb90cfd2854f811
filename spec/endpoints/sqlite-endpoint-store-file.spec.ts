import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EndpointStoreError } from '../../lib/errors';
import { SqliteEndpointStore, SqliteQueue } from '../../lib/queues/sqlite';
import { listQuery, SUBSCRIBED_SQL } from '../../lib/queues/sqlite/sqlite-endpoint-statements';
import { SCHEMA_VERSION } from '../../lib/queues/sqlite/sqlite-schema';
import { tempDirectory } from '../queues/sqlite/temp-files';
import { expectRefusal, T0 } from './contract-harness';

const temp = tempDirectory('endpoint-file');
afterAll(() => temp.remove());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function storeOn(options: ConstructorParameters<typeof SqliteEndpointStore>[0]): SqliteEndpointStore {
  const store = new SqliteEndpointStore(options);
  cleanups.push(() => store.close());
  return store;
}

function connection(path: string): Database.Database {
  const db = new Database(path);
  cleanups.push(() => {
    db.close();
  });
  return db;
}

const url = 'https://hooks.example.com/in';

describe('SqliteEndpointStore keeps its endpoints in the file', () => {
  it('answers every endpoint, secret and state after the file is closed and opened again', async () => {
    const path = temp.file();
    const first = new SqliteEndpointStore({ path });
    const created = await first.create(
      { id: 'e1', owner: 'acme', url, events: ['order.paid'], headers: { 'x-api-key': 'k' }, metadata: { a: 'b' } },
      { now: T0 },
    );
    const rotated = await first.rotateSecret('e1', { now: Date.now(), graceMs: 60 * 60 * 1000 });
    await first.setEnabled('e1', false, { now: T0 + 2, reason: 'maintenance' });
    await first.create({ id: 'e2', url }, { now: T0 + 3 });
    const listed = await first.list({});
    await first.close();

    const second = storeOn({ path });
    expect(await second.list({})).toEqual(listed);
    expect(await second.endpointById('e1')).toEqual({
      id: 'e1',
      owner: 'acme',
      url,
      events: ['order.paid'],
      headers: { 'x-api-key': 'k' },
      enabled: false,
      secrets: [rotated.secret, created.secret],
    });
    expect((await second.endpointsFor('order.paid', 'acme')).map((e) => e.id)).toEqual(['e1']);
  });

  it('keeps the secrets in their own table, and nothing secret in the endpoints table', async () => {
    const path = temp.file();
    const { secret } = await storeOn({ path }).create({ id: 'e1', url }, { now: T0 });
    const db = connection(path);
    expect(db.prepare('SELECT endpoint_id, secret, expires_at FROM hookspec_endpoint_secrets').all()).toEqual([
      { endpoint_id: 'e1', secret, expires_at: null },
    ]);
    expect(JSON.stringify(db.prepare('SELECT * FROM hookspec_endpoints').all())).not.toContain(secret.slice(6));
  });

  it('deletes a secret whose grace is over when it is next read', async () => {
    const path = temp.file();
    const store = storeOn({ path });
    await store.create({ id: 'e1', url }, { now: T0 });
    await store.rotateSecret('e1', { now: Date.now() - 2_000, graceMs: 1_000 });
    const count = () => connection(path).prepare('SELECT count(*) FROM hookspec_endpoint_secrets').pluck().get();
    expect(count()).toBe(2);
    expect((await store.endpointById('e1'))?.secrets).toHaveLength(1);
    expect(count()).toBe(1);
  });
});

describe('SqliteEndpointStore shares a file with a SqliteQueue', () => {
  function queueOn(path: string): SqliteQueue {
    const queue = new SqliteQueue({ path });
    cleanups.push(() => queue.close());
    return queue;
  }

  it.each([
    ['the store', true],
    ['the queue', false],
  ])('works beside a queue on the same file when %s opens it first', async (_, storeFirst) => {
    const path = temp.file();
    const endpoints = storeFirst ? storeOn({ path }) : undefined;
    const queue = queueOn(path);
    const store = endpoints ?? storeOn({ path });
    await store.create({ id: 'e1', url }, { now: T0 });
    await queue.enqueue({ id: 'm1', event: 'order.paid', body: '{}', createdAt: T0 }, [
      { endpointId: 'e1', url, nextAttemptAt: T0 },
    ]);
    expect(await queue.countPending()).toBe(1);
    expect((await store.endpointsFor('order.paid')).map((e) => e.id)).toEqual(['e1']);
    // The queue's version stays in user_version; the store's is a row of its own.
    const db = connection(path);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT component, version FROM hookspec_schema_versions').all()).toEqual([
      { component: 'endpoints', version: 1 },
    ]);
  });

  it('uses a connection the app opened, and leaves it open when closed', async () => {
    const path = temp.file();
    const db = connection(path);
    const store = new SqliteEndpointStore({ database: db });
    await store.create({ id: 'e1', url }, { now: T0 });
    await store.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT id FROM hookspec_endpoints').pluck().all()).toEqual(['e1']);
    await expectRefusal(store.get('e1'), 'store-failed', /SqliteEndpointStore\.get\('e1'\): the store on .* is closed/);
  });
});

describe('SqliteEndpointStore refuses', () => {
  it('endpoint tables of a newer schema version, with unsupported-schema', async () => {
    const path = temp.file();
    await storeOn({ path }).create({ id: 'e1', url }, { now: T0 });
    connection(path).prepare("UPDATE hookspec_schema_versions SET version = 99 WHERE component = 'endpoints'").run();
    expect(() => new SqliteEndpointStore({ path })).toThrow(
      expect.objectContaining({ code: 'unsupported-schema', message: expect.stringMatching(/schema version 99/) }),
    );
  });

  it('a file that is not a SQLite database, with store-failed', () => {
    const path = temp.file();
    writeFileSync(path, 'not a database, just text that is long enough to have a header of sorts');
    expect(() => new SqliteEndpointStore({ path })).toThrow(
      expect.objectContaining({ code: 'store-failed', message: expect.stringMatching(/cannot open/) }),
    );
  });

  it.each([
    ['no options', undefined, 'invalid-option', /needs an options object/],
    ['neither path nor database', {}, 'invalid-option', /give either path .* or database .*not neither/],
    ['both', { path: 'x.db', database: {} }, 'invalid-option', /not both/],
    ['an in-memory path', { path: ':memory:' }, 'invalid-option', /use MemoryEndpointStore/],
    ['an empty path', { path: ' ' }, 'invalid-option', /path must be the database file's path/],
    [
      'a database that is no connection',
      { database: { name: 'x' } },
      'invalid-option',
      /must be an open better-sqlite3/,
    ],
    ['a misspelt option', { pth: 'x.db' }, 'unknown-option', /'pth' \(did you mean 'path'\?\)/],
  ])('%s', (_, options, code, message) => {
    const error = (() => {
      try {
        new SqliteEndpointStore(options as never);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(EndpointStoreError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('a closed connection', () => {
    const db = new Database(temp.file());
    db.close();
    expect(() => new SqliteEndpointStore({ database: db })).toThrow(/database is closed/);
  });
});

describe('SqliteEndpointStore plans its lookups on its indexes', () => {
  /** The steps of SQLite's plan for `sql`. */
  const plan = (db: Database.Database, sql: string, parameters: unknown[]): string[] =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[]).map((row) => row.detail);

  const query = { owner: undefined, event: undefined, enabled: undefined, limit: 50, after: undefined };

  it('endpointsFor(event, owner) searches the per-owner, per-event index, with or without an owner', () => {
    const db = connection(temp.file());
    storeOn({ database: db });
    for (const owner of ['acme', null]) {
      const steps = plan(db, SUBSCRIBED_SQL, [owner, 'order.paid']);
      expect(steps).toContain(
        'SEARCH v USING COVERING INDEX hookspec_endpoint_events_by_owner_event (owner=? AND event=?)',
      );
      expect(steps).toContain('SEARCH e USING PRIMARY KEY (id=?)');
      expect(steps.filter((step) => step.startsWith('SCAN'))).toEqual([]);
    }
  });

  it.each([
    ['an owner', { owner: 'acme' }, 'SEARCH e USING INDEX hookspec_endpoints_by_owner (owner=?)'],
    ['no owner', { owner: null }, 'SEARCH e USING INDEX hookspec_endpoints_by_owner (owner=?)'],
    [
      'an owner after a cursor',
      { owner: 'acme', after: { createdAt: T0, id: 'e1' } },
      'SEARCH e USING INDEX hookspec_endpoints_by_owner (owner=? AND (created_at,id)>(?,?))',
    ],
    [
      'an owner, an event and enabled',
      { owner: 'acme', event: 'order.paid', enabled: true },
      'SEARCH e USING INDEX hookspec_endpoints_by_owner (owner=?)',
    ],
  ])('list by %s searches the owner index in listing order, without sorting', (_, filters, step) => {
    const db = connection(temp.file());
    storeOn({ database: db });
    const { sql, parameters } = listQuery({ ...query, ...filters });
    const steps = plan(db, sql, parameters);
    expect(steps[0]).toBe(step);
    expect(steps.filter((s) => s.startsWith('SCAN') || s.includes('TEMP B-TREE'))).toEqual([]);
  });

  it('list of every owner walks the creation-order index, without sorting', () => {
    const db = connection(temp.file());
    storeOn({ database: db });
    const { sql, parameters } = listQuery({ ...query, event: 'order.paid' });
    expect(plan(db, sql, parameters)).toEqual([
      'SCAN e USING INDEX hookspec_endpoints_in_order',
      'SEARCH v EXISTS USING PRIMARY KEY (endpoint_id=? AND event=?)',
    ]);
  });
});
