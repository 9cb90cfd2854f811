import { generateSecret, WebhookClient } from 'hookspec';
import type { AttemptEvent, EndpointDisabledEvent, ExhaustedEvent, RetryScheduledEvent } from 'hookspec';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingServer, type Answer, type RecordedRequest } from '../support/recording-server';
import { LOOPBACK, Subscription, subscription } from './fixtures';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A receiver scripted per attempt, and a client with a short retry schedule aimed at it. */
async function setup(
  script: (request: RecordedRequest, n: number) => Answer,
  schedule = [30, 30, 30],
  timeoutMs = 2_000,
  disableFailingEndpointAfterMs?: number,
) {
  const server = await startRecordingServer({ answer: script });
  const secret = generateSecret();
  const client = new WebhookClient({
    webhooks: [Subscription],
    endpoints: [{ id: 'hook', url: `${server.url}/hook`, secret }],
    allowNetworks: LOOPBACK,
    retry: { schedule, jitter: 0 },
    timeoutMs,
    ...(disableFailingEndpointAfterMs !== undefined ? { disableFailingEndpointAfterMs } : {}),
  });
  cleanup.push(
    () => server.close(),
    () => client.close(),
  );
  const events: {
    attempts: AttemptEvent[];
    retries: RetryScheduledEvent[];
    exhausted: ExhaustedEvent[];
    disabled: EndpointDisabledEvent[];
  } = {
    attempts: [],
    retries: [],
    exhausted: [],
    disabled: [],
  };
  client.on('attempt', (e) => events.attempts.push(e));
  client.on('retry-scheduled', (e) => events.retries.push(e));
  client.on('exhausted', (e) => events.exhausted.push(e));
  client.on('endpoint-disabled', (e) => events.disabled.push(e));
  return { server, client, secret, events };
}

