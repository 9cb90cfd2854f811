import 'reflect-metadata';
import { WebhookClient } from '../../../lib';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { CrashEvent } from './crash-event';

// A worker process for the BullMQ process tests, compiled with tsc and run with plain node. It delivers
// from the shared queue until it is told to stop (SIGTERM) or killed (SIGKILL, the point of the tests).
// Settings come from the environment, so the spec can start several alike.

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`worker-child needs ${name}`);
  return value;
};

const queue = new BullMqQueue({
  connection: { host: '127.0.0.1', port: Number(env('HS_REDIS_PORT')) },
  name: env('HS_QUEUE'),
  stalledIntervalMs: Number(env('HS_STALLED_MS')),
  pollIntervalMs: 1_000,
});
const client = new WebhookClient({
  webhooks: [CrashEvent],
  endpoints: [{ id: 'hook', url: env('HS_URL'), secret: env('HS_SECRET') }],
  allowNetworks: ['127.0.0.0/8'],
  queue,
  timeoutMs: Number(env('HS_TIMEOUT_MS')),
  leaseMs: Number(env('HS_LEASE_MS')),
  concurrency: Number(env('HS_CONCURRENCY')),
  retry: { schedule: [100, 100, 100], jitter: 0 },
});
client.on('error', (error) => process.stderr.write(`worker-child: ${error.message}\n`));

process.on('SIGTERM', () => {
  void client.close().then(() => process.exit(0));
});
process.stdout.write('ready\n');
