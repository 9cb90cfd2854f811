import { generateSecret, verifyWebhook, WebhookClient } from 'hookspec';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer } from '../../support/recording-server';
import { Subscription, subscription } from '../../client/fixtures';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('client');
afterAll(() => temp.remove());

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Only loopback: these tests never reach another address. */
const LOOPBACK = ['127.0.0.0/8'];

function clientOn(path: string, url: string, secret: string, worker: boolean): WebhookClient<[typeof Subscription]> {
  const client = new WebhookClient({
    webhooks: [Subscription] as [typeof Subscription],
    endpoints: [{ id: 'crm', url, secret }],
    allowNetworks: LOOPBACK,
    queue: new SqliteQueue({ path, pollIntervalMs: 25 }),
    retry: { schedule: [50], jitter: 0 },
    worker,
  });
  cleanup.push(() => client.close());
  return client;
}

describe('WebhookClient on a SqliteQueue', () => {
  it('delivers signed webhooks, retries a failure, and keeps the attempt log in the file', async () => {
    const secret = generateSecret();
    const server = await startRecordingServer({ answer: (_request, count) => ({ status: count === 1 ? 503 : 204 }) });
    cleanup.push(() => server.close());
    const path = temp.file();
    const client = clientOn(path, `${server.url}/hook`, secret, true);
    const { id } = await client.send(subscription({ username: 'ada' }));
    await client.drain();
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.headers['webhook-id']).toBe(id);
      expect(verifyWebhook(request.body, request.headers, secret)).toMatchObject({ username: 'ada' });
    }
    await client.close();

    // Another process (here another queue on the same file) sees the finished message and its log.
    const reader = new SqliteQueue({ path });
    cleanup.push(() => reader.close());
    const view = await reader.getMessage(id);
    expect(view?.deliveries[0]).toMatchObject({
      endpointId: 'crm',
      status: 'delivered',
      attempts: [
        { attempt: 1, status: 503 },
        { attempt: 2, status: 204 },
      ],
    });
  });

  it('lets a producer with worker: false enqueue while two worker clients on the same file deliver', async () => {
    const secret = generateSecret();
    const server = await startRecordingServer({ answer: () => ({ status: 204 }) });
    cleanup.push(() => server.close());
    const path = temp.file();
    const url = `${server.url}/hook`;
    const producer = clientOn(path, url, secret, false);
    const workers = [clientOn(path, url, secret, true), clientOn(path, url, secret, true)];

    const total = 60;
    const sent = await Promise.all(
      Array.from({ length: total }, (_, n) => producer.send(subscription({ username: `user-${n}` }))),
    );
    // The workers were idle: only the queue's watch of the file can tell them that work arrived.
    await server.waitFor(total, '/hook', 20_000);
    await Promise.all(workers.map((worker) => worker.drain()));

    const ids = server.requests.map((request) => request.headers['webhook-id']);
    expect(new Set(ids)).toEqual(new Set(sent.map((result) => result.id)));
    // No crash here, so the leases keep each delivery to one worker: exactly once.
    expect(ids).toHaveLength(total);
    const view = await workers[0]?.getMessage(sent[0]?.id as string);
    expect(view?.deliveries[0]?.status).toBe('delivered');
    await expect(producer.drain()).rejects.toThrow(/drain\(\) needs a client that delivers/);
  });
});