describe('retries', () => {
  it('retry a 500 with the same id and bytes, a fresh timestamp and signature, until a 200', async () => {
    const { server, client, secret, events } = await setup((_r, n) => ({ status: n === 1 ? 500 : 200 }));
    const { id } = await client.send(subscription());
    await client.drain();
    const [first, second] = server.on('/hook');
    expect(server.on('/hook')).toHaveLength(2);
    expect(first?.headers['webhook-id']).toBe(id);
    expect(second?.headers['webhook-id']).toBe(id);
    expect(second?.body).toBe(first?.body);
    const verifier = new StandardWebhook(secret);
    for (const request of [first!, second!]) verifier.verify(request.body, request.headers as Record<string, string>);
    expect(events.attempts.map((e) => e.attempt.status)).toEqual([500, 200]);
    expect(events.retries).toMatchObject([{ messageId: id, endpointId: 'hook', reason: 'HTTP 500', delayMs: 30 }]);
    const message = await client.getMessage(id);
    expect(message?.deliveries[0]).toMatchObject({
      status: 'delivered',
      attempts: [
        { attempt: 1, status: 500 },
        { attempt: 2, status: 200 },
      ],
    });
  });

  it('honour Retry-After in seconds: no retry before it', async () => {
    const { server, client, events } = await setup((_r, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 },
    );
    await client.send(subscription());
    await client.drain();
    const [first, second] = server.on('/hook');
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(events.retries[0]?.delayMs).toBe(1_000);
  });

  it('honour Retry-After as an HTTP date', async () => {
    const { server, client, events } = await setup((_r, n) =>
      n === 1
        ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() } }
        : { status: 204 },
    );
    await client.send(subscription());
    await client.drain();
    const [first, second] = server.on('/hook');
    // An HTTP date has whole seconds: the wait is at least the rest of the current second.
    expect(events.retries[0]?.delayMs).toBeGreaterThan(900);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(events.retries[0]!.delayMs - 5);
  });

  it('never follow a redirect: a 302 is a failed attempt, and the target sees nothing', async () => {
    const target = await startRecordingServer();
    cleanup.push(() => target.close());
    const { server, client, events } = await setup((_r, n) =>
      n === 1 ? { status: 302, headers: { location: `${target.url}/elsewhere` } } : { status: 204 },
    );
    await client.send(subscription());
    await client.drain();
    expect(target.requests).toEqual([]);
    expect(server.on('/hook')).toHaveLength(2);
    expect(events.attempts.map((e) => e.attempt.status)).toEqual([302, 204]);
  });

  it('count a receiver that never answers as a timeout, within the deadline', async () => {
    const { client, events } = await setup((_r, n) => (n === 1 ? { never: true } : { status: 204 }), [10], 300);
    await client.send(subscription());
    await client.drain();
    expect(events.attempts[0]?.attempt).toMatchObject({ errorCode: 'timeout' });
    expect(events.attempts[0]?.attempt.durationMs).toBeGreaterThanOrEqual(250);
    expect(events.attempts[1]?.attempt.status).toBe(204);
  });

  it('end exhausted after the last attempt, keeping the whole attempt log with the responses', async () => {
    const { server, client, events } = await setup(() => ({ status: 503, body: 'maintenance' }), [10, 10]);
    const { id } = await client.send(subscription());
    await client.drain();
    expect(server.on('/hook')).toHaveLength(3);
    expect(events.exhausted).toHaveLength(1);
    expect(events.exhausted[0]).toMatchObject({ messageId: id, endpointId: 'hook', reason: 'HTTP 503' });
    expect(events.exhausted[0]?.attempts.map((a) => [a.attempt, a.status, a.response])).toEqual([
      [1, 503, 'maintenance'],
      [2, 503, 'maintenance'],
      [3, 503, 'maintenance'],
    ]);
    expect((await client.getMessage(id))?.deliveries[0]?.status).toBe('exhausted');
  });

  it('redeliver an exhausted message with the same id and bytes and a fresh schedule', async () => {
    let healthy = false;
    const { server, client, events } = await setup(() => ({ status: healthy ? 204 : 500 }), [10]);
    const { id } = await client.send(subscription());
    await client.drain();
    expect(events.exhausted).toHaveLength(1);
    healthy = true;
    expect(await client.redeliver(id)).toEqual({ restarted: 1, skipped: [] });
    await client.drain();
    const requests = server.on('/hook');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([id]));
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect((await client.getMessage(id))?.deliveries[0]).toMatchObject({ status: 'delivered', scheduleBase: 2 });
    await expect(client.redeliver('msg_unknown')).rejects.toThrow(
      "redeliver('msg_unknown'): the queue holds no message with this id.",
    );
  });

  it('disable an endpoint that answers 410 and send it nothing more', async () => {
    const { server, client, events } = await setup(() => ({ status: 410 }));
    const first = await client.send(subscription());
    await client.drain();
    expect(events.disabled).toEqual([
      { endpointId: 'hook', url: `${server.url}/hook`, reason: 'gone', messageId: first.id },
    ]);
    expect(events.retries).toEqual([]);
    expect((await client.getMessage(first.id))?.deliveries[0]?.status).toBe('disabled');
    const second = await client.send(subscription());
    await client.drain();
    expect(second.deliveries).toEqual([]);
    expect(server.on('/hook')).toHaveLength(1);
  });

  it('disable an endpoint whose every attempt failed for disableFailingEndpointAfterMs, and say since when', async () => {
    const { server, client, events } = await setup(() => ({ status: 500 }), Array(20).fill(40), 2_000, 150);
    const first = await client.send(subscription());
    await client.drain();
    expect(events.disabled).toEqual([
      {
        endpointId: 'hook',
        url: `${server.url}/hook`,
        reason: 'failing',
        messageId: first.id,
        failingSince: new Date(events.attempts[0]!.attempt.startedAt),
      },
    ]);
    const attempts = events.attempts.map((e) => e.attempt);
    // Disabled by the first attempt at least 150 ms after the first failure; nothing is tried after it.
    const last = attempts.at(-1)!;
    expect(last.startedAt - attempts[0]!.startedAt).toBeGreaterThanOrEqual(150);
    expect(attempts.at(-2)!.startedAt - attempts[0]!.startedAt).toBeLessThan(150);
    expect(server.on('/hook')).toHaveLength(attempts.length);
    expect(events.exhausted).toEqual([]);
    expect((await client.getMessage(first.id))?.deliveries[0]?.status).toBe('disabled');
    expect((await client.send(subscription())).deliveries).toEqual([]);
    // Enabled again, it receives what it missed; its failure clock starts afresh.
    await client.enableEndpoint('hook');
    expect(await client.redeliver(first.id)).toEqual({ restarted: 1, skipped: [] });
  });

  it('keep an endpoint that fails often but not always: any 2xx starts its failure clock again', async () => {
    const tried = new Set<string>();
    const { client, events } = await setup(
      (request) => {
        const id = String(request.headers['webhook-id']);
        if (tried.has(id)) return { status: 204 };
        tried.add(id);
        return { status: 500 };
      },
      [40],
      2_000,
      100,
    );
    // Every message fails once, then succeeds: failures for far longer than 100 ms, never 100 ms in a row.
    for (let i = 0; i < 6; i++) {
      await client.send(subscription());
      await client.drain();
    }
    const attempts = events.attempts.map((e) => e.attempt);
    expect(attempts.map((a) => a.status)).toEqual(Array(6).fill([500, 204]).flat());
    expect(attempts.at(-1)!.startedAt - attempts[0]!.startedAt).toBeGreaterThan(200);
    expect(events.disabled).toEqual([]);
  });

  it('never disable for failures with disableFailingEndpointAfterMs: false', async () => {
    const server = await startRecordingServer({ answer: () => ({ status: 500 }) });
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ id: 'hook', url: `${server.url}/hook`, secret: generateSecret() }],
      allowNetworks: LOOPBACK,
      retry: { schedule: [30, 30, 30, 30], jitter: 0 },
      disableFailingEndpointAfterMs: false,
    });
    cleanup.push(
      () => server.close(),
      () => client.close(),
    );
    const disabled: EndpointDisabledEvent[] = [];
    client.on('endpoint-disabled', (e) => disabled.push(e));
    const { id } = await client.send(subscription());
    await client.drain();
    expect(disabled).toEqual([]);
    expect((await client.getMessage(id))?.deliveries[0]?.status).toBe('exhausted');
  });

  it('retry a connection that is refused', async () => {
    const server = await startRecordingServer();
    const url = `${server.url}/hook`;
    await server.close();
    const client = new WebhookClient({
      webhooks: [Subscription],
      endpoints: [{ url, secret: generateSecret() }],
      allowNetworks: LOOPBACK,
      retry: { schedule: [10], jitter: 0 },
    });
    cleanup.push(() => client.close());
    const exhausted: ExhaustedEvent[] = [];
    client.on('exhausted', (e) => exhausted.push(e));
    await client.send(subscription());
    await client.drain();
    expect(exhausted[0]?.attempts.map((a) => a.errorCode)).toEqual(['connection-refused', 'connection-refused']);
    expect(exhausted[0]?.reason).toBe('connection-refused');
  });
});
