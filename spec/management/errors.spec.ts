import {
  generateSecret,
  MAX_SECRET_GRACE_MS,
  MemoryEndpointStore,
  MemoryQueue,
  WEBHOOK_ADMIN_ERROR_STATUS,
  WebhookAdmin,
  WebhookAdminError,
  WebhookClient,
} from 'hookspec';
import type { DeliveryQueue, WebhookAdminErrorCode } from 'hookspec';
import { afterEach, describe, expect, it } from 'vitest';
import { MEMORY, startHarness, stopHarnesses } from './admin-harness';
import type { Harness } from './admin-harness';
import { invoice, LOOPBACK, WEBHOOKS } from './fixtures';

afterEach(stopHarnesses);

const A = 'acct_A';
/** Credentials in a URL and a header value: no error may show them. */
const URL_PASSWORD = 'hunter2';
const URL_TOKEN = 'tok3n-s3cret';
const HEADER_VALUE = 'Bearer top-secret-value';

/** A harness with one endpoint of A (its secret kept) and one delivered message of A. */
async function world(): Promise<Harness & { endpointId: string; messageId: string; secrets: string[] }> {
  const h = await startHarness(MEMORY);
  const { endpoint, secret } = await h.admin.createEndpoint(A, {
    url: `${h.server.url}/a`,
    headers: { authorization: HEADER_VALUE },
  });
  const { secret: rotated } = await h.admin.rotateSecret(A, endpoint.id);
  const sent = await h.client.send(invoice(), { owner: A });
  await h.client.drain();
  return { ...h, endpointId: endpoint.id, messageId: sent.id, secrets: [secret, rotated] };
}

type World = Awaited<ReturnType<typeof world>>;

/** What a call that must fail rejected with. */
async function refusal(call: Promise<unknown>): Promise<WebhookAdminError> {
  return call.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (thrown: unknown) => thrown as WebhookAdminError,
  );
}

/** Codes only the HTTP layer answers with: the admin itself never throws them. */
const HTTP_ONLY = new Set<WebhookAdminErrorCode>([
  'unauthorized',
  'forbidden',
  'not-found',
  'method-not-allowed',
  'unsupported-media-type',
]);

/** Each code the admin throws, with calls that produce it (several where several paths lead to it). */
const CASES: Partial<Record<WebhookAdminErrorCode, ((w: World) => Promise<unknown>)[]>> = {
  'unknown-option': [async (w) => new WebhookAdmin(w.client, { secretGrace: 1 } as never)],
  'invalid-option': [
    async (w) => new WebhookAdmin(w.client, { secretGraceMs: MAX_SECRET_GRACE_MS + 1 }),
    async (w) => new WebhookAdmin(w.client, { retention: { intervalMs: 1000 } }),
    async () => new WebhookAdmin({} as never),
  ],
  unsupported: [
    async () => {
      const client = new WebhookClient({
        webhooks: WEBHOOKS,
        endpoints: [{ url: 'http://127.0.0.1:9/', secret: generateSecret() }],
        allowNetworks: LOOPBACK,
      });
      try {
        return new WebhookAdmin(client);
      } finally {
        await client.close();
      }
    },
    async () => {
      const memory = new MemoryQueue();
      // A queue of one's own that keeps no history: only the DeliveryQueue methods.
      const queue: DeliveryQueue = {
        enqueue: (...args) => memory.enqueue(...args),
        lease: (...args) => memory.lease(...args),
        settle: (...args) => memory.settle(...args),
        nextDueAt: (...args) => memory.nextDueAt(...args),
        countPending: () => memory.countPending(),
        getMessage: (id) => memory.getMessage(id),
        redeliver: (...args) => memory.redeliver(...args),
        close: () => memory.close(),
      };
      const client = new WebhookClient({ webhooks: WEBHOOKS, endpoints: new MemoryEndpointStore(), queue });
      try {
        return new WebhookAdmin(client);
      } finally {
        await client.close();
      }
    },
  ],
  'invalid-request': [
    (w) => w.admin.listEndpoints(A, { colour: 'red' } as never),
    (w) => w.admin.listEndpoints(A, { limit: 1000 }),
    (w) => w.admin.listMessages(A, { status: 'lost' as never }),
    (w) => w.admin.endpointStats(A, w.endpointId, { since: 10, until: 5 }),
    (w) => w.admin.rotateSecret(A, w.endpointId, { graceMs: MAX_SECRET_GRACE_MS + 1 }),
    (w) => w.admin.disableEndpoint(A, w.endpointId, ''),
    (w) => w.admin.sendExample(A, w.endpointId, { event: 'invoice.paid', payload: [1, 2] }),
    (w) => w.admin.sendExample(A, w.endpointId, { event: 'lottery.drawn' }),
    (w) => w.admin.getEndpoint(A, 42 as never),
    (w) => w.admin.prune({}),
  ],
  'invalid-cursor': [
    (w) => w.admin.listEndpoints(A, { cursor: 'not-a-cursor' }),
    (w) => w.admin.listMessages(A, { cursor: 'not-a-cursor' }),
  ],
  'invalid-endpoint': [
    (w) => w.admin.createEndpoint(A, { url: `ftp://user:${URL_PASSWORD}@127.0.0.1/in` }),
    (w) => w.admin.createEndpoint(A, { url: `${w.server.url}/b`, secret: 'whsec_tooShort' }),
    (w) => w.admin.updateEndpoint(A, w.endpointId, { description: 'x'.repeat(1001) }),
  ],
  'reserved-header': [
    (w) => w.admin.createEndpoint(A, { url: `${w.server.url}/b`, headers: { 'webhook-signature': HEADER_VALUE } }),
  ],
  'unknown-event': [
    (w) => w.admin.createEndpoint(A, { url: `${w.server.url}/b`, events: ['invoice.paid', 'invoice.lost'] }),
    (w) => w.admin.updateEndpoint(A, w.endpointId, { events: ['invoice.lost'] }),
    (w) => w.admin.sendExample(A, w.endpointId, { event: 'invoice.lost' }),
  ],
  'ssrf-blocked': [
    async (w) => {
      const client = new WebhookClient({ webhooks: WEBHOOKS, endpoints: new MemoryEndpointStore() });
      try {
        return await new WebhookAdmin(client).createEndpoint(A, {
          url: `http://user:${URL_PASSWORD}@10.0.0.1/in?key=${URL_TOKEN}`,
        });
      } finally {
        await client.close();
        void w;
      }
    },
  ],
  'unknown-endpoint': [
    (w) => w.admin.getEndpoint(A, 'ep_missing'),
    (w) => w.admin.resendMessage(A, w.messageId, { endpointId: 'ep_missing' }),
  ],
  'unknown-message': [(w) => w.admin.getMessage(A, 'msg_missing')],
  'duplicate-endpoint': [
    async (w) => {
      await w.admin.createEndpoint(A, { url: `${w.server.url}/b`, id: 'ep_fixed' });
      return w.admin.createEndpoint(A, { url: `${w.server.url}/c`, id: 'ep_fixed' });
    },
  ],
  'payload-erased': [
    async (w) => {
      await w.admin.erasePayload(A, w.messageId);
      return w.admin.resendMessage(A, w.messageId);
    },
  ],
  'payload-too-large': [
    async (w) => {
      const client = new WebhookClient({
        webhooks: WEBHOOKS,
        endpoints: new MemoryEndpointStore(),
        allowNetworks: LOOPBACK,
        maxPayloadBytes: 20,
      });
      try {
        const admin = new WebhookAdmin(client);
        const { endpoint } = await admin.createEndpoint(A, { url: `${w.server.url}/big` });
        return await admin.sendExample(A, endpoint.id, { event: 'invoice.paid' });
      } finally {
        await client.close();
      }
    },
  ],
};

