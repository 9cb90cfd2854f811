// Run by postgres-outbox-crash.spec.ts as compiled JavaScript (see ../compile-children.ts), never by vitest:
//   node outbox-child.js   with HS_DATABASE, HS_SCHEMA, HS_URL, HS_COUNT in the environment
// Places HS_COUNT orders, each in its own transaction with its webhook sent through the outbox
// (send(payload, { tx })), with the worker on: every third transaction rolls back. It prints
// "committed <id>" or "rolled-back <id>" as each transaction ends, and kills itself with SIGKILL the
// moment the last one commits — between the commit and any attempt of that message, while the worker is
// routing and delivering the earlier ones.
import 'reflect-metadata';
import { Pool } from 'pg';
import { generateSecret, WebhookClient } from '../../../lib';
import { PostgresQueue } from '../../../lib/queues/postgres';
import { ProcessEvent } from './process-event';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`outbox-child needs ${name}`);
  return value;
};

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: env('HS_DATABASE'), max: 4 });
  pool.on('error', () => {});
  const client = new WebhookClient({
    webhooks: [ProcessEvent],
    endpoints: [{ id: 'receiver', url: env('HS_URL'), secret: generateSecret() }],
    allowNetworks: ['127.0.0.0/8'],
    queue: new PostgresQueue({ pool, schema: env('HS_SCHEMA'), pollIntervalMs: 200 }),
    leaseMs: 3_000,
    timeoutMs: 2_000,
  });
  client.on('error', (error) => process.stderr.write(`outbox-child: ${error.message}\n`));
  const count = Number(env('HS_COUNT'));
  for (let n = 0; n < count; n += 1) {
    const tx = await pool.connect();
    await tx.query('BEGIN');
    await tx.query('INSERT INTO orders (n) VALUES ($1)', [n]);
    const { id } = await client.send(Object.assign(new ProcessEvent(), { label: `order-${n}`, n }), { tx });
    const rollBack = n % 3 === 2;
    await tx.query(rollBack ? 'ROLLBACK' : 'COMMIT');
    tx.release();
    // A pipe to the parent is written synchronously: a printed line was true before the kill.
    process.stdout.write(`${rollBack ? 'rolled-back' : 'committed'} ${id}\n`);
    if (n === count - 1) process.kill(process.pid, 'SIGKILL');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`outbox-child failed: ${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
