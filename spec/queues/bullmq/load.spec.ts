import { randomUUID } from 'node:crypto';
import { generateSecret, WebhookClient } from 'hookspec';
import type { MessageView } from 'hookspec';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { LOOPBACK } from '../../client/fixtures';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';
import type { LoadChildReport } from './load-child';
import { startLoadEndpoint, type LoadEndpoint, type LoadEndpointKind } from './load-endpoints';
import { LoadWebhooks, loadEvent, loadWebhookName } from './load-events';
import { compileWorkerChild, killAllWorkerChildren, startWorkerChild, type WorkerChild } from './worker-children';

const EVENTS = 10_000;
const ENDPOINTS = 20;
/**
 * Subscription layout: endpoint i subscribes to 4 of the 20 webhook names (load.i … load.i+3, mod 20)
 * and event n is sent as load.(n mod 20), so every event goes to 4 endpoints: 40,000 deliveries, 2,000
 * per endpoint, and messages that mix healthy, slow and failing deliveries. Measured on a 2-core machine
 * with 1 KB bodies: each event to one endpoint (10,000 deliveries) took 13 s, this layout 34 s (42 s with
 * the 16 KB bodies below, 55–82 s while other processes held the CPUs), and every event to every
 * endpoint (200,000 deliveries) had not finished after 240 s (4,196 of the failing one's 10,000 exhausted).
 */
const FANOUT = 4;
const SLOW = 0;
const FAILING = 1;
const SLOW_MS = 75;
/** Three attempts 50 ms apart: the failing endpoint's deliveries end exhausted within the run. */
const RETRY_SCHEDULE = [50, 50];
/** A realistic large webhook, big enough that keeping the bodies would show in every measure below. */
const NOTE_BYTES = 16 * 1024;
const RETAIN_FINISHED = 1_000;
const REPORT_MS = 500;
const RUN_LIMIT_MS = 240_000;
const SAMPLES = 20;

const MB = 1024 * 1024;
/**
 * Memory bounds. Each worker attempts about 22,000 deliveries whose bodies are 16 KB, of nearly all the
 * 10,000 messages: a worker that kept one body per message it saw would grow by at least 150 MB, one that
 * kept each attempt's body by 350 MB, before counting attempt logs.
 * - Live heap (after a full collection) is what a worker keeps: about 17 MB when ready and 23 MB at its
 *   peak here. 48 MB leaves room for another machine's V8 and stays a third of "one body per message".
 * - RSS adds code, buffers and the garbage V8 has not collected yet (its peak was 135–210 MB here, about
 *   90 MB when ready): 320 MB is a guard against a runaway, below "each attempt's body kept".
 * - Redis keeps every pending message until it finishes (its peak holds most of the 160 MB of bodies) and
 *   then at most RETAIN_FINISHED finished ones: about 16 MB of bodies, 26 MB in all here; 48 MB is far
 *   below the 170+ MB that keeping every finished message would take.
 */
const LIVE_HEAP_BOUND = 48 * MB;
const RSS_BOUND = 320 * MB;
const REDIS_BOUND = 48 * MB;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number | undefined) => `${((bytes ?? 0) / MB).toFixed(0)} MB`;

function kindOf(index: number): LoadEndpointKind {
  if (index === SLOW) return { kind: 'slow', delayMs: SLOW_MS };
  if (index === FAILING) return { kind: 'failing' };
  return { kind: 'healthy' };
}

/** Follows a load child's `report` lines: the latest one, and every webhook-id it reported exhausted. */
function followReports(child: WorkerChild) {
  const state = {
    last: undefined as LoadChildReport | undefined,
    exhaustedIds: new Set<string>(),
    /** The most recently exhausted webhook-id, until the test takes it as a sample. */
    newest: undefined as string | undefined,
  };
  let pending = '';
  child.process.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('report ')) continue;
      const report = JSON.parse(line.slice('report '.length)) as LoadChildReport;
      for (const id of report.exhaustedIds) state.exhaustedIds.add(id);
      state.newest = report.exhaustedIds.at(-1) ?? state.newest;
      state.last = report;
    }
  });
  return state;
}

