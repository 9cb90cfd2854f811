import { randomUUID } from 'node:crypto';
import { generateSecret, WebhookClient } from 'hookspec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { LOOPBACK } from '../../client/fixtures';
import { startRecordingServer, type Answer, type RecordedRequest } from '../../support/recording-server';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';
import { CrashEvent, crashEvent } from './crash-event';
import {
  compileWorkerChild,
  killAllWorkerChildren,
  startWorkerChild,
  type WorkerChildSettings,
} from './worker-children';

const LEASE_MS = 4_000;
const TIMEOUT_MS = 2_000;
const STALLED_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` every 20 ms until it holds, for at most `timeoutMs`; returns whether it held. */
async function eventually(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

describe.runIf(redisAvailable())('BullMqQueue when a worker process is killed', { timeout: 120_000 }, () => {
  let redis: TestRedis;
  let child: { script: string; remove: () => void } | undefined;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    [redis, child] = await Promise.all([startRedis(), compileWorkerChild()]);
  }, 180_000);
  afterEach(async () => {
    await killAllWorkerChildren();
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await killAllWorkerChildren();
    child?.remove();
    await redis?.stop();
  });

  async function setup(answer: (request: RecordedRequest, n: number) => Answer) {
    const receiver = await startRecordingServer({ answer: answer });
    const name = `death-${randomUUID()}`;
    const secret = generateSecret();
    const queue = () =>
      new BullMqQueue({
        connection: { host: redis.host, port: redis.port },
        name,
        stalledIntervalMs: STALLED_MS,
        pollIntervalMs: 250,
      });
    const options = {
      webhooks: [CrashEvent],
      endpoints: [{ id: 'hook', url: `${receiver.url}/hook`, secret }],
      allowNetworks: LOOPBACK,
      retry: { schedule: [100, 100, 100], jitter: 0 },
      timeoutMs: TIMEOUT_MS,
      leaseMs: LEASE_MS,
    };
    const producer = new WebhookClient({ ...options, queue: queue(), worker: false });
    const observer = queue();
    cleanup.push(
      () => receiver.close(),
      () => producer.close(),
      () => observer.close(),
    );
    const settings: WorkerChildSettings = {
      redisPort: redis.port,
      queue: name,
      url: `${receiver.url}/hook`,
      secret,
      leaseMs: LEASE_MS,
      timeoutMs: TIMEOUT_MS,
      stalledMs: STALLED_MS,
      concurrency: 10,
    };
    const worker = (script: string) => startWorkerChild(script, settings);
    const inProcessWorker = () => {
      const client = new WebhookClient({ ...options, queue: queue() });
      cleanup.push(() => client.close());
      return client;
    };
    return { receiver, producer, observer, worker, inProcessWorker };
  }

  it('delivers the job again, with the same webhook-id, when its worker is killed mid-request', async () => {
    // The first request is held open, as a slow endpoint would: the worker dies while waiting for it.
    const { receiver, producer, worker, inProcessWorker } = await setup((_r, n) =>
      n === 1 ? { never: true } : { status: 204 },
    );
    const doomed = worker(child?.script as string);
    await doomed.ready;
    const { id } = await producer.send(crashEvent(1));
    const [held] = await receiver.waitFor(1, '/hook', 20_000);
    await doomed.kill();

    const survivor = inProcessWorker();
    const [, again] = await receiver.waitFor(2, '/hook', LEASE_MS + 20 * STALLED_MS);
    expect(held?.headers['webhook-id']).toBe(id);
    expect(again?.headers['webhook-id']).toBe(id);
    expect(again?.body).toBe(held?.body);
    await survivor.drain();
    // The killed attempt was never settled, so the log holds only the one that was.
    expect((await producer.getMessage(id))?.deliveries[0]).toMatchObject({
      status: 'delivered',
      attempts: [{ attempt: 1, status: 204 }],
    });
  });

  it('loses none of 1,000 events when one of two worker processes is killed mid-run', async () => {
    const { receiver, producer, observer, worker } = await setup(() => ({ status: 204 }));
    const total = 1_000;
    const ids = new Set<string>();
    for (let n = 0; n < total; n += 50) {
      const batch = Array.from({ length: Math.min(50, total - n) }, (_, i) => producer.send(crashEvent(n + i)));
      for (const { id } of await Promise.all(batch)) ids.add(id);
    }
    const [doomed, survivor] = [worker(child?.script as string), worker(child?.script as string)];
    await Promise.all([doomed?.ready, survivor?.ready]);
    expect(await eventually(() => receiver.requests.length >= 150, 30_000)).toBe(true);
    await doomed.kill();
    const arrivedBeforeKill = receiver.requests.length;

    const distinct = () => new Set(receiver.requests.map((r) => r.headers['webhook-id'] as string));
    const allArrived = await eventually(() => distinct().size >= total, 60_000);
    const drained = await eventually(async () => (await observer.countPending()) === 0, 20_000);
    const duplicates = receiver.requests.length - distinct().size;
    console.log(
      `BullMQ crash test: ${arrivedBeforeKill} requests before the kill, ${receiver.requests.length} in all, ` +
        `${distinct().size} distinct webhook-ids of ${total}, ${duplicates} duplicates.`,
    );
    expect(arrivedBeforeKill).toBeLessThan(total);
    expect(allArrived, `survivor's stderr: ${survivor.stderr()}`).toBe(true);
    expect([...ids].filter((id) => !distinct().has(id))).toEqual([]);
    expect(drained).toBe(true);
  });
});
