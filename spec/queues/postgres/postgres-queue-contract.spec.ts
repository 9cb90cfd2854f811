import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { PostgresQueue } from '../../../lib/queues/postgres';
import { describeHistoryContract } from '../../delivery/history-contract';
import { describeQueueContract } from '../../delivery/queue-contract';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../../support/postgres-server';

describe.runIf(postgresAvailable())('PostgresQueue on a private PostgreSQL cluster', () => {
  let server: TestPostgres;
  /** The application's pool, as a user passes it: the queue's close() leaves it open. */
  let pool: Pool;
  let idleErrors: string[] = [];

  beforeAll(async () => {
    server = await startPostgres();
    pool = new Pool({ connectionString: await server.createDatabase(), max: 8 });
    idleErrors = recordIdleErrors(pool);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
    await server?.stop();
  });

  /** A queue on emptied tables: the schema is made once, by the first queue, and truncated for each test. */
  const fresh = async () => {
    const queue = new PostgresQueue({ pool, schema: 'contract' });
    await queue.countPending();
    await pool.query('TRUNCATE contract.messages, contract.deliveries, contract.attempts');
    return queue;
  };

  describeQueueContract('PostgresQueue', fresh);
  describeHistoryContract('PostgresQueue', fresh);
});