describe.runIf(redisAvailable())('BullMqQueue under load', { timeout: RUN_LIMIT_MS + 60_000 }, () => {
  let redis: TestRedis;
  let child: { script: string; remove: () => void } | undefined;
  const endpoints: LoadEndpoint[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    [redis, child] = await Promise.all([startRedis(), compileWorkerChild('load-child')]);
    for (let i = 0; i < ENDPOINTS; i += 1) endpoints.push(await startLoadEndpoint(`ep-${i}`, kindOf(i)));
  }, 180_000);
  afterAll(async () => {
    await killAllWorkerChildren();
    for (const close of closers.reverse()) await close();
    await Promise.all(endpoints.map((endpoint) => endpoint.close()));
    child?.remove();
    await redis?.stop();
  });

  it('delivers 10,000 events to 19 healthy endpoints and exhausts the failing one, with two worker processes, in bounded memory', async () => {
    const name = `load-${randomUUID()}`;
    const secret = generateSecret();
    const subscriptions = endpoints.map((endpoint, i) => ({
      id: endpoint.id,
      url: endpoint.url,
      events: Array.from({ length: FANOUT }, (_, k) => loadWebhookName(i + k)),
    }));
    const producerQueue = new BullMqQueue({ connection: { host: redis.host, port: redis.port }, name });
    const producer = new WebhookClient({
      webhooks: [LoadWebhooks],
      endpoints: subscriptions.map((subscription) => ({ ...subscription, secret })),
      allowNetworks: LOOPBACK,
      queue: producerQueue,
      worker: false,
    });
    const info = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    closers.push(
      () => producer.close(),
      async () => info.disconnect(),
    );

    const workers = [0, 1].map(() =>
      startWorkerChild(child?.script as string, {
        redisPort: redis.port,
        queue: name,
        url: '', // the load child takes its endpoints from HS_ENDPOINTS
        secret,
        leaseMs: 30_000,
        timeoutMs: 5_000,
        stalledMs: 1_000,
        concurrency: 50,
        env: {
          HS_ENDPOINTS: JSON.stringify(subscriptions),
          HS_ENDPOINT_CONCURRENCY: '10',
          HS_RETRY_SCHEDULE: JSON.stringify(RETRY_SCHEDULE),
          HS_RETAIN_FINISHED: String(RETAIN_FINISHED),
          HS_REPORT_MS: String(REPORT_MS),
        },
      }),
    );
    const reports = workers.map(followReports);
    await Promise.all(workers.map((worker) => worker.ready));

    const started = Date.now();
    const expected = new Map(endpoints.map((endpoint) => [endpoint.id, new Set<string>()]));
    const note = 'x'.repeat(NOTE_BYTES);
    for (let n = 0; n < EVENTS; n += 100) {
      const batch = Array.from({ length: 100 }, (_, i) =>
        producer.send(loadEvent(n + i, note), { event: loadWebhookName(n + i) }),
      );
      for (const sent of await Promise.all(batch)) {
        for (const delivery of sent.deliveries) expected.get(delivery.endpointId)?.add(sent.id);
      }
    }
    const enqueued = Date.now() - started;

    const failing = endpoints[FAILING] as LoadEndpoint;
    const failingIds = expected.get(failing.id) as Set<string>;
    const healthy = endpoints.filter((endpoint) => endpoint !== failing);
    const exhaustedIds = () => new Set(reports.flatMap((report) => [...report.exhaustedIds]));
    const finished = () =>
      healthy.every((endpoint) => endpoint.byId.size >= (expected.get(endpoint.id)?.size ?? 0)) &&
      exhaustedIds().size >= failingIds.size;
    // Samples are read as soon as they are reported: retention drops the oldest finished messages.
    const samples: (MessageView | undefined)[] = [];
    const deadline = started + RUN_LIMIT_MS;
    while (!finished() && Date.now() < deadline) {
      for (const report of reports) {
        if (report.newest === undefined || samples.length >= SAMPLES) continue;
        samples.push(await producer.getMessage(report.newest));
        report.newest = undefined;
      }
      await sleep(250);
    }
    while ((await producerQueue.countPending()) > 0 && Date.now() < deadline) await sleep(250);
    const duration = Date.now() - started;
    // Two more reports from each child, so the peaks cover the end of the run.
    await sleep(REPORT_MS * 2 + 200);

    await info.connect();
    const usedMemory = Number(/used_memory:(\d+)/.exec(await info.info('memory'))?.[1]);
    const deliveries = [...expected.values()].reduce((sum, ids) => sum + ids.size, 0);
    const requests = endpoints.reduce((sum, endpoint) => sum + endpoint.requests(), 0);
    const duplicates = healthy.reduce((sum, endpoint) => sum + endpoint.requests() - endpoint.byId.size, 0);
    const peaks = reports.map(
      ({ last }, i) => `worker ${i + 1} ${mb(last?.peakRss)} (live heap ${mb(last?.peakLiveHeap)})`,
    );
    console.log(
      `BullMQ load: ${deliveries} deliveries of ${EVENTS} events (${requests} requests) to ${ENDPOINTS} endpoints ` +
        `in ${(duration / 1000).toFixed(1)} s (enqueued in ${(enqueued / 1000).toFixed(1)} s), ${duplicates} duplicates, ` +
        `${exhaustedIds().size} exhausted; peak RSS ${peaks.join(', ')}; Redis used_memory ${mb(usedMemory)} after.`,
    );

    for (const endpoint of healthy) {
      const missing = [...(expected.get(endpoint.id) ?? [])].filter((id) => !endpoint.byId.has(id));
      expect(missing, `${endpoint.id} (${endpoint.behaviour.kind}) lost deliveries`).toEqual([]);
    }
    expect(exhaustedIds()).toEqual(failingIds);
    const total = (count: (report: LoadChildReport) => number) =>
      reports.reduce((sum, { last }) => sum + (last ? count(last) : 0), 0);
    expect(total((report) => report.exhausted)).toBe(failingIds.size);
    expect(total((report) => report.delivered)).toBeGreaterThanOrEqual(deliveries - failingIds.size);
    // Every attempt at the failing endpoint reached it, except those that got no response at all.
    const failingRequests = [...failing.byId.values()].reduce((sum, count) => sum + count, 0);
    expect(failingRequests + total((report) => report.unanswered)).toBeGreaterThanOrEqual(
      failingIds.size * (RETRY_SCHEDULE.length + 1),
    );
    expect(await producerQueue.countPending()).toBe(0);
    expect(samples.length).toBeGreaterThan(0);
    for (const view of samples) {
      const delivery = view?.deliveries.find((d) => d.endpointId === failing.id);
      expect(delivery?.status).toBe('exhausted');
      expect(delivery?.attempts.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
      for (const attempt of delivery?.attempts ?? []) {
        // A 500, or no response in time on a starved machine (then an error code says why).
        if (attempt.status === undefined) expect(attempt.errorCode).toEqual(expect.any(String));
        else expect(attempt.status).toBe(500);
      }
    }
    for (const [i, { last }] of reports.entries()) {
      expect(last?.errors, workers[i]?.stderr()).toBe(0);
      expect(last?.exhaustedOtherwise).toBe(0);
      expect(last?.peakLiveHeap).toBeLessThan(LIVE_HEAP_BOUND);
      expect(last?.peakRss).toBeLessThan(RSS_BOUND);
    }
    expect(usedMemory).toBeLessThan(REDIS_BOUND);
  });
});
