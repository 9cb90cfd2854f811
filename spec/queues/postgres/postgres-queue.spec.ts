import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Lease, MessageRecord } from '../../../lib/delivery';
import { DeliveryQueueError } from '../../../lib/errors';
import { PostgresQueue, type PostgresQueueOptions } from '../../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../../support/postgres-server';

const T0 = 1_000_000_000_000;

const message = (id: string): MessageRecord => ({ id, event: 'order.paid', body: `{"id":"${id}"}`, createdAt: T0 });

const send = (queue: PostgresQueue, id: string, endpoints: readonly string[] = ['e1'], at = T0): Promise<void> =>
  queue.enqueue(
    message(id),
    endpoints.map((endpointId) => ({ endpointId, url: `https://${endpointId}.example.com/`, nextAttemptAt: at })),
  );

const attempt = (n: number, status: number) => ({ attempt: n, startedAt: T0 + n, durationMs: 3, status });

/** What a call rejects (or throws) with. */
async function failure(run: () => unknown): Promise<DeliveryQueueError> {
  const outcome = await Promise.resolve()
    .then(run)
    .then(
      () => new Error('no error'),
      (error: unknown) => error,
    );
  expect(outcome).toBeInstanceOf(DeliveryQueueError);
  return outcome as DeliveryQueueError;
}

