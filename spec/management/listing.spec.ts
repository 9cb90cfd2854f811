import type { MessageView, Page, StoredEndpoint } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, nextMillisecond, startHarness, stopHarnesses } from './admin-harness';
import { invoice } from './fixtures';

afterEach(stopHarnesses);

const A = 'acct_A';

/** Every item of a listing, following `nextCursor` page after page. */
async function everyPage<T>(page: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    pages.push([...answer.items]);
    cursor = answer.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

describe.each(BACKENDS)('listing and editing on $name', (backend) => {
  it("pages through an owner's endpoints and filters them by webhook and by enabled", async () => {
    // Endpoints list by createdAt, from the admin's clock: one millisecond apart, they list in creation order.
    let clock = Date.now();
    const h = await startHarness(backend, { admin: { now: () => (clock += 1) } });
    const all = await h.admin.createEndpoint(A, { url: `${h.server.url}/all` });
    const invoices = await h.admin.createEndpoint(A, { url: `${h.server.url}/inv`, events: ['invoice.paid'] });
    const signups = await h.admin.createEndpoint(A, { url: `${h.server.url}/sign`, events: ['user.signup'] });
    await h.admin.disableEndpoint(A, signups.endpoint.id);
    await h.admin.createEndpoint('acct_B', { url: `${h.server.url}/b` });

    const ids = (items: readonly StoredEndpoint[]) => items.map((endpoint) => endpoint.id);
    const pages = await everyPage((cursor) => h.admin.listEndpoints(A, { limit: 2, ...(cursor ? { cursor } : {}) }));
    expect(pages.map(ids)).toEqual([[all.endpoint.id, invoices.endpoint.id], [signups.endpoint.id]]);
    expect(ids((await h.admin.listEndpoints(A, { event: 'invoice.paid' })).items)).toEqual([
      all.endpoint.id,
      invoices.endpoint.id,
    ]);
    expect(ids((await h.admin.listEndpoints(A, { enabled: false })).items)).toEqual([signups.endpoint.id]);
  });

  it("pages through an owner's messages newest first and filters them by webhook and endpoint", async () => {
    const h = await startHarness(backend);
    const one = await h.admin.createEndpoint(A, { url: `${h.server.url}/one`, events: ['invoice.paid'] });
    const two = await h.admin.createEndpoint(A, { url: `${h.server.url}/two`, events: ['user.signup'] });
    const sent: string[] = [];
    for (const id of ['in_1', 'in_2', 'in_3']) {
      sent.push((await h.client.send(invoice(id), { owner: A })).id);
      await nextMillisecond();
    }
    const signup = await h.admin.sendExample(A, two.endpoint.id, { event: 'user.signup' });
    await h.client.drain();

    const ids = (items: readonly MessageView[]) => items.map((view) => view.message.id);
    const pages = await everyPage((cursor) => h.admin.listMessages(A, { limit: 3, ...(cursor ? { cursor } : {}) }));
    expect(pages.map(ids)).toEqual([[signup.id, sent[2], sent[1]], [sent[0]]]);
    expect(ids((await h.admin.listMessages(A, { event: 'user.signup' })).items)).toEqual([signup.id]);
    expect(ids((await h.admin.listMessages(A, { endpointId: one.endpoint.id, status: 'delivered' })).items)).toEqual([
      sent[2],
      sent[1],
      sent[0],
    ]);
  });

  it('updates an endpoint: a new URL takes the next message, null clears a field', async () => {
    const h = await startHarness(backend);
    const { endpoint } = await h.admin.createEndpoint(A, {
      url: `${h.server.url}/old`,
      events: ['user.signup'],
      description: 'before',
      metadata: { team: 'billing' },
    });
    const updated = await h.admin.updateEndpoint(A, endpoint.id, {
      url: `${h.server.url}/new`,
      events: null,
      description: 'after',
      metadata: null,
    });
    expect(updated).toMatchObject({ id: endpoint.id, owner: A, url: `${h.server.url}/new`, description: 'after' });
    expect(updated).not.toHaveProperty('events');
    expect(updated).not.toHaveProperty('metadata');
    await h.client.send(invoice(), { owner: A });
    await h.client.drain();
    expect(h.server.requests.map((request) => request.path)).toEqual(['/new']);
  });

  it('erases a payload and keeps the delivery records and attempt logs', async () => {
    const h = await startHarness(backend);
    await h.admin.createEndpoint(A, { url: `${h.server.url}/a` });
    const sent = await h.client.send(invoice(), { owner: A });
    await h.client.drain();
    await h.admin.erasePayload(A, sent.id);
    const view = await h.admin.getMessage(A, sent.id);
    expect(view.message.body).toBe('');
    expect(view.message.erasedAt).toBeGreaterThan(0);
    expect(view.deliveries).toMatchObject([{ status: 'delivered', attempts: [{ attempt: 1, status: 204 }] }]);
  });
});
