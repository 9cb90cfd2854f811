import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointStoreError } from '../../lib/errors';
import { PostgresEndpointStore, type PostgresEndpointStoreOptions } from '../../lib/queues/postgres';
import { generateSecret } from '../../lib/signing';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);
const HOUR = 60 * 60 * 1000;

/** What a call rejects (or throws) with. */
async function failure(run: () => unknown): Promise<EndpointStoreError> {
  const outcome = await Promise.resolve()
    .then(run)
    .then(
      () => new Error('no error'),
      (error: unknown) => error,
    );
  expect(outcome).toBeInstanceOf(EndpointStoreError);
  return outcome as EndpointStoreError;
}

describe.runIf(postgresAvailable())('PostgresEndpointStore options, pools, failures and concurrent calls', () => {
  let server: TestPostgres;
  let database = '';
  let pool: Pool;
  let idleErrors: string[] = [];
  let schemas = 0;
  const open: PostgresEndpointStore[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    database = await server.createDatabase();
    pool = new Pool({ connectionString: database, max: 12 });
    idleErrors = recordIdleErrors(pool);
  }, 60_000);

  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
  });

  // stop() gives the server 10 s to shut down (a checkpoint, slow on a busy disk) before it kills it.
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  }, 30_000);

  const schema = () => `ops_${++schemas}`;
  const storeOn = (options: Partial<PostgresEndpointStoreOptions> = {}): PostgresEndpointStore => {
    const store = new PostgresEndpointStore({ pool, schema: schema(), ...options } as PostgresEndpointStoreOptions);
    open.push(store);
    return store;
  };

  describe('options', () => {
    it('refuses an unknown option, naming the one meant', async () => {
      const error = await failure(
        () => new PostgresEndpointStore({ pool, schemaName: 'x' } as unknown as PostgresEndpointStoreOptions),
      );
      expect({ code: error.code, message: error.message }).toEqual({
        code: 'unknown-option',
        message: expect.stringMatching(/new PostgresEndpointStore\(options\).*'schemaName'.*did you mean 'schema'/),
      });
    });

    it('needs exactly one of pool and connectionString, and never echoes a connection string', async () => {
      const neither = await failure(() => new PostgresEndpointStore({} as PostgresEndpointStoreOptions));
      expect(neither).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('got neither') });
      const both = await failure(() => new PostgresEndpointStore({ pool, connectionString: database }));
      expect(both).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('got both') });
      const sized = await failure(() => new PostgresEndpointStore({ pool, poolSize: 3 }));
      expect(sized).toMatchObject({ code: 'invalid-option', message: expect.stringContaining('set max on it') });
      const blank = await failure(() => new PostgresEndpointStore({ connectionString: ' ' }));
      expect(blank.code).toBe('invalid-option');
      const secret = 'postgres://app:hunter2@db.example.com/app';
      const bad = await failure(() => new PostgresEndpointStore({ connectionString: secret, schema: 'Bad-Name' }));
      expect(bad.message).not.toContain('hunter2');
    });

    it.each([
      ['schema', { schema: 'Hookspec' }],
      ['schema', { schema: 'a;drop' }],
      ['schema', { schema: 'x'.repeat(64) }],
      ['pool', { pool: {} }],
      ['poolSize', { pool: undefined, connectionString: 'postgres://127.0.0.1/app', poolSize: 0 }],
    ])('refuses a bad %s with invalid-option', async (name, options) => {
      const error = await failure(
        () => new PostgresEndpointStore({ pool, ...options } as unknown as PostgresEndpointStoreOptions),
      );
      expect(error).toMatchObject({ code: 'invalid-option', message: expect.stringContaining(name) });
    });
  });

  describe('pools and close()', () => {
    it("leaves the application's pool open, and refuses calls once closed", async () => {
      const store = storeOn();
      await store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
      await store.close();
      await store.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      for (const call of [
        () => store.get('e1'),
        () => store.list({}),
        () => store.endpointsFor('order.paid'),
        () => store.endpointById('e1'),
        () => store.setEnabled('e1', false, { now: T0 }),
      ]) {
        const error = await failure(call);
        expect({ code: error.code, message: error.message }).toEqual({
          code: 'store-failed',
          message: expect.stringMatching(
            /: the store on schema "ops_\d+" is closed; create a new PostgresEndpointStore/,
          ),
        });
      }
    });

    it('ends the pool it made from connectionString, and only then', async () => {
      const application = `store_${Date.now()}`;
      const owning = storeOn({ pool: undefined, connectionString: `${database}?application_name=${application}` });
      await owning.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
      const sessions = async () =>
        (
          await pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
            [application],
          )
        ).rows[0]?.n;
      expect(await sessions()).toBeGreaterThan(0);
      await owning.close();
      // A backend leaves pg_stat_activity a moment after its client hangs up.
      for (let tries = 0; tries < 100 && (await sessions()) !== 0; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await sessions()).toBe(0);
    });

    it('names the operation and the schema when the database cannot be reached', async () => {
      const nowhere = storeOn({ pool: undefined, connectionString: 'postgres://postgres@127.0.0.1:1/none' });
      const error = await failure(() => nowhere.list({}));
      expect(error.code).toBe('store-failed');
      expect(error.message).toMatch(/^PostgresEndpointStore\.list\(\) failed on schema "ops_\d+": /);
    });
  });

  describe('failures', () => {
    it('names the operation and the schema, never the secret, and writes nothing of a failed create', async () => {
      const store = storeOn();
      await store.list({});
      // Every new secret row is refused: the statement fails after the endpoint row is written.
      await pool.query(`ALTER TABLE ${store.schema}.endpoint_secrets ADD CONSTRAINT refused CHECK (secret = '')`);
      const secret = generateSecret();
      const error = await failure(() =>
        store.create({ id: 'e1', url: 'https://e1.example.com/h', secret }, { now: T0 }),
      );
      expect(error.code).toBe('store-failed');
      expect(error.message).toMatch(
        new RegExp(`^PostgresEndpointStore\\.create\\(\\) failed on schema "${store.schema}": `),
      );
      expect(error.message).not.toContain(secret.slice(6));
      expect(await store.get('e1')).toBeUndefined();
      expect((await pool.query(`SELECT count(*)::int AS n FROM ${store.schema}.endpoint_events`)).rows).toEqual([
        { n: 0 },
      ]);
    });

    it('rolls a failed rotation back whole: the old secret stays current and the endpoint unchanged', async () => {
      const store = storeOn();
      const { secret: old } = await store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
      await pool.query(`ALTER TABLE ${store.schema}.endpoint_secrets ADD CONSTRAINT refused CHECK (secret = '${old}')`);
      const secret = generateSecret();
      const error = await failure(() => store.rotateSecret('e1', { now: T0 + 1, graceMs: HOUR, secret }));
      expect(error.message).toMatch(/^PostgresEndpointStore\.rotateSecret\('e1'\) failed on schema "ops_\d+": /);
      expect(error.message).not.toContain(secret.slice(6));
      expect(error.message).not.toContain(old.slice(6));
      expect((await store.endpointById('e1'))?.secrets).toEqual([old]);
      expect((await store.get('e1'))?.updatedAt).toBe(T0);
      // The connection the transaction ran on went back to the pool in a usable state.
      expect(await store.list({})).toMatchObject({ items: [{ id: 'e1' }] });
    });
  });

  describe('calls from several processes at once', () => {
    it('lets exactly one of two creates of one id through, the other refused as duplicate-endpoint', async () => {
      const name = schema();
      const [first, second] = [storeOn({ schema: name }), storeOn({ schema: name })] as const;
      await first.list({});
      const outcomes = await Promise.allSettled([
        first.create({ id: 'same', url: 'https://one.example.com/h' }, { now: T0 }),
        second.create({ id: 'same', url: 'https://two.example.com/h' }, { now: T0 }),
      ]);
      expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: 'duplicate-endpoint' });
      const winner = outcomes.find((outcome) => outcome.status === 'fulfilled') as PromiseFulfilledResult<{
        secret: string;
        endpoint: { url: string };
      }>;
      expect(await second.endpointById('same')).toMatchObject({
        url: winner.value.endpoint.url,
        secrets: [winner.value.secret],
      });
    });

    it('serialises rotations of one endpoint: each one keeps the secret before it through its grace', async () => {
      const store = storeOn();
      const { secret: first } = await store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
      const now = Date.now();
      const rotated = await Promise.all(
        Array.from({ length: 8 }, () => store.rotateSecret('e1', { now, graceMs: HOUR })),
      );
      const secrets = (await store.endpointById('e1'))?.secrets ?? [];
      expect(secrets).toHaveLength(9);
      expect(new Set(secrets)).toEqual(new Set([first, ...rotated.map((rotation) => rotation.secret)]));
      expect(
        (await pool.query(`SELECT count(*)::int AS n FROM ${store.schema}.endpoint_secrets WHERE expires_at IS NULL`))
          .rows,
      ).toEqual([{ n: 1 }]);
    });

    it('keeps every change of updates made at once, as if made one after the other', async () => {
      const store = storeOn();
      await store.create({ id: 'e1', url: 'https://e1.example.com/h', events: ['order.paid'] }, { now: T0 });
      await Promise.all([
        store.update('e1', { events: ['order.created'] }, { now: T0 + 1 }),
        store.setEnabled('e1', false, { now: T0 + 2, reason: 'maintenance' }),
        store.update('e1', { description: 'billing' }, { now: T0 + 3 }),
      ]);
      expect(await store.get('e1')).toMatchObject({
        events: ['order.created'],
        enabled: false,
        disabledReason: 'maintenance',
        description: 'billing',
      });
      expect((await store.endpointsFor('order.created')).map((endpoint) => endpoint.id)).toEqual(['e1']);
      expect(await store.endpointsFor('order.paid')).toEqual([]);
    });
  });

  it('deletes the secrets whose grace is over when it reads them for signing', async () => {
    const store = storeOn();
    const { secret: old } = await store.create({ id: 'e1', url: 'https://e1.example.com/h' }, { now: T0 });
    const { secret } = await store.rotateSecret('e1', { now: Date.now() - 2 * HOUR, graceMs: HOUR });
    const stored = async () =>
      (await pool.query<{ secret: string }>(`SELECT secret FROM ${store.schema}.endpoint_secrets ORDER BY seq`)).rows;
    expect(await stored()).toEqual([{ secret: old }, { secret }]);
    expect((await store.endpointsFor('order.paid'))[0]?.secrets).toEqual([secret]);
    expect(await stored()).toEqual([{ secret }]);
  });
});
