import { PORTAL_CAPABILITIES } from 'hookspec';
import type { PortalCapability } from 'hookspec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../lib/management/http';
import type { AdminRoute } from '../../lib/management/http';
import { MEMORY, startHarness, stopHarnesses } from './admin-harness';
import type { Harness } from './admin-harness';
import { invoice } from './fixtures';
import { call } from './http/admin-servers';
import type { AdminServer, CallOptions } from './http/admin-servers';
import { expressPortal, portalAdminOptions } from './portal-servers';

/*
 * Every route of the table, called over HTTP with portal tokens: allowed with the capabilities its row
 * names, 403 naming the one missing without it. The requests are keyed by operationId, and the keys must
 * be the table's: a new route without a capability, or without a row here, fails this file.
 */

interface Owned {
  readonly endpointId: string;
  readonly messageId: string;
}

interface Request {
  readonly path: (ids: Owned) => string;
  readonly request?: () => CallOptions;
}

const SINCE = '2020-01-01T00:00:00.000Z';

const REQUESTS: Record<string, Request> = {
  listWebhookEventTypes: { path: () => '/event-types' },
  listWebhookEndpoints: { path: () => '/endpoints' },
  createWebhookEndpoint: { path: () => '/endpoints', request: () => ({ body: { url: `${h.server.url}/new` } }) },
  getWebhookEndpoint: { path: (ids) => `/endpoints/${ids.endpointId}` },
  updateWebhookEndpoint: {
    path: (ids) => `/endpoints/${ids.endpointId}`,
    request: () => ({ body: { description: 'new' } }),
  },
  deleteWebhookEndpoint: { path: (ids) => `/endpoints/${ids.endpointId}` },
  enableWebhookEndpoint: { path: (ids) => `/endpoints/${ids.endpointId}/enable` },
  disableWebhookEndpoint: { path: (ids) => `/endpoints/${ids.endpointId}/disable`, request: () => ({ body: {} }) },
  rotateWebhookEndpointSecret: {
    path: (ids) => `/endpoints/${ids.endpointId}/rotate-secret`,
    request: () => ({ body: {} }),
  },
  sendWebhookExample: {
    path: (ids) => `/endpoints/${ids.endpointId}/send-example`,
    request: () => ({ body: { event: 'invoice.paid' } }),
  },
  recoverWebhookEndpoint: {
    path: (ids) => `/endpoints/${ids.endpointId}/recover`,
    request: () => ({ body: { since: SINCE } }),
  },
  getWebhookEndpointStats: { path: (ids) => `/endpoints/${ids.endpointId}/stats?since=${SINCE}` },
  listWebhookMessages: { path: () => '/messages' },
  getWebhookMessage: { path: (ids) => `/messages/${ids.messageId}` },
  resendWebhookMessage: { path: (ids) => `/messages/${ids.messageId}/resend`, request: () => ({ body: {} }) },
  eraseWebhookMessagePayload: { path: (ids) => `/messages/${ids.messageId}/payload` },
};

const needed = (route: AdminRoute): readonly PortalCapability[] =>
  route.capability === false ? [] : typeof route.capability === 'string' ? [route.capability] : route.capability;

const clock = { now: Date.now() };
let h: Harness;
let server: AdminServer;

beforeAll(async () => {
  h = await startHarness(MEMORY, { admin: portalAdminOptions(clock) });
  server = await expressPortal(h.admin);
});
afterAll(async () => {
  await server?.close();
  await stopHarnesses();
});
afterEach(() => {
  expect(server.reported).toEqual([]);
});

/** A fresh endpoint and message of acct_A for each call: some routes delete or change them. */
async function owned(): Promise<Owned> {
  const { endpoint } = await h.admin.createEndpoint('acct_A', { url: `${h.server.url}/a` });
  const sent = await h.client.send(invoice(), { owner: 'acct_A' });
  return { endpointId: endpoint.id, messageId: sent.id };
}

async function callWith(route: AdminRoute, capabilities: readonly PortalCapability[]) {
  const request = REQUESTS[route.operationId] as Request;
  const token = h.admin.portalToken({ owner: 'acct_A', capabilities: [...capabilities, 'view'] });
  return call(server.url, route.method, request.path(await owned()), { ...request.request?.(), token });
}

