import { verifyWebhook } from 'hookspec';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually, MEMORY, SQLITE, startHarness, stopHarnesses } from '../admin-harness';
import { invoice } from '../fixtures';
import { call, expressAdmin } from './admin-servers';
import type { AdminServer, CallOptions, Reply } from './admin-servers';
import type { AdminDto, AdminDtoName } from '../../../lib/management/http/dto/admin-dtos';
import { DocumentedResponses } from './documented-responses';

/*
 * The life of an endpoint, driven only through the HTTP API (Express on loopback), with the client sending
 * on the app's side; every answer is checked against the API's own OpenAPI document as it arrives.
 */

const documented = new DocumentedResponses();
let server: AdminServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  await stopHarnesses();
});

afterAll(() => {
  // Every operation of the document answered at least once with its success status.
  const succeeded = [...documented.checked]
    .filter((key) => /\s2\d\d$/.test(key))
    .map((key) => key.replace(/\s\d+$/, ''));
  const operations = Object.entries(documented.document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
  expect(new Set(succeeded)).toEqual(new Set(operations));
});

describe.each([MEMORY, SQLITE])('the management API end to end on $name', (backend) => {
  it('creates, delivers, fails, disables, enables, recovers, resends, rotates, erases and deletes, for one owner only', async () => {
    const failing = { on: false };
    const h = await startHarness(backend, {
      client: { retry: { schedule: [1000], jitter: 0 } },
      answer: (request) => ({ status: request.path === '/a' && failing.on ? 500 : 204 }),
    });
    server = await expressAdmin(h.admin);
    const base = server.url;
    const as =
      (token: string) =>
      async (method: string, path: string, options: CallOptions = {}) => {
        const reply = await call(base, method, path, { ...options, token });
        documented.check(method, path, reply);
        return reply;
      };
    const A = as('owner:acct_A');
    const B = as('owner:acct_B');
    /** The answer, typed by the DTO the document says it is (the check above validated it). */
    const json = <N extends AdminDtoName>(reply: Reply) => reply.json as unknown as AdminDto<N>;
    const states = async (id: string) =>
      json<'MessageOut'>(await A('GET', `/messages/${id}`)).deliveries.map((delivery) => delivery.state);

    expect(json<'EventTypeListOut'>(await A('GET', '/event-types')).data).toHaveLength(3);

    // Registered for owner A: the secret once, in the answer.
    const created = await A('POST', '/endpoints', {
      body: { url: `${h.server.url}/a`, events: ['invoice.paid'], description: 'billing', metadata: { team: 'ops' } },
    });
    expect(created.status).toBe(201);
    const { endpoint, secret } = json<'EndpointWithSecretOut'>(created);
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({
      owner: 'acct_A',
      enabled: true,
      events: ['invoice.paid'],
      metadata: { team: 'ops' },
    });
    const fetched = await A('GET', `/endpoints/${endpoint.id}`);
    expect(fetched.text).not.toContain(secret);
    expect(json<'EndpointOut'>(fetched)).toEqual(endpoint);
    expect(
      json<'EndpointOut'>(await A('PATCH', `/endpoints/${endpoint.id}`, { body: { description: null } })),
    ).not.toHaveProperty('description');

    // Sent by the app: delivered, signed with that secret, and shown with its attempt.
    const first = await h.client.send(invoice('in_1'), { owner: 'acct_A' });
    await h.client.drain();
    const message = json<'MessageOut'>(await A('GET', `/messages/${first.id}`));
    expect(message).toMatchObject({
      id: first.id,
      event: 'invoice.paid',
      owner: 'acct_A',
      payload: { invoice_id: 'in_1', amount: { cents: 500, currency: 'USD' }, paid_at: '2026-03-01T00:00:00.000Z' },
      deliveries: [{ endpointId: endpoint.id, state: 'delivered', attempts: [{ attempt: 1, status: 204 }] }],
    });
    expect(Date.parse(message.createdAt)).toBeGreaterThan(0);
    const [received] = h.server.on('/a');
    expect(verifyWebhook(received?.body ?? '', received?.headers ?? {}, secret)).toMatchObject({ invoice_id: 'in_1' });

    // The receiver fails: failing, in the stats, then exhausted.
    failing.on = true;
    const second = await h.client.send(invoice('in_2'), { owner: 'acct_A' });
    await eventually(async () => (await states(second.id))[0] === 'failing');
    expect(json<'MessageListOut'>(await A('GET', '/messages?status=failing')).data.map((m) => m.id)).toEqual([
      second.id,
    ]);
    const since = encodeURIComponent(message.createdAt);
    expect(json<'EndpointStatsOut'>(await A('GET', `/endpoints/${endpoint.id}/stats?since=${since}`))).toMatchObject({
      endpointId: endpoint.id,
      delivered: 1,
      failing: 1,
    });
    await h.client.drain();
    expect(await states(second.id)).toEqual(['exhausted']);

    // Disabled: a send is kept as a skipped delivery; recovery waits for an enable.
    expect(
      json<'EndpointOut'>(await A('POST', `/endpoints/${endpoint.id}/disable`, { body: { reason: 'maintenance' } })),
    ).toMatchObject({
      enabled: false,
      disabledReason: 'maintenance',
    });
    const third = await h.client.send(invoice('in_3'), { owner: 'acct_A' });
    expect(await states(third.id)).toEqual(['disabled']);
    const thirdAt = json<'MessageOut'>(await A('GET', `/messages/${third.id}`)).createdAt;
    expect((await A('POST', `/endpoints/${endpoint.id}/recover`, { body: { since: thirdAt } })).status).toBe(400);

    // Enabled and recovered since the third message: the second stays exhausted, until resent.
    failing.on = false;
    expect(json<'EndpointOut'>(await A('POST', `/endpoints/${endpoint.id}/enable`)).enabled).toBe(true);
    const recovered = await A('POST', `/endpoints/${endpoint.id}/recover`, { body: { since: thirdAt } });
    expect({ status: recovered.status, body: recovered.json }).toEqual({ status: 202, body: { recovered: 1 } });
    await h.client.drain();
    expect(await states(third.id)).toEqual(['delivered']);
    expect(await states(second.id)).toEqual(['exhausted']);
    expect(json<'ResendOut'>(await A('POST', `/messages/${second.id}/resend`))).toEqual({ restarted: 1, skipped: [] });
    await h.client.drain();
    expect(await states(second.id)).toEqual(['delivered']);

    // Rotated with a grace period: the next request verifies with the old secret and the new one.
    const rotated = json<'EndpointWithSecretOut'>(
      await A('POST', `/endpoints/${endpoint.id}/rotate-secret`, { body: { graceMs: 60_000 } }),
    );
    expect(rotated.secret).not.toBe(secret);
    const example = json<'SendResultOut'>(
      await A('POST', `/endpoints/${endpoint.id}/send-example`, { body: { event: 'invoice.paid' } }),
    );
    expect(example).toMatchObject({
      event: 'invoice.paid',
      owner: 'acct_A',
      deliveries: [{ endpointId: endpoint.id }],
    });
    await h.client.drain();
    const exampleRequest = h.server.on('/a').find((request) => request.headers['webhook-id'] === example.id);
    for (const key of [secret, rotated.secret]) {
      expect(verifyWebhook(exampleRequest?.body ?? '', exampleRequest?.headers ?? {}, key)).toMatchObject({
        invoice_id: 'in_1',
      });
    }

    // Erased: the payload goes, the deliveries stay.
    expect((await A('DELETE', `/messages/${first.id}/payload`)).status).toBe(204);
    expect(json<'MessageOut'>(await A('GET', `/messages/${first.id}`))).toMatchObject({
      payload: null,
      erasedAt: expect.any(String),
      deliveries: [{ state: 'delivered' }],
    });

    // Owner B sees none of it, and cannot touch it.
    expect(json<'EndpointListOut'>(await B('GET', '/endpoints')).data).toEqual([]);
    expect(json<'MessageListOut'>(await B('GET', '/messages')).data).toEqual([]);
    expect((await B('GET', `/messages/${second.id}`)).status).toBe(404);
    expect((await B('DELETE', `/endpoints/${endpoint.id}`)).status).toBe(404);

    // Deleted: gone for A, its messages kept; a page of two, then the next.
    expect((await A('DELETE', `/endpoints/${endpoint.id}`)).status).toBe(204);
    expect((await A('GET', `/endpoints/${endpoint.id}`)).status).toBe(404);
    const page = json<'MessageListOut'>(await A('GET', '/messages?limit=2'));
    expect(page.data.map((m) => m.id)).toEqual([example.id, third.id]);
    const next = json<'MessageListOut'>(
      await A('GET', `/messages?limit=2&cursor=${encodeURIComponent(page.nextCursor ?? '')}`),
    );
    expect(next.data.map((m) => m.id)).toEqual([second.id, first.id]);
    expect(next).not.toHaveProperty('nextCursor');
  });
});