describe('WebhookAdminError', () => {
  it('has cases for every code but those only the HTTP layer answers', () => {
    const codes = Object.keys(WEBHOOK_ADMIN_ERROR_STATUS) as WebhookAdminErrorCode[];
    expect(codes.filter((code) => !HTTP_ONLY.has(code) && !CASES[code])).toEqual([]);
    expect([...HTTP_ONLY].filter((code) => CASES[code])).toEqual([]);
  });

  it.each(Object.entries(CASES))('%s: thrown with its status, and no message shows a secret', async (code, cases) => {
    const w = await world();
    for (const [index, call] of (cases ?? []).entries()) {
      const error = await call(w).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      const label = `${code} case ${index}`;
      expect(error, label).toBeInstanceOf(WebhookAdminError);
      const adminError = error as WebhookAdminError;
      expect({ code: adminError.code, status: adminError.status }, label).toEqual({
        code,
        status: WEBHOOK_ADMIN_ERROR_STATUS[code as WebhookAdminErrorCode],
      });
      for (const secret of [...w.secrets, URL_PASSWORD, URL_TOKEN, HEADER_VALUE]) {
        expect(adminError.message, label).not.toContain(secret);
      }
    }
  });

  it('lists the failing properties of an invalid payload in details', async () => {
    const w = await world();
    const error = await refusal(
      w.admin.sendExample(A, w.endpointId, {
        event: 'invoice.paid',
        payload: { invoice_id: 7, amount: { cents: -1 } },
      }),
    );
    expect(error.details.map((detail) => detail.path).sort()).toEqual([
      'amount.cents',
      'amount.currency',
      'invoice_id',
      'paid_at',
    ]);
  });

  it('names the allowNetworks fix for a blocked address, and the webhooks for an unknown event', async () => {
    const w = await world();
    const [ssrf] = CASES['ssrf-blocked'] ?? [];
    const blocked = await refusal((ssrf as (w: World) => Promise<unknown>)(w));
    expect(blocked.message).toMatch(/10\.0\.0\.1/);
    expect(blocked.message).toMatch(/allowNetworks/);
    const unknown = await refusal(w.admin.createEndpoint(A, { url: `${w.server.url}/b`, events: ['invoice.lost'] }));
    expect(unknown.message).toContain("'invoice.paid', 'lottery.drawn', 'user.signup'");
  });

  it('rethrows what maps to no code (a store that failed) as it is, for the HTTP layer to answer 500', async () => {
    const store = new MemoryEndpointStore();
    const down = new Error('connection to the endpoint database lost');
    store.get = async () => {
      throw down;
    };
    const client = new WebhookClient({ webhooks: WEBHOOKS, endpoints: store, allowNetworks: LOOPBACK });
    try {
      await expect(new WebhookAdmin(client).getEndpoint(A, 'ep_1')).rejects.toBe(down);
    } finally {
      await client.close();
    }
  });
});
