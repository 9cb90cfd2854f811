import { deliveryState, verifyWebhook, WebhookVerificationError } from 'hookspec';
import type { EndpointDisabledEvent } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, eventually, startHarness, stopHarnesses } from './admin-harness';
import type { Harness } from './admin-harness';
import { invoice } from './fixtures';

afterEach(stopHarnesses);

const A = 'acct_A';

async function statesOf(h: Harness, messageId: string): Promise<string[]> {
  return (await h.admin.getMessage(A, messageId)).deliveries.map(deliveryState);
}

describe.each(BACKENDS)('the life of an endpoint on $name', (backend) => {
  it('creates, delivers, fails, disables, enables, recovers since a time, resends and deletes', async () => {
    // The receiver: `/a` fails with 500 while `failing.on`.
    const failing = { on: false };
    const h = await startHarness(backend, {
      client: { retry: { schedule: [1000], jitter: 0 } },
      answer: (request) => ({ status: request.path === '/a' && failing.on ? 500 : 204 }),
    });
    const { endpoint, secret } = await h.admin.createEndpoint(A, {
      url: `${h.server.url}/a`,
      events: ['invoice.paid'],
      description: 'billing',
    });
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({ owner: A, enabled: true, events: ['invoice.paid'], description: 'billing' });
    expect(await h.admin.getEndpoint(A, endpoint.id)).not.toHaveProperty('secret');

    // Delivered: the message and its attempt log, as the owner reads them.
    const first = await h.client.send(invoice('in_1'), { owner: A });
    await h.client.drain();
    const delivered = await h.admin.getMessage(A, first.id);
    expect(delivered.message).toMatchObject({ id: first.id, owner: A, event: 'invoice.paid' });
    expect(delivered.deliveries).toMatchObject([{ endpointId: endpoint.id, status: 'delivered' }]);
    expect(delivered.deliveries[0]?.attempts).toMatchObject([{ attempt: 1, status: 204 }]);
    const [request] = h.server.on('/a');
    expect(verifyWebhook(request?.body ?? '', request?.headers ?? {}, secret)).toMatchObject({ invoice_id: 'in_1' });

    // The receiver fails: failing while a retry waits, then exhausted.
    failing.on = true;
    const second = await h.client.send(invoice('in_2'), { owner: A });
    await eventually(async () => (await statesOf(h, second.id))[0] === 'failing');
    expect((await h.admin.listMessages(A, { status: 'failing' })).items.map((m) => m.message.id)).toEqual([second.id]);
    const window = { since: delivered.message.createdAt };
    expect(await h.admin.endpointStats(A, endpoint.id, window)).toMatchObject({
      endpointId: endpoint.id,
      delivered: 1,
      failing: 1,
      exhausted: 0,
    });
    await h.client.drain();
    expect(await statesOf(h, second.id)).toEqual(['exhausted']);
    const stats = await h.admin.endpointStats(A, endpoint.id, window);
    expect(stats).toMatchObject({ delivered: 1, failing: 0, exhausted: 1 });
    expect(stats.lastFailureAt).toBeGreaterThanOrEqual(stats.lastSuccessAt as number);

    // Disabled: a send is recorded, not attempted; recovery waits for an enable.
    const disabled = await h.admin.disableEndpoint(A, endpoint.id, 'maintenance');
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'maintenance' });
    const third = await h.client.send(invoice('in_3'), { owner: A });
    expect(third.skipped).toMatchObject([{ endpointId: endpoint.id, reason: 'endpoint-disabled' }]);
    expect(await statesOf(h, third.id)).toEqual(['disabled']);
    await expect(h.admin.recoverEndpoint(A, endpoint.id, window)).rejects.toMatchObject({ code: 'invalid-request' });

    // Enabled and recovered since the third message: the second stays exhausted.
    failing.on = false;
    expect(await h.admin.enableEndpoint(A, endpoint.id)).toMatchObject({ enabled: true });
    const since = (await h.admin.getMessage(A, third.id)).message.createdAt;
    expect(await h.admin.recoverEndpoint(A, endpoint.id, { since })).toEqual({ recovered: 1 });
    await h.client.drain();
    expect(await statesOf(h, third.id)).toEqual(['delivered']);
    expect(await statesOf(h, second.id)).toEqual(['exhausted']);

    // Resend: the exhausted one, and a delivered one, with the same webhook-id.
    expect(await h.admin.resendMessage(A, second.id)).toEqual({ restarted: 1, skipped: [] });
    expect(await h.admin.resendMessage(A, first.id, { endpointId: endpoint.id })).toEqual({
      restarted: 1,
      skipped: [],
    });
    await h.client.drain();
    expect(await statesOf(h, second.id)).toEqual(['delivered']);
    const ids = h.server.on('/a').map((r) => r.headers['webhook-id']);
    expect(ids.filter((id) => id === first.id)).toHaveLength(2);
    expect((await h.admin.getMessage(A, first.id)).deliveries[0]?.attempts).toHaveLength(2);

    // Deleted: gone for the owner, its history kept.
    await h.admin.deleteEndpoint(A, endpoint.id);
    await expect(h.admin.getEndpoint(A, endpoint.id)).rejects.toMatchObject({ code: 'unknown-endpoint' });
    expect((await h.admin.listEndpoints(A)).items).toEqual([]);
    expect((await h.admin.listMessages(A)).items.map((m) => m.message.id)).toEqual([third.id, second.id, first.id]);
    expect(await h.admin.resendMessage(A, first.id)).toEqual({
      restarted: 0,
      skipped: [{ endpointId: endpoint.id, reason: 'endpoint-deleted' }],
    });
  });

  it('rotates a secret: during the grace both secrets verify a request, after it only the new one', async () => {
    const h = await startHarness(backend, { admin: { secretGraceMs: 400 } });
    const { endpoint, secret: old } = await h.admin.createEndpoint(A, { url: `${h.server.url}/a` });
    const rotated = await h.admin.rotateSecret(A, endpoint.id);
    expect(rotated.endpoint.id).toBe(endpoint.id);
    expect(rotated.secret).not.toBe(old);

    await h.client.send(invoice('in_grace'), { owner: A });
    await h.client.drain();
    const [during] = h.server.on('/a');
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [old, rotated.secret]) {
      expect(verifyWebhook(during?.body ?? '', during?.headers ?? {}, secret)).toMatchObject({
        invoice_id: 'in_grace',
      });
    }

    await new Promise((resolve) => setTimeout(resolve, 450));
    await h.client.send(invoice('in_after'), { owner: A });
    await h.client.drain();
    const after = h.server.on('/a')[1];
    expect(verifyWebhook(after?.body ?? '', after?.headers ?? {}, rotated.secret)).toMatchObject({
      invoice_id: 'in_after',
    });
    expect(() => verifyWebhook(after?.body ?? '', after?.headers ?? {}, old)).toThrow(WebhookVerificationError);
  });

  it("enabling an endpoint restarts the client's failing clock", async () => {
    const h = await startHarness(backend, {
      // One attempt per message: a run of failures can only span two messages, so only a stale clock disables.
      client: { retry: { schedule: [] }, disableFailingEndpointAfterMs: 200 },
      answer: () => ({ status: 500 }),
    });
    const disabledEvents: EndpointDisabledEvent[] = [];
    h.client.on('endpoint-disabled', (event) => disabledEvents.push(event));
    const { endpoint } = await h.admin.createEndpoint(A, { url: `${h.server.url}/a` });
    await h.client.send(invoice('in_1'), { owner: A });
    await h.client.drain();
    await h.admin.disableEndpoint(A, endpoint.id);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await h.admin.enableEndpoint(A, endpoint.id);

    // Without a fresh clock, this failure would count from the first run and disable the endpoint.
    await h.client.send(invoice('in_2'), { owner: A });
    await h.client.drain();
    expect(disabledEvents).toEqual([]);
    expect(await h.admin.getEndpoint(A, endpoint.id)).toMatchObject({ enabled: true });
  });

  it('refuses a private URL at registration with the allowNetworks hint, and sends nothing', async () => {
    const h = await startHarness(backend, { client: { allowNetworks: [] } });
    const refused = await h.admin
      .createEndpoint(A, { url: 'http://10.0.0.1/hooks' })
      .catch((error: unknown) => error as Error);
    expect(refused).toMatchObject({ name: 'WebhookAdminError', code: 'ssrf-blocked', status: 422 });
    expect((refused as Error).message).toMatch(/10\.0\.0\.1.*allowNetworks/s);
    expect((await h.admin.listEndpoints(A)).items).toEqual([]);

    // A public address literal: accepted without a DNS lookup, and nothing is ever sent to it.
    const { endpoint } = await h.admin.createEndpoint(A, { url: 'http://93.184.215.14/in' });
    await expect(h.admin.updateEndpoint(A, endpoint.id, { url: 'http://10.0.0.1/x' })).rejects.toMatchObject({
      code: 'ssrf-blocked',
    });
    expect((await h.admin.getEndpoint(A, endpoint.id)).url).toBe(endpoint.url);
    expect(h.server.received()).toBe(0);
  });
});
