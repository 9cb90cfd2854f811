// Run by crash.spec.ts as compiled JavaScript (see compile-children.ts), never by vitest:
//   node crash-child.js <mode> <database> <receiver url> <count>
// accept:  sends <count> events with the worker off, prints "accepted <id>" for each as send() resolves,
//          then "all-accepted", and waits to be killed.
// send:    the same with the worker on, so deliveries run while it sends (the test kills it mid-way).
// deliver: sends nothing, delivers what the file holds, prints "drained" and exits.
import 'reflect-metadata';
import { IsInt, IsString } from 'class-validator';
import { generateSecret, Webhook, WebhookClient } from '../../../lib';
import { SqliteQueue } from '../../../lib/queues/sqlite';

@Webhook('crash.test')
class CrashEvent {
  @IsString() label!: string;
  @IsInt() n!: number;
}

const BATCH = 50;

async function main(): Promise<void> {
  const [mode = '', path = '', url = '', countText = '0'] = process.argv.slice(2);
  const client = new WebhookClient({
    webhooks: [CrashEvent],
    endpoints: [{ id: 'receiver', url, secret: generateSecret() }],
    allowNetworks: ['127.0.0.0/8'],
    queue: new SqliteQueue({ path, pollIntervalMs: 50 }),
    worker: mode !== 'accept',
    // Short, so that the next child takes over a killed child's leases within the test's time.
    timeoutMs: 2_000,
    leaseMs: 3_000,
    endpointConcurrency: 16,
    retry: { schedule: [200, 200, 200, 200, 200], jitter: 0 },
  });
  const count = Number(countText);
  for (let first = 0; first < count; first += BATCH) {
    const events = Array.from({ length: Math.min(BATCH, count - first) }, (_, i) =>
      Object.assign(new CrashEvent(), { label: `event-${first + i}`, n: first + i }),
    );
    // A pipe to the parent is written synchronously: a printed id was accepted before any later kill.
    for (const { id } of await Promise.all(events.map((event) => client.send(event)))) {
      process.stdout.write(`accepted ${id}\n`);
    }
  }
  process.stdout.write('all-accepted\n');
  if (mode === 'deliver') {
    await client.drain();
    process.stdout.write('drained\n');
    await client.close();
  } else {
    // Wait for the kill, but not forever.
    setTimeout(() => process.exit(3), 60_000);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
