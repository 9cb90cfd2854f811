import { MemoryEndpointStore, MemoryQueue, WebhookAdmin, WebhookAdminError, WebhookClient } from 'hookspec';
import type { OwnerScope } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, stopHarnesses } from './admin-harness';
import type { Harness } from './admin-harness';
import { invoice, LOOPBACK, WEBHOOKS } from './fixtures';

afterEach(stopHarnesses);

/** The public methods of WebhookAdmin, as the compiler knows them. */
type AdminMethod = {
  [K in keyof WebhookAdmin]: WebhookAdmin[K] extends (...args: never[]) => unknown ? K : never;
}[keyof WebhookAdmin];

/** One owner's endpoint and message. */
interface Owned {
  readonly endpoint: string;
  readonly message: string;
}

type Call = (admin: WebhookAdmin, scope: OwnerScope, ids: Owned) => Promise<unknown>;

/** How each method meets another owner's ids. */
type Row =
  | { readonly kind: 'endpoint' | 'message'; readonly call: Call }
  | { readonly kind: 'list'; readonly ids: (admin: WebhookAdmin, scope: OwnerScope, ids: Owned) => Promise<string[]> }
  | { readonly kind: 'create'; readonly call: Call }
  | { readonly kind: 'unscoped'; readonly why: string };

const SINCE = { since: 0 };

/** Every method has a row: the record's type fails to compile without one, and the prototype test below fails at run time. */
const ROWS: Record<AdminMethod, Row> = {
  eventTypes: { kind: 'unscoped', why: 'the catalogue of webhooks is the same for every owner' },
  prune: { kind: 'unscoped', why: 'an operator call over the whole history, by age and count' },
  close: { kind: 'unscoped', why: 'stops the retention timer' },
  portalToken: {
    kind: 'unscoped',
    why: 'mints a token for the owner the app names; what the token reaches is checked in spec/management/portal-cross-owner.spec.ts',
  },
  listEndpoints: {
    kind: 'list',
    ids: async (admin, scope) => (await admin.listEndpoints(scope)).items.map((e) => e.id),
  },
  listMessages: {
    kind: 'list',
    ids: async (admin, scope, ids) => [
      ...(await admin.listMessages(scope)).items.map((m) => m.message.id),
      ...(await admin.listMessages(scope, { endpointId: ids.endpoint })).items.map((m) => m.message.id),
    ],
  },
  createEndpoint: {
    kind: 'create',
    call: (admin, scope) => admin.createEndpoint(scope, { url: 'http://127.0.0.1:9/created' }),
  },
  getEndpoint: { kind: 'endpoint', call: (admin, scope, ids) => admin.getEndpoint(scope, ids.endpoint) },
  updateEndpoint: {
    kind: 'endpoint',
    call: (admin, scope, ids) => admin.updateEndpoint(scope, ids.endpoint, { description: 'taken over' }),
  },
  enableEndpoint: { kind: 'endpoint', call: (admin, scope, ids) => admin.enableEndpoint(scope, ids.endpoint) },
  disableEndpoint: {
    kind: 'endpoint',
    call: (admin, scope, ids) => admin.disableEndpoint(scope, ids.endpoint, 'sabotage'),
  },
  deleteEndpoint: { kind: 'endpoint', call: (admin, scope, ids) => admin.deleteEndpoint(scope, ids.endpoint) },
  rotateSecret: { kind: 'endpoint', call: (admin, scope, ids) => admin.rotateSecret(scope, ids.endpoint) },
  sendExample: {
    kind: 'endpoint',
    call: (admin, scope, ids) => admin.sendExample(scope, ids.endpoint, { event: 'invoice.paid' }),
  },
  recoverEndpoint: { kind: 'endpoint', call: (admin, scope, ids) => admin.recoverEndpoint(scope, ids.endpoint, SINCE) },
  endpointStats: { kind: 'endpoint', call: (admin, scope, ids) => admin.endpointStats(scope, ids.endpoint, SINCE) },
  getMessage: { kind: 'message', call: (admin, scope, ids) => admin.getMessage(scope, ids.message) },
  resendMessage: { kind: 'message', call: (admin, scope, ids) => admin.resendMessage(scope, ids.message) },
  erasePayload: { kind: 'message', call: (admin, scope, ids) => admin.erasePayload(scope, ids.message) },
};

