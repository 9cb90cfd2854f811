// Run by the process specs as compiled JavaScript (see ../compile-children.ts), never by vitest:
//   node worker-child.js   with HS_MODE, HS_DATABASE, HS_SCHEMA, HS_URL, HS_WORKER, HS_COUNT in the environment
// work:    delivers from the shared schema until SIGTERM (or kill -9, the point of the tests); prints "ready".
// accept:  sends HS_COUNT events with the worker off, prints "accepted <id>" for each as send() resolves,
//          then "all-accepted", and waits to be killed.
// deliver: sends nothing, delivers what the schema holds, prints "drained" and exits.
import 'reflect-metadata';
import { generateSecret, WebhookClient } from '../../../lib';
import { PostgresQueue } from '../../../lib/queues/postgres';
import { ProcessEvent } from './process-event';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`worker-child needs ${name}`);
  return value;
};

const BATCH = 50;

async function main(): Promise<void> {
  const mode = env('HS_MODE');
  const client = new WebhookClient({
    webhooks: [ProcessEvent],
    endpoints: [
      { id: 'receiver', url: env('HS_URL'), secret: generateSecret(), headers: { 'x-worker': env('HS_WORKER') } },
    ],
    allowNetworks: ['127.0.0.0/8'],
    queue: new PostgresQueue({ connectionString: env('HS_DATABASE'), schema: env('HS_SCHEMA'), pollIntervalMs: 200 }),
    worker: mode !== 'accept',
    // Short, so that another worker takes over a killed one's leases within the test's time.
    timeoutMs: 2_000,
    leaseMs: 3_000,
    concurrency: 8,
    endpointConcurrency: 8,
    retry: { schedule: [200, 200, 200, 200, 200], jitter: 0 },
  });
  client.on('error', (error) => process.stderr.write(`worker-child: ${error.message}\n`));
  if (mode === 'work') {
    process.on('SIGTERM', () => {
      void client.close().then(() => process.exit(0));
    });
    process.stdout.write('ready\n');
    return;
  }
  if (mode === 'deliver') {
    await client.drain();
    process.stdout.write('drained\n');
    await client.close();
    return;
  }
  const count = Number(env('HS_COUNT'));
  for (let first = 0; first < count; first += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, count - first) }, (_, i) =>
      Object.assign(new ProcessEvent(), { label: `event-${first + i}`, n: first + i }),
    );
    // A pipe to the parent is written synchronously: a printed id was accepted before any later kill.
    for (const { id } of await Promise.all(events.map((event) => client.send(event)))) {
      process.stdout.write(`accepted ${id}\n`);
    }
  }
  process.stdout.write('all-accepted\n');
  // Wait for the kill, but not forever.
  setTimeout(() => process.exit(3), 60_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