describe.runIf(postgresAvailable())('PostgresQueue', () => {
  let server: TestPostgres;
  let database = '';
  let pool: Pool;
  let schemas = 0;
  const open: PostgresQueue[] = [];

  let idleErrors: string[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    database = await server.createDatabase();
    pool = new Pool({ connectionString: database, max: 6 });
    // As pg asks of every app (a backend the reconnect test terminates may sit idle in the pool).
    idleErrors = recordIdleErrors(pool);
  }, 60_000);

  afterEach(async () => {
    // Only what the tests did on purpose: a backend ended by pg_terminate_backend (57P01).
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
    for (const queue of open.splice(0)) await queue.close();
  });

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  const schema = () => `queue_${++schemas}`;
  const queueOn = (options: Partial<PostgresQueueOptions> = {}): PostgresQueue => {
    const queue = new PostgresQueue({ pool, schema: schema(), ...options } as PostgresQueueOptions);
    open.push(queue);
    return queue;
  };

  describe('schema and migrations', () => {
    it('creates its schema and tables on first use, at schema version 2', async () => {
      const queue = queueOn();
      expect(await queue.countPending()).toBe(0);
      const { rows } = await pool.query(`SELECT version FROM ${queue.schema}.schema_version`);
      expect(rows).toEqual([{ version: 2 }]);
      const tables = await pool.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [queue.schema],
      );
      expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual([
        'attempts',
        'deliveries',
        'messages',
        'outbox',
        'schema_version',
      ]);
    });

    it('brings a version 1 schema (before the outbox) forward to version 2, keeping its messages', async () => {
      const old = queueOn();
      await send(old, 'from-version-1');
      // What version 1 wrote: everything but the outbox table.
      await pool.query(`DROP TABLE ${old.schema}.outbox`);
      await pool.query(`UPDATE ${old.schema}.schema_version SET version = 1`);
      const upgraded = queueOn({ schema: old.schema });
      expect(await upgraded.countPending()).toBe(1);
      const { rows } = await pool.query(`SELECT version FROM ${old.schema}.schema_version`);
      expect(rows).toEqual([{ version: 2 }]);
      const outbox = await pool.query(`SELECT count(*)::int AS n FROM ${old.schema}.outbox`);
      expect(outbox.rows).toEqual([{ n: 0 }]);
    });

    it('migrates once when several processes start on a new schema at once', async () => {
      const name = schema();
      const pools = Array.from({ length: 4 }, () => new Pool({ connectionString: database, max: 2 }));
      try {
        const queues = pools.map((own) => new PostgresQueue({ pool: own, schema: name }));
        expect(await Promise.all(queues.map((queue) => queue.countPending()))).toEqual([0, 0, 0, 0]);
        await send(queues[0] as PostgresQueue, 'a');
        expect(await (queues[3] as PostgresQueue).countPending()).toBe(1);
        const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${name}.schema_version`);
        expect(rows).toEqual([{ n: 1 }]);
        await Promise.all(queues.map((queue) => queue.close()));
      } finally {
        await Promise.all(pools.map((own) => own.end()));
      }
    });

    it('refuses a schema written by a newer version, on every call, and leaves it untouched', async () => {
      const first = queueOn();
      await send(first, 'kept');
      await pool.query(`UPDATE ${first.schema}.schema_version SET version = 7`);
      const newer = queueOn({ schema: first.schema });
      const error = await failure(() => newer.countPending());
      expect(error.code).toBe('unsupported-schema');
      expect(error.message).toBe(
        `PostgresQueue: the schema "${first.schema}" has version 7, written by a newer hookspec; this version ` +
          'understands up to 2. Upgrade hookspec in this process, or give it another schema.',
      );
      expect((await failure(() => send(newer, 'refused'))).code).toBe('unsupported-schema');
      const { rows } = await pool.query(`SELECT id FROM ${first.schema}.messages`);
      expect(rows).toEqual([{ id: 'kept' }]);
    });

    it('runs as a user who may not create schemas: in one made for it, and, once migrated, with rights on rows only', async () => {
      const admin = queueOn();
      const made = schema();
      await pool.query('CREATE ROLE app_user LOGIN');
      await pool.query(`CREATE SCHEMA ${made}`);
      await pool.query(`GRANT USAGE, CREATE ON SCHEMA ${made} TO app_user`);
      await admin.countPending();
      await pool.query(`GRANT USAGE ON SCHEMA ${admin.schema} TO app_user`);
      await pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${admin.schema} TO app_user`);
      await pool.query(`GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA ${admin.schema} TO app_user`);
      const asApp = database.replace('postgres://postgres@', 'postgres://app_user@');
      for (const name of [made, admin.schema]) {
        const queue = new PostgresQueue({ connectionString: asApp, schema: name, poolSize: 2 });
        try {
          await send(queue, `as-app-${name}`);
          const [lease] = await queue.lease({ now: T0, limit: 1, leaseMs: 1_000 });
          expect(await queue.settle(lease as Lease, attempt(1, 200), { status: 'delivered' })).toBe(true);
          expect(await queue.countPending()).toBe(0);
        } finally {
          await queue.close();
        }
      }
      const denied = new PostgresQueue({ connectionString: asApp, schema: schema(), poolSize: 1 });
      try {
        const error = await failure(() => denied.countPending());
        expect(error).toMatchObject({ code: 'queue-failed', message: expect.stringContaining('permission denied') });
      } finally {
        await denied.close();
      }
    });

    it('keeps pending work for the next queue on the same schema, its lease included', async () => {
      const first = queueOn();
      await send(first, 'held', ['e1']);
      const [held] = await first.lease({ now: T0, limit: 10, leaseMs: 5_000 });
      await first.close();
      const second = queueOn({ schema: first.schema });
      expect(await second.countPending()).toBe(1);
      expect(await second.lease({ now: T0 + 4_999, limit: 10, leaseMs: 5_000 })).toEqual([]);
      const [again] = await second.lease({ now: T0 + 5_000, limit: 10, leaseMs: 5_000 });
      expect(again?.message.id).toBe('held');
      expect(await second.settle(held as Lease, attempt(1, 200), { status: 'delivered' })).toBe(false);
      expect(await second.settle(again as Lease, attempt(1, 200), { status: 'delivered' })).toBe(true);
    });
  });

  describe('options', () => {
    it('refuses an unknown option, naming the one meant', async () => {
      const error = await failure(
        () => new PostgresQueue({ pool, schemaName: 'x' } as unknown as PostgresQueueOptions),
      );
      expect(error.code).toBe('unknown-option');
      expect(error.message).toContain("'schemaName'");
      expect(error.message).toContain("'schema'");
    });

    it('needs exactly one of pool and connectionString, and never echoes a connection string', async () => {
      const neither = await failure(() => new PostgresQueue({} as PostgresQueueOptions));
      expect(neither).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('got neither') });
      const both = await failure(() => new PostgresQueue({ pool, connectionString: database }));
      expect(both).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('got both') });
      const secret = 'postgres://app:hunter2@db.example.com/app';
      const sized = await failure(() => new PostgresQueue({ pool, poolSize: 3 }));
      expect(sized.message).toContain('set max on it');
      const blank = await failure(() => new PostgresQueue({ connectionString: ' ' }));
      expect(blank.code).toBe('invalid-option');
      const bad = await failure(() => new PostgresQueue({ connectionString: secret, schema: 'Bad-Name' }));
      expect(bad.message).not.toContain('hunter2');
    });

    it.each([
      ['schema', { schema: 'Hookspec' }],
      ['schema', { schema: 'a;drop' }],
      ['retainFinished', { retainFinished: -1 }],
      ['pollIntervalMs', { pollIntervalMs: 0 }],
      ['pool', { pool: {} }],
    ])('refuses a bad %s', async (name, options) => {
      const error = await failure(() => new PostgresQueue({ pool, ...options } as PostgresQueueOptions));
      expect(error).toMatchObject({ code: 'invalid-option', message: expect.stringContaining(name) });
    });
  });

  describe('pools and close()', () => {
    it("leaves the application's pool open, and ends the pool it made itself", async () => {
      const onAppPool = new PostgresQueue({ pool, schema: schema() });
      await send(onAppPool, 'a');
      await onAppPool.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);

      const owning = new PostgresQueue({ connectionString: database, schema: onAppPool.schema, poolSize: 2 });
      expect(await owning.countPending()).toBe(1);
      await owning.close();
      await owning.close();
      const closed = await failure(() => owning.countPending());
      expect(closed.code).toBe('queue-closed');
    });

    it('names the operation and the schema when the database cannot be reached', async () => {
      const nowhere = new PostgresQueue({
        connectionString: 'postgres://postgres@127.0.0.1:1/none',
        schema: 'unreachable',
      });
      try {
        const error = await failure(() => nowhere.countPending());
        expect(error.code).toBe('queue-failed');
        expect(error.message).toMatch(/^PostgresQueue countPending\(\) failed on schema "unreachable": /);
      } finally {
        await nowhere.close();
      }
    });
  });

  describe('leases past the first index pass', () => {
    it('still leases and reports the other endpoints when a full endpoint holds the oldest work', async () => {
      const queue = queueOn();
      await Promise.all(Array.from({ length: 300 }, (_, n) => send(queue, `slow-${n}`, ['slow'], T0 + n)));
      await send(queue, 'fast-1', ['fast'], T0 + 500);
      await send(queue, 'fast-2', ['fast'], T0 + 400);
      const capacity = (endpointId: string) => (endpointId === 'slow' ? 0 : 5);
      expect(await queue.nextDueAt(capacity)).toBe(T0 + 400);
      const leases = await queue.lease({ now: T0 + 1_000, limit: 3, leaseMs: 1_000, endpointCapacity: capacity });
      expect(leases.map((l) => l.message.id)).toEqual(['fast-2', 'fast-1']);
      const oneSlow = (endpointId: string) => (endpointId === 'slow' ? 1 : 0);
      const [slow, ...none] = await queue.lease({
        now: T0 + 1_000,
        limit: 3,
        leaseMs: 1_000,
        endpointCapacity: oneSlow,
      });
      expect([slow?.message.id, none]).toEqual(['slow-0', []]);
    });
  });

  describe('retention', () => {
    it('keeps the last retainFinished finished messages, with their attempts, and drops older ones whole', async () => {
      const queue = queueOn({ retainFinished: 2 });
      for (const id of ['m1', 'm2', 'm3', 'm4']) {
        await send(queue, id);
        const [lease] = await queue.lease({ now: T0, limit: 1, leaseMs: 1_000 });
        expect(await queue.settle(lease as Lease, attempt(1, 200), { status: 'delivered' })).toBe(true);
      }
      expect(await queue.getMessage('m1')).toBeUndefined();
      expect(await queue.getMessage('m2')).toBeUndefined();
      expect((await queue.getMessage('m4'))?.deliveries[0]?.attempts).toEqual([attempt(1, 200)]);
      const counts = await pool.query(
        `SELECT (SELECT count(*) FROM ${queue.schema}.deliveries)::int AS deliveries,
                (SELECT count(*) FROM ${queue.schema}.attempts)::int AS attempts`,
      );
      expect(counts.rows).toEqual([{ deliveries: 2, attempts: 2 }]);
    });

    it('takes a redelivered message out of retention until it finishes again', async () => {
      const queue = queueOn({ retainFinished: 1 });
      await send(queue, 'old');
      const [first] = await queue.lease({ now: T0, limit: 1, leaseMs: 1_000 });
      await queue.settle(first as Lease, attempt(1, 500), { status: 'exhausted' });
      expect(await queue.redeliver('old', { now: T0 })).toBe(1);
      await send(queue, 'new');
      const leases = await queue.lease({ now: T0, limit: 10, leaseMs: 1_000 });
      const fresh = leases.find((l) => l.message.id === 'new') as Lease;
      await queue.settle(fresh, attempt(1, 200), { status: 'delivered' });
      expect((await queue.getMessage('old'))?.deliveries[0]?.status).toBe('pending');
    });
  });

  describe('watch()', () => {
    it('calls back when another queue enqueues (NOTIFY), and not for its own enqueues', async () => {
      const watching = queueOn({ pollIntervalMs: 60_000 });
      const producer = queueOn({ schema: watching.schema });
      let calls = 0;
      const stop = watching.watch(() => (calls += 1));
      // LISTEN is set up on the first watch, in the background: wait until another queue's send wakes it.
      for (let n = 0; calls === 0 && n < 100; n += 1) {
        await send(producer, `probe-${n}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(calls).toBeGreaterThan(0);
      const before = calls;
      await send(watching, 'own');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls).toBe(before);
      await send(producer, 'other');
      await expect.poll(() => calls, { timeout: 5_000 }).toBe(before + 1);
      stop();
      await send(producer, 'after-stop');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls).toBe(before + 1);
    });

    it('listens again on a new connection when the server ends the listening one', async () => {
      const watching = queueOn({ pollIntervalMs: 200 });
      const producer = queueOn({ schema: watching.schema });
      const listening = async (): Promise<number[]> =>
        (
          await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE query = $1', [
            `LISTEN "${watching.schema}_work"`,
          ])
        ).rows.map((row) => row.pid);
      let calls = 0;
      const stop = watching.watch(() => (calls += 1));
      await expect.poll(listening, { timeout: 5_000 }).toHaveLength(1);
      const [first] = await listening();
      await pool.query('SELECT pg_terminate_backend($1)', [first]);
      await expect
        .poll(async () => (await listening()).filter((pid) => pid !== first), { timeout: 5_000 })
        .toHaveLength(1);
      const before = calls;
      await send(producer, 'after-reconnect');
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThan(before);
      stop();
      await expect.poll(listening, { timeout: 5_000 }).toEqual([]);
    });

    it('calls back every pollIntervalMs as well, for what no notification announces', async () => {
      const queue = queueOn({ pollIntervalMs: 50 });
      let calls = 0;
      const stop = queue.watch(() => (calls += 1));
      await expect.poll(() => calls, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
      stop();
    });
  });
});
