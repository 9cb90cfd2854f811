import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecret, WebhookClient } from '../../../lib';
import { PostgresQueue } from '../../../lib/queues/postgres';
import { compileChildren, PROJECT_NODE_MODULES } from '../compile-children';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../../support/postgres-server';
import { checkArrivals, startOverlapReceiver } from './overlap-receiver';
import { ProcessEvent } from './process-event';

const COUNT = 60;

describe.runIf(postgresAvailable())('the PostgreSQL outbox across kill -9', () => {
  let server: TestPostgres;
  let database = '';
  let script = '';
  let build = '';

  beforeAll(async () => {
    build = mkdtempSync(join(tmpdir(), 'hookspec-pg-outbox-children-'));
    [server, script] = await Promise.all([
      startPostgres(),
      compileChildren(build).then((compiled) => compiled.script('postgres/outbox-child')),
    ]);
    database = await server.createDatabase();
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (build) rmSync(build, { recursive: true, force: true });
  });

  it(
    'a process killed the moment its last transaction commits: every committed webhook is delivered by the next worker, no rolled-back one is ever sent',
    { timeout: 150_000 },
    async () => {
      const receiver = await startOverlapReceiver(5);
      const schema = 'outbox_crash';
      const pool = new Pool({ connectionString: database, max: 4 });
      const idleErrors = recordIdleErrors(pool);
      try {
        await pool.query('CREATE TABLE orders (n integer PRIMARY KEY)');
        const child = spawn(process.execPath, [script], {
          env: {
            ...process.env,
            NODE_PATH: PROJECT_NODE_MODULES,
            HS_DATABASE: database,
            HS_SCHEMA: schema,
            HS_URL: receiver.url,
            HS_COUNT: String(COUNT),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
          child.on('exit', (_code, sig) => resolve(sig)),
        );
        expect(signal, stderr).toBe('SIGKILL');
        const lines = stdout.split('\n').filter(Boolean);
        const committed = lines.filter((line) => line.startsWith('committed ')).map((line) => line.slice(10));
        const rolledBack = lines.filter((line) => line.startsWith('rolled-back ')).map((line) => line.slice(12));
        expect(committed.length + rolledBack.length).toBe(COUNT);
        expect(rolledBack.length).toBe(COUNT / 3);
        const beforeRestart = receiver.arrivals.length;

        // The next process: a worker on the same schema routes what is left in the outbox and delivers it.
        const worker = new WebhookClient({
          webhooks: [ProcessEvent],
          endpoints: [{ id: 'receiver', url: receiver.url, secret: generateSecret() }],
          allowNetworks: ['127.0.0.0/8'],
          queue: new PostgresQueue({ pool, schema, pollIntervalMs: 100 }),
          timeoutMs: 2_000,
          leaseMs: 3_000,
        });
        try {
          await expect.poll(() => receiver.distinct(), { timeout: 60_000, interval: 50 }).toBe(committed.length);
          await worker.drain();
        } finally {
          await worker.close();
        }
        const { lost, changed, duplicates, unexpected } = checkArrivals(committed, receiver.arrivals);
        console.log(
          `outbox kill -9: ${beforeRestart} requests before the kill, ${receiver.arrivals.length} in all; ` +
            `delivered twice (in flight at the kill): ${duplicates.join(', ') || 'none'}`,
        );
        // Duplicates may only be attempts in flight at the kill, with the same webhook-id and body.
        expect({ lost, changed, unexpected }).toEqual({ lost: [], changed: [], unexpected: [] });
        expect(receiver.arrivals.filter((arrival) => rolledBack.includes(arrival.id))).toEqual([]);
        expect(receiver.overlaps).toEqual([]);
        const orders = await pool.query('SELECT count(*)::int AS n FROM orders');
        expect(orders.rows).toEqual([{ n: committed.length }]);
        const outbox = await pool.query(`SELECT count(*)::int AS n FROM ${schema}.outbox`);
        expect(outbox.rows).toEqual([{ n: 0 }]);
      } finally {
        await receiver.close();
        await pool.end();
      }
      expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
    },
  );
});