const MISSING: Owned = { endpoint: 'ep_missing', message: 'msg_missing' };

it('has a row for every method of WebhookAdmin', () => {
  const methods = Object.getOwnPropertyNames(WebhookAdmin.prototype).filter(
    (name) => name !== 'constructor' && typeof Reflect.get(WebhookAdmin.prototype, name) === 'function',
  );
  expect(methods.length).toBeGreaterThan(15);
  expect(methods.filter((name) => !(name in ROWS))).toEqual([]);
});

describe.each(BACKENDS)('owner scoping on $name', (backend) => {
  /** Owners A and B, and the app's own (null), each with one delivered message to its one endpoint. */
  async function threeOwners(): Promise<{ h: Harness; owned: Map<OwnerScope, Owned> }> {
    const h = await startHarness(backend);
    const owned = new Map<OwnerScope, Owned>();
    for (const scope of ['acct_A', 'acct_B', null] as const) {
      const { endpoint } = await h.admin.createEndpoint(scope, { url: `${h.server.url}/${scope ?? 'app'}` });
      const sent = await h.client.send(invoice(), scope === null ? {} : { owner: scope });
      owned.set(scope, { endpoint: endpoint.id, message: sent.id });
    }
    await h.client.drain();
    return { h, owned };
  }

  /** Everything an owner could see or a call could change: endpoints, secrets, messages, requests sent. */
  async function state(h: Harness): Promise<unknown> {
    const owners = await Promise.all(
      (['acct_A', 'acct_B', null] as const).map(async (scope) => {
        const endpoints = (await h.admin.listEndpoints(scope)).items;
        const secrets = await Promise.all(endpoints.map(async (e) => (await h.endpoints.endpointById(e.id))?.secrets));
        return { endpoints, secrets, messages: (await h.admin.listMessages(scope)).items };
      }),
    );
    await h.client.drain();
    return { owners, requests: h.server.requests.map((r) => r.path) };
  }

  const attacks: [OwnerScope, OwnerScope][] = [
    ['acct_B', 'acct_A'],
    [null, 'acct_A'],
    ['acct_A', null],
  ];

  it.each(Object.entries(ROWS).filter(([, row]) => row.kind === 'endpoint' || row.kind === 'message'))(
    "%s on another owner's id fails as for a missing id and changes nothing",
    async (method, row) => {
      if (row.kind !== 'endpoint' && row.kind !== 'message') throw new Error('filtered above');
      const { h, owned } = await threeOwners();
      for (const [caller, victim] of attacks) {
        const before = await state(h);
        const refused = await row.call(h.admin, caller, owned.get(victim) as Owned).catch((error: unknown) => error);
        const missing = await row.call(h.admin, caller, MISSING).catch((error: unknown) => error);
        expect(refused, `${method} by ${caller} on ${victim}'s`).toBeInstanceOf(WebhookAdminError);
        expect(refused).toMatchObject({ code: `unknown-${row.kind}`, status: 404 });
        const id = row.kind === 'endpoint' ? 'endpoint' : 'message';
        expect((refused as Error).message.replace(owned.get(victim)?.[id] as string, '<id>')).toBe(
          (missing as Error).message.replace(MISSING[id], '<id>'),
        );
        expect(await state(h)).toEqual(before);
      }
    },
  );

  it.each(Object.entries(ROWS).filter(([, row]) => row.kind === 'list'))(
    "%s shows only the scope's own items",
    async (_method, row) => {
      if (row.kind !== 'list') throw new Error('filtered above');
      const { h, owned } = await threeOwners();
      for (const [caller, victim] of attacks) {
        const seen = await row.ids(h.admin, caller, owned.get(victim) as Owned);
        const mine = owned.get(caller) as Owned;
        const theirs = owned.get(victim) as Owned;
        expect(seen).not.toContain(theirs.endpoint);
        expect(seen).not.toContain(theirs.message);
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.every((id) => id === mine.endpoint || id === mine.message)).toBe(true);
      }
    },
  );

  it("createEndpoint makes the endpoint the caller's, seen by no other owner", async () => {
    const { h, owned } = await threeOwners();
    const row = ROWS.createEndpoint;
    if (row.kind !== 'create') throw new Error('createEndpoint is a create row');
    const created = (await row.call(h.admin, 'acct_B', owned.get('acct_A') as Owned)) as { endpoint: { id: string } };
    expect(await h.admin.getEndpoint('acct_B', created.endpoint.id)).toMatchObject({ owner: 'acct_B' });
    for (const other of ['acct_A', null] as const) {
      expect((await h.admin.listEndpoints(other)).items.map((e) => e.id)).not.toContain(created.endpoint.id);
      await expect(h.admin.getEndpoint(other, created.endpoint.id)).rejects.toMatchObject({ code: 'unknown-endpoint' });
    }
  });

  it("resendMessage of one's own message to another owner's endpoint is unknown-endpoint", async () => {
    const { h, owned } = await threeOwners();
    const before = await state(h);
    await expect(
      h.admin.resendMessage('acct_B', (owned.get('acct_B') as Owned).message, {
        endpointId: (owned.get('acct_A') as Owned).endpoint,
      }),
    ).rejects.toMatchObject({ code: 'unknown-endpoint' });
    expect(await state(h)).toEqual(before);
  });

  it('refuses a missing scope rather than reading it as every owner', async () => {
    const { h, owned } = await threeOwners();
    const id = (owned.get('acct_A') as Owned).endpoint;
    for (const scope of [undefined, '', 42]) {
      await expect(h.admin.listEndpoints(scope as never)).rejects.toMatchObject({ code: 'invalid-request' });
      await expect(h.admin.listMessages(scope as never)).rejects.toMatchObject({ code: 'invalid-request' });
      await expect(h.admin.getEndpoint(scope as never, id)).rejects.toMatchObject({ code: 'invalid-request' });
    }
  });

  it('refuses an owner filter smuggled into a query', async () => {
    const { h } = await threeOwners();
    await expect(h.admin.listEndpoints('acct_B', { owner: 'acct_A' } as never)).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(h.admin.listMessages('acct_B', { owner: undefined } as never)).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(
      h.admin.createEndpoint('acct_B', { url: `${h.server.url}/x`, owner: 'acct_A' } as never),
    ).rejects.toMatchObject({ code: 'invalid-request' });
  });
});

