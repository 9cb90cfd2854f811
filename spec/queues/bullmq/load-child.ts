import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebhookClient } from '../../../lib';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import type { AttemptRecord } from '../../../lib';
import { LoadWebhooks } from './load-events';

// A worker process for the BullMQ load test, compiled with tsc and run with plain node like worker-child.
// Besides delivering, it samples its own memory every 100 ms and writes a `report {json}` line to stdout
// every HS_REPORT_MS: the peaks so far, its delivered/exhausted counts, and the webhook-ids exhausted
// since the last report. It runs until it is killed.

// heapUsed counts garbage not yet collected, so its peak says more about V8's collection schedule than
// about what the worker keeps. Every 2 s the child also collects (the gc function, exposed at run time
// as Jest does for its leak detection) and records the live heap, which only grows if something is kept.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** One line of the child's stdout after `ready`. */
export interface LoadChildReport {
  readonly peakRss: number;
  readonly peakHeapUsed: number;
  /** heapUsed right after a full collection: what the worker keeps. */
  readonly liveHeap: number;
  readonly peakLiveHeap: number;
  /** RSS and live heap when the child was ready, before any work. */
  readonly readyRss: number;
  readonly readyLiveHeap: number;
  readonly delivered: number;
  readonly exhausted: number;
  readonly exhaustedIds: readonly string[];
  /** Exhausted deliveries whose attempt log is not HS_RETRY_SCHEDULE.length + 1 failed attempts. */
  readonly exhaustedOtherwise: number;
  /** Attempts of exhausted deliveries that got no response (a timeout or a reset on a starved machine). */
  readonly unanswered: number;
  readonly errors: number;
  readonly collectMs: number;
}

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`load-child needs ${name}`);
  return value;
};

const secret = env('HS_SECRET');
const endpoints = (JSON.parse(env('HS_ENDPOINTS')) as { id: string; url: string; events: string[] }[]).map(
  (endpoint) => ({ ...endpoint, secret }),
);
const queue = new BullMqQueue({
  connection: { host: '127.0.0.1', port: Number(env('HS_REDIS_PORT')) },
  name: env('HS_QUEUE'),
  stalledIntervalMs: Number(env('HS_STALLED_MS')),
  pollIntervalMs: 1_000,
  retainFinished: Number(env('HS_RETAIN_FINISHED')),
});
const client = new WebhookClient({
  webhooks: [LoadWebhooks],
  endpoints,
  allowNetworks: ['127.0.0.0/8'],
  queue,
  timeoutMs: Number(env('HS_TIMEOUT_MS')),
  leaseMs: Number(env('HS_LEASE_MS')),
  concurrency: Number(env('HS_CONCURRENCY')),
  endpointConcurrency: Number(env('HS_ENDPOINT_CONCURRENCY')),
  retry: { schedule: JSON.parse(env('HS_RETRY_SCHEDULE')) as number[], jitter: 0 },
});

let peakRss = 0;
let peakHeapUsed = 0;
let delivered = 0;
let exhausted = 0;
let errors = 0;
let exhaustedOtherwise = 0;
let unanswered = 0;
let collectMs = 0;
let exhaustedIds: string[] = [];
const attemptsEach = (JSON.parse(env('HS_RETRY_SCHEDULE')) as number[]).length + 1;
client.on('delivered', () => (delivered += 1));
client.on('exhausted', (event) => {
  exhausted += 1;
  exhaustedIds.push(event.messageId);
  // Every attempt failed: a 500 from the endpoint, or, on a machine starved of CPU, no response in time.
  const failed = (attempt: AttemptRecord) =>
    attempt.status === 500 || (attempt.status === undefined && attempt.errorCode !== undefined);
  if (event.attempts.length !== attemptsEach || !event.attempts.every(failed)) exhaustedOtherwise += 1;
  unanswered += event.attempts.filter((attempt) => attempt.status === undefined).length;
});
client.on('error', (error) => {
  errors += 1;
  process.stderr.write(`load-child: ${error.message}\n`);
});

const sample = () => {
  const { rss, heapUsed } = process.memoryUsage();
  peakRss = Math.max(peakRss, rss);
  peakHeapUsed = Math.max(peakHeapUsed, heapUsed);
};
setInterval(sample, 100);
const live = () => {
  const start = performance.now();
  collect();
  collectMs += performance.now() - start;
  return process.memoryUsage().heapUsed;
};
const readyLiveHeap = live();
const readyRss = process.memoryUsage().rss;
let liveHeap = readyLiveHeap;
let peakLiveHeap = readyLiveHeap;
// A full collection takes tens of milliseconds of the worker's time under load: every 2 s is enough.
setInterval(() => {
  liveHeap = live();
  peakLiveHeap = Math.max(peakLiveHeap, liveHeap);
}, 2_000);
setInterval(
  () => {
    sample();
    const report: LoadChildReport = {
      peakRss,
      peakHeapUsed,
      liveHeap,
      peakLiveHeap,
      readyRss,
      readyLiveHeap,
      delivered,
      exhausted,
      exhaustedIds,
      exhaustedOtherwise,
      unanswered,
      errors,
      collectMs,
    };
    exhaustedIds = [];
    process.stdout.write(`report ${JSON.stringify(report)}\n`);
  },
  Number(env('HS_REPORT_MS')),
);

sample();
process.stdout.write('ready\n');
