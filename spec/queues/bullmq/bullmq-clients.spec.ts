import { randomUUID } from 'node:crypto';
import { generateSecret, WebhookClient } from 'hookspec';
import type { EndpointDisabledEvent } from 'hookspec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BullMqQueue } from '../../../lib/queues/bullmq';
import { LOOPBACK } from '../../client/fixtures';
import { startRecordingServer, type Answer, type RecordedRequest } from '../../support/recording-server';
import { redisAvailable, startRedis, type TestRedis } from '../../support/redis-server';
import { CrashEvent, crashEvent } from './crash-event';

/**
 * A producer (worker: false) and two worker clients, each with its own BullMqQueue on one queue name, as
 * three processes would have: only Redis is shared.
 */
describe.runIf(redisAvailable())('BullMqQueue between a producer and two workers', { timeout: 30_000 }, () => {
  let redis: TestRedis;
  const cleanup: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function setup(script: (request: RecordedRequest, n: number) => Answer, schedule = [50, 50]) {
    const receiver = await startRecordingServer({ answer: script });
    cleanup.push(() => receiver.close());
    const name = `clients-${randomUUID()}`;
    const secret = generateSecret();
    const queue = () =>
      new BullMqQueue({
        connection: { host: redis.host, port: redis.port },
        name,
        stalledIntervalMs: 500,
        // Also how soon drain() on a worker learns that another finished the last delivery.
        pollIntervalMs: 250,
      });
    const options = {
      webhooks: [CrashEvent],
      endpoints: [{ id: 'hook', url: `${receiver.url}/hook`, secret }],
      allowNetworks: LOOPBACK,
      retry: { schedule, jitter: 0 },
      timeoutMs: 2_000,
    };
    const producer = new WebhookClient({ ...options, queue: queue(), worker: false });
    const workers = [
      new WebhookClient({ ...options, queue: queue() }),
      new WebhookClient({ ...options, queue: queue() }),
    ];
    cleanup.push(() => producer.close(), ...workers.map((worker) => () => worker.close()));
    return { receiver, producer, workers };
  }

  it('delivers what the producer sends through the workers, each message with its own webhook-id', async () => {
    const { receiver, producer, workers } = await setup(() => ({ status: 204 }));
    const ids = [];
    for (let n = 0; n < 40; n += 1) ids.push((await producer.send(crashEvent(n))).id);
    await receiver.waitFor(40, '/hook', 20_000);
    await workers[0]?.drain();
    expect(new Set(receiver.on('/hook').map((r) => r.headers['webhook-id']))).toEqual(new Set(ids));
    const view = await producer.getMessage(ids[7] as string);
    expect(view?.deliveries[0]).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, status: 204 }] });
    expect(JSON.parse(view?.message.body ?? '{}')).toEqual({ n: 7, note: 'event 7' });
  });

  it('honours Retry-After: the retry comes no sooner than it asks', async () => {
    const { receiver, producer, workers } = await setup((_r, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 },
    );
    const { id } = await producer.send(crashEvent(1));
    const [first, second] = await receiver.waitFor(2, '/hook', 10_000);
    expect(second?.headers['webhook-id']).toBe(id);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_000);
    await workers[0]?.drain();
    expect((await producer.getMessage(id))?.deliveries[0]).toMatchObject({
      status: 'delivered',
      attempts: [{ status: 429 }, { status: 204 }],
    });
  });

  it('disables the delivery on 410 and tells it on the worker that got the answer', async () => {
    const { receiver, producer, workers } = await setup(() => ({ status: 410 }));
    const disabled: EndpointDisabledEvent[] = [];
    for (const worker of workers) worker.on('endpoint-disabled', (event) => disabled.push(event));
    const { id } = await producer.send(crashEvent(1));
    await receiver.waitFor(1, '/hook');
    await workers[1]?.drain();
    expect(receiver.on('/hook')).toHaveLength(1);
    expect(disabled).toMatchObject([{ endpointId: 'hook', messageId: id, reason: 'gone' }]);
    expect((await producer.getMessage(id))?.deliveries[0]).toMatchObject({
      status: 'disabled',
      attempts: [{ status: 410 }],
    });
  });

  it('exhausts the retries, keeps the attempt log, and redelivers it with the same webhook-id', async () => {
    let failing = true;
    const { receiver, producer, workers } = await setup(() => ({ status: failing ? 500 : 200 }));
    const { id } = await producer.send(crashEvent(1));
    await receiver.waitFor(3, '/hook', 10_000);
    await workers[0]?.drain();
    const exhausted = (await producer.getMessage(id))?.deliveries[0];
    expect(exhausted).toMatchObject({ status: 'exhausted', scheduleBase: 0 });
    expect(exhausted?.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    failing = false;
    expect(await producer.redeliver(id)).toEqual({ restarted: 1, skipped: [] });
    const requests = await receiver.waitFor(4, '/hook', 10_000);
    await workers[1]?.drain();
    expect(requests.map((r) => r.headers['webhook-id'])).toEqual([id, id, id, id]);
    expect((await producer.getMessage(id))?.deliveries[0]).toMatchObject({
      status: 'delivered',
      scheduleBase: 3,
      attempts: [{ attempt: 1 }, { attempt: 2 }, { attempt: 3 }, { attempt: 4, status: 200 }],
    });
  });
});
