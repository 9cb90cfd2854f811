import { MemoryEndpointStore, MemoryQueue, WebhookAdmin, WebhookClient } from 'hookspec';
import type { DeliveryQueue, PruneOptions } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, eventually, nextMillisecond, startHarness, stopHarnesses } from './admin-harness';
import { invoice, LOOPBACK, WEBHOOKS } from './fixtures';

afterEach(stopHarnesses);

const A = 'acct_A';

/** A MemoryQueue whose prune() is counted, and fails while `failing` says so. */
function countedQueue(failing: () => boolean): { queue: DeliveryQueue; prunes: () => number } {
  const queue = new MemoryQueue();
  let prunes = 0;
  const prune = queue.prune.bind(queue);
  queue.prune = async (options: PruneOptions) => {
    prunes += 1;
    if (failing()) throw new Error('the disk is full');
    return prune(options);
  };
  return { queue, prunes: () => prunes };
}

describe.each(BACKENDS)('retention on $name', (backend) => {
  it('keeps the newest finished messages on its timer, and never a pending one', async () => {
    const h = await startHarness(backend, {
      client: { retry: { schedule: [60_000] } },
      admin: { retention: { maxMessages: 2, intervalMs: 50 } },
      answer: (request) => ({ status: request.path === '/failing' ? 500 : 204 }),
    });
    const ok = await h.admin.createEndpoint(A, { url: `${h.server.url}/ok`, events: ['invoice.paid'] });
    const failing = await h.admin.createEndpoint(A, { url: `${h.server.url}/failing`, events: ['user.signup'] });
    const sent: string[] = [];
    for (const id of ['in_1', 'in_2', 'in_3', 'in_4']) {
      sent.push((await h.client.send(invoice(id), { owner: A })).id);
      await nextMillisecond();
    }
    const pending = await h.admin.sendExample(A, failing.endpoint.id, { event: 'user.signup' });
    await h.server.waitFor(4, '/ok');
    await h.server.waitFor(1, '/failing');

    const listed = async () => (await h.admin.listMessages(A)).items.map((m) => m.message.id);
    await eventually(async () => (await listed()).length === 3);
    expect(await listed()).toEqual([pending.id, sent[3], sent[2]]);
    expect(ok.endpoint.id).toMatch(/^ep_/);
  });

  it('prune() deletes finished messages older than maxAgeMs, as of the admin clock', async () => {
    let now = Date.now();
    const h = await startHarness(backend, { admin: { now: () => now } });
    await h.admin.createEndpoint(A, { url: `${h.server.url}/ok` });
    await h.client.send(invoice('in_old'), { owner: A });
    await h.client.drain();
    expect(await h.admin.prune({ maxAgeMs: 60_000 })).toBe(0);
    now += 120_000;
    expect(await h.admin.prune({ maxAgeMs: 60_000 })).toBe(1);
    expect((await h.admin.listMessages(A)).items).toEqual([]);
  });
});

describe('the retention timer', () => {
  function clientOn(queue: DeliveryQueue): WebhookClient<typeof WEBHOOKS> {
    return new WebhookClient({
      webhooks: WEBHOOKS,
      endpoints: new MemoryEndpointStore(),
      queue,
      allowNetworks: LOOPBACK,
    });
  }

  it("reports a failed prune through the client's error event and logger, and tries again", async () => {
    let failing = true;
    const { queue, prunes } = countedQueue(() => failing);
    const logged: string[] = [];
    const client = new WebhookClient({
      webhooks: WEBHOOKS,
      endpoints: new MemoryEndpointStore(),
      queue,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: (_fields: unknown, message?: string) => logged.push(String(message)),
      },
    });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    const admin = new WebhookAdmin(client, { retention: { maxAgeMs: 1000, intervalMs: 20 } });
    try {
      await eventually(async () => prunes() >= 2);
      expect(errors[0]?.message).toBe('the disk is full');
      expect(logged[0]).toMatch(/^retention: pruning the message history failed/);
      failing = false;
      const before = prunes();
      await eventually(async () => prunes() > before);
    } finally {
      await admin.close();
      await client.close();
    }
  });

  it('survives an error listener that throws', async () => {
    const { queue, prunes } = countedQueue(() => true);
    const client = clientOn(queue);
    client.on('error', () => {
      throw new Error('the listener itself failed');
    });
    const admin = new WebhookAdmin(client, { retention: { maxMessages: 10, intervalMs: 20 } });
    try {
      await eventually(async () => prunes() >= 3);
    } finally {
      await admin.close();
      await client.close();
    }
  });

  it('never keeps the process alive, and stops on close()', async () => {
    const { queue, prunes } = countedQueue(() => false);
    const client = clientOn(queue);
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const admin = new WebhookAdmin(client, { retention: { maxMessages: 10, intervalMs: 60_000 } });
    // The first prune runs at once; then the next one waits a minute on a timer that must be unref'd:
    // clearing it changes nothing among the timers that keep the process alive.
    await eventually(async () => prunes() === 1);
    await new Promise((resolve) => setImmediate(resolve));
    const withTimer = timers();
    await admin.close();
    expect(timers()).toBe(withTimer);
    await client.close();
  });

  it('prunes no more after close()', async () => {
    const { queue, prunes } = countedQueue(() => false);
    const client = clientOn(queue);
    const admin = new WebhookAdmin(client, { retention: { maxMessages: 10, intervalMs: 20 } });
    await eventually(async () => prunes() >= 2);
    await admin.close();
    const after = prunes();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(prunes()).toBe(after);
    await client.close();
  });
});
