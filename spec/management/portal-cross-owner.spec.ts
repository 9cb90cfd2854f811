import { PORTAL_CAPABILITIES } from 'hookspec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../lib/management/http';
import { MEMORY, startHarness, stopHarnesses } from './admin-harness';
import type { Harness } from './admin-harness';
import { invoice } from './fixtures';
import { call } from './http/admin-servers';
import type { AdminServer } from './http/admin-servers';
import { PORTAL_FRAMEWORKS, portalAdminOptions, useFixtureAssets } from './portal-servers';

/*
 * A portal token for owner A, with every capability, against owner B's endpoint and message on every
 * route that names one, on Express, Fastify and Nest: B's items answer exactly as items that do not exist,
 * lists hold only A's, and nothing of B's changes. The token is the only source of the owner: a query or
 * body naming another is refused.
 */

const SINCE = '2020-01-01T00:00:00.000Z';

interface Ids {
  readonly endpoint: string;
  readonly message: string;
}

/** A request naming B's items for each route with an `{id}`; keyed by operationId, checked against the table. */
const AT_B: Record<string, { path: (b: Ids) => string; body?: unknown; unknown: 'endpoint' | 'message' }> = {
  getWebhookEndpoint: { path: (b) => `/endpoints/${b.endpoint}`, unknown: 'endpoint' },
  updateWebhookEndpoint: {
    path: (b) => `/endpoints/${b.endpoint}`,
    body: { description: 'taken' },
    unknown: 'endpoint',
  },
  deleteWebhookEndpoint: { path: (b) => `/endpoints/${b.endpoint}`, unknown: 'endpoint' },
  enableWebhookEndpoint: { path: (b) => `/endpoints/${b.endpoint}/enable`, unknown: 'endpoint' },
  disableWebhookEndpoint: { path: (b) => `/endpoints/${b.endpoint}/disable`, body: {}, unknown: 'endpoint' },
  rotateWebhookEndpointSecret: { path: (b) => `/endpoints/${b.endpoint}/rotate-secret`, body: {}, unknown: 'endpoint' },
  sendWebhookExample: {
    path: (b) => `/endpoints/${b.endpoint}/send-example`,
    body: { event: 'invoice.paid' },
    unknown: 'endpoint',
  },
  recoverWebhookEndpoint: {
    path: (b) => `/endpoints/${b.endpoint}/recover`,
    body: { since: SINCE },
    unknown: 'endpoint',
  },
  getWebhookEndpointStats: { path: (b) => `/endpoints/${b.endpoint}/stats?since=${SINCE}`, unknown: 'endpoint' },
  getWebhookMessage: { path: (b) => `/messages/${b.message}`, unknown: 'message' },
  resendWebhookMessage: { path: (b) => `/messages/${b.message}/resend`, body: {}, unknown: 'message' },
};

let assets: ReturnType<typeof useFixtureAssets>;
let h: Harness;
let a: Ids;
let b: Ids;

beforeAll(async () => {
  assets = useFixtureAssets();
  h = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
  const make = async (owner: string): Promise<Ids> => {
    const { endpoint } = await h.admin.createEndpoint(owner, { url: `${h.server.url}/${owner}`, description: owner });
    const sent = await h.client.send(invoice(`in_${owner}`), { owner });
    return { endpoint: endpoint.id, message: sent.id };
  };
  a = await make('acct_A');
  b = await make('acct_B');
  await h.client.drain();
});
afterAll(async () => {
  await stopHarnesses();
  assets.restore();
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

it('covers every route that names an endpoint or a message, except the one no portal token may call', () => {
  const withId = ADMIN_ROUTES.filter((route) => route.path.includes('{id}') && route.capability !== false);
  expect(Object.keys(AT_B).sort()).toEqual(withId.map((route) => route.operationId).sort());
});

describe.each(PORTAL_FRAMEWORKS.map((start) => [start.name.replace('Portal', ''), start] as const))(
  'a portal token for owner A on %s',
  (_name, start) => {
    let server: AdminServer;
    beforeAll(async () => {
      server = await start(h.admin);
    });
    afterAll(async () => server?.close());

    const tokenForA = () => h.admin.portalToken({ owner: 'acct_A', capabilities: [...PORTAL_CAPABILITIES] });

    it.each(Object.entries(AT_B))(
      '%s: B’s item answers as one that does not exist',
      async (operationId, { path, body, unknown }) => {
        const route = ADMIN_ROUTES.find((row) => row.operationId === operationId);
        const reply = await call(server.url, route?.method as string, path(b), {
          token: tokenForA(),
          ...(body === undefined ? {} : { body }),
        });
        const missing = await call(
          server.url,
          route?.method as string,
          path({ endpoint: 'ep_missing', message: 'msg_missing' }),
          {
            token: tokenForA(),
            ...(body === undefined ? {} : { body }),
          },
        );
        expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: 404, code: `unknown-${unknown}` });
        expect(reply.json?.detail).toBe(
          (missing.json?.detail as string).replace(
            unknown === 'endpoint' ? 'ep_missing' : 'msg_missing',
            unknown === 'endpoint' ? b.endpoint : b.message,
          ),
        );
      },
    );

    it('lists only A’s endpoints and messages, whatever the query asks', async () => {
      const token = tokenForA();
      const endpoints = await call(server.url, 'GET', '/endpoints', { token });
      expect((endpoints.json?.data as { id: string }[]).map((endpoint) => endpoint.id)).toEqual([a.endpoint]);
      const messages = await call(server.url, 'GET', '/messages', { token });
      expect((messages.json?.data as { id: string }[]).map((message) => message.id)).toEqual([a.message]);
      const byB = await call(server.url, 'GET', `/messages?endpointId=${b.endpoint}`, { token });
      expect(byB.json?.data).toEqual([]);
      const naming = await call(server.url, 'GET', '/endpoints?owner=acct_B', { token });
      expect({ status: naming.status, code: naming.json?.code }).toEqual({ status: 400, code: 'invalid-request' });
    });

    it('creates endpoints for A only: a body naming an owner is refused', async () => {
      const token = tokenForA();
      const naming = await call(server.url, 'POST', '/endpoints', {
        token,
        body: { url: `${h.server.url}/x`, owner: 'acct_B' },
      });
      expect({ status: naming.status, code: naming.json?.code }).toEqual({ status: 400, code: 'invalid-request' });
      expect((await h.admin.listEndpoints('acct_B')).items.map((endpoint) => endpoint.id)).toEqual([b.endpoint]);
    });

    it("opens a session for A's owner only, and a token for the app's scope sees neither", async () => {
      const session = await call(server.url, 'GET', '/portal/session', { token: tokenForA() });
      expect(session.json?.owner).toBe('acct_A');
      const appScope = h.admin.portalToken({ owner: null });
      const listed = await call(server.url, 'GET', '/endpoints', { token: appScope });
      expect(listed.json?.data).toEqual([]);
    });
  },
);

it('left everything of B’s as it was', async () => {
  const endpoint = await h.admin.getEndpoint('acct_B', b.endpoint);
  expect({ description: endpoint.description, enabled: endpoint.enabled }).toEqual({
    description: 'acct_B',
    enabled: true,
  });
  const message = await h.admin.getMessage('acct_B', b.message);
  expect(message.deliveries.map((delivery) => delivery.attempts.length)).toEqual([1]);
  const received = h.server.requests.filter((request) => request.path === '/acct_B');
  expect(received).toHaveLength(1);
});
