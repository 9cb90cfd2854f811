import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PostgresEndpointStore } from '../../lib/queues/postgres';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';
import { describeEndpointStoreContract } from './endpoint-store-contract';

describe.runIf(postgresAvailable())('PostgresEndpointStore on a private PostgreSQL cluster', () => {
  let server: TestPostgres;
  /** The application's pool, as a user passes it: the store's close() leaves it open. */
  let pool: Pool;
  let idleErrors: string[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    pool = new Pool({ connectionString: await server.createDatabase(), max: 8 });
    idleErrors = recordIdleErrors(pool);
  }, 60_000);

  // stop() gives the server 10 s to shut down (a checkpoint, slow on a busy disk) before it kills it.
  afterAll(async () => {
    await pool?.end();
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
    await server?.stop();
  }, 30_000);

  /** A store on emptied tables: the tables are made once, by the first store, and emptied for each test. */
  const fresh = async () => {
    const store = new PostgresEndpointStore({ pool, schema: 'contract' });
    await store.list({});
    // DELETE, not TRUNCATE: a few rows, and no new files for each of the ~120 tests (which the server's
    // shutdown checkpoint would then sync).
    await pool.query('DELETE FROM contract.endpoints');
    return store;
  };

  describeEndpointStoreContract('PostgresEndpointStore', fresh);
});