describe('the route table', () => {
  it('names a capability for every route, from the portal capabilities (false: the app’s alone)', () => {
    for (const route of ADMIN_ROUTES) {
      const capability = route.capability as unknown;
      const valid =
        capability === false ||
        (typeof capability === 'string' && (PORTAL_CAPABILITIES as readonly string[]).includes(capability)) ||
        (Array.isArray(capability) &&
          capability.length > 1 &&
          capability.every((name) => (PORTAL_CAPABILITIES as readonly unknown[]).includes(name)));
      expect({ route: route.operationId, valid }).toEqual({ route: route.operationId, valid: true });
    }
  });

  it('has a request in this file for every route, and no other', () => {
    expect(Object.keys(REQUESTS).sort()).toEqual(ADMIN_ROUTES.map((route) => route.operationId).sort());
  });

  it('asks what PORTAL.md says: view reads, manage-endpoints changes, resend redelivers', () => {
    const byOperation = Object.fromEntries(ADMIN_ROUTES.map((route) => [route.operationId, route.capability]));
    expect(byOperation).toEqual({
      listWebhookEventTypes: 'view',
      listWebhookEndpoints: 'view',
      createWebhookEndpoint: 'manage-endpoints',
      getWebhookEndpoint: 'view',
      updateWebhookEndpoint: 'manage-endpoints',
      deleteWebhookEndpoint: 'manage-endpoints',
      enableWebhookEndpoint: 'manage-endpoints',
      disableWebhookEndpoint: 'manage-endpoints',
      rotateWebhookEndpointSecret: ['manage-endpoints', 'view-secret'],
      sendWebhookExample: 'manage-endpoints',
      recoverWebhookEndpoint: 'resend',
      getWebhookEndpointStats: 'view',
      listWebhookMessages: 'view',
      getWebhookMessage: 'view',
      resendWebhookMessage: 'resend',
      eraseWebhookMessagePayload: false,
    });
  });
});

describe.each(ADMIN_ROUTES.filter((route) => route.capability !== false).map((route) => [route.operationId, route]))(
  '%s with a portal token',
  (_operationId, route) => {
    it('is allowed with exactly the capabilities its row names', async () => {
      const reply = await callWith(route, needed(route));
      expect({ status: reply.status, detail: reply.json?.detail }).toEqual({ status: route.status, detail: undefined });
    });

    it.each(needed(route).filter((capability) => capability !== 'view'))(
      "is refused 403 without '%s', naming it",
      async (missing) => {
        const others = PORTAL_CAPABILITIES.filter((capability) => capability !== missing);
        const reply = await callWith(route, others);
        expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: 403, code: 'forbidden' });
        expect(reply.json?.detail).toContain(`lacks '${missing}'`);
        expect(reply.json?.detail).toContain(`${route.method} ${route.path} needs`);
      },
    );
  },
);

describe('a route that is the app’s alone', () => {
  it.each(ADMIN_ROUTES.filter((route) => route.capability === false).map((route) => [route.operationId, route]))(
    '%s is refused to a token with every capability, and allowed to the app',
    async (_operationId, route) => {
      const reply = await callWith(route, PORTAL_CAPABILITIES);
      expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: 403, code: 'forbidden' });
      expect(reply.json?.detail).toContain('not open to portal tokens');
      const request = REQUESTS[route.operationId] as Request;
      const byApp = await call(server.url, route.method, request.path(await owned()), {
        ...request.request?.(),
        token: 'owner:acct_A',
      });
      expect(byApp.status).toBe(route.status);
    },
  );
});

describe('the secret', () => {
  it('is in the answer to creating an endpoint with view-secret only', async () => {
    const createRoute = ADMIN_ROUTES.find((route) => route.operationId === 'createWebhookEndpoint') as AdminRoute;
    const hidden = await callWith(createRoute, ['manage-endpoints']);
    expect(hidden.status).toBe(201);
    expect(Object.keys(hidden.json ?? {})).toEqual(['endpoint']);
    expect(hidden.text).not.toContain('whsec_');
    const shown = await callWith(createRoute, ['manage-endpoints', 'view-secret']);
    expect(shown.json?.secret).toMatch(/^whsec_/);
  });

  it('is in the answer to rotating it, which needs view-secret', async () => {
    const rotate = ADMIN_ROUTES.find((route) => route.operationId === 'rotateWebhookEndpointSecret') as AdminRoute;
    const rotated = await callWith(rotate, ['manage-endpoints', 'view-secret']);
    expect(rotated.json?.secret).toMatch(/^whsec_/);
  });

  it('is never in what a view token reads', async () => {
    const ids = await owned();
    const token = h.admin.portalToken({ owner: 'acct_A' });
    for (const path of ['/endpoints', `/endpoints/${ids.endpointId}`, `/messages/${ids.messageId}`, '/messages']) {
      const reply = await call(server.url, 'GET', path, { token });
      expect({ path, status: reply.status }).toEqual({ path, status: 200 });
      expect(reply.text).not.toContain('whsec_');
    }
  });
});