it("never lists another owner's items, even from a store and a queue that ignore the owner filter", async () => {
  const endpoints = new MemoryEndpointStore();
  const queue = new MemoryQueue();
  const list = endpoints.list.bind(endpoints);
  endpoints.list = (query) => list({ ...query, owner: undefined });
  const queryMessages = queue.queryMessages.bind(queue);
  queue.queryMessages = (query) => queryMessages({ ...query, owner: undefined });
  const client = new WebhookClient({ webhooks: WEBHOOKS, endpoints, queue, allowNetworks: LOOPBACK });
  try {
    const admin = new WebhookAdmin(client);
    const a = await admin.createEndpoint('acct_A', { url: 'http://127.0.0.1:9/a', enabled: false });
    const b = await admin.createEndpoint('acct_B', { url: 'http://127.0.0.1:9/b', enabled: false });
    const sentA = await client.send(invoice(), { owner: 'acct_A' });
    const sentB = await client.send(invoice(), { owner: 'acct_B' });
    expect((await admin.listEndpoints('acct_B')).items.map((e) => e.id)).toEqual([b.endpoint.id]);
    expect((await admin.listEndpoints(null)).items).toEqual([]);
    expect((await admin.listMessages('acct_B')).items.map((m) => m.message.id)).toEqual([sentB.id]);
    expect((await admin.listMessages('acct_A')).items.map((m) => m.message.id)).toEqual([sentA.id]);
    expect(a.endpoint.owner).toBe('acct_A');
  } finally {
    await client.close();
  }
});
