import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { handleAdminRequest } from 'hookspec';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webhookAdminRouter } from '../../lib/frameworks/express';
import { usePortalAssetDirectory } from '../../lib/management/http/portal-page';
import { MEMORY, startHarness, stopHarnesses } from './admin-harness';
import { call } from './http/admin-servers';
import type { AdminServer } from './http/admin-servers';
import {
  FIXTURE_CSS,
  FIXTURE_JS,
  PORTAL_FRAMEWORKS,
  PORTAL_SECRET,
  portalAdminOptions,
  useFixtureAssets,
} from './portal-servers';

/*
 * The portal's page and assets, as Express, Fastify and Nest serve them with `portal: true`: without
 * authorization, with the contract's security headers; the assets are fixture files standing in for the
 * package's dist/portal/ (built by `npm run build`).
 */

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SHELL =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" ' +
  'content="width=device-width, initial-scale=1"><title>Webhooks</title><link rel="stylesheet" ' +
  'href="portal/portal.css"></head><body><div id="app"></div><script src="portal/portal.js" defer></script></body></html>';

let assets: ReturnType<typeof useFixtureAssets>;
beforeAll(() => {
  assets = useFixtureAssets();
});
afterAll(() => assets.restore());

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await stopHarnesses();
});

async function started(server: Promise<AdminServer>): Promise<AdminServer> {
  const running = await server;
  closers.push(() => running.close());
  return running;
}

function securityHeaders(headers: Headers) {
  return {
    csp: headers.get('content-security-policy'),
    nosniff: headers.get('x-content-type-options'),
    referrer: headers.get('referrer-policy'),
  };
}

describe.each(PORTAL_FRAMEWORKS.map((start) => [start.name.replace('Portal', ''), start] as const))(
  'the portal page on %s',
  (_name, start) => {
    it('serves the shell at {mount}/portal without authorization, never cached, under a strict CSP', async () => {
      const { admin } = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
      const server = await started(start(admin));
      const reply = await call(server.url, 'GET', '/portal');
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(SHELL);
      expect(reply.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(reply.headers.get('cache-control')).toBe('no-store');
      expect(securityHeaders(reply.headers)).toEqual({ csp: CSP, nosniff: 'nosniff', referrer: 'no-referrer' });
    });

    it('serves portal.js and portal.css as built, revalidated on each use', async () => {
      const { admin } = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
      const server = await started(start(admin));
      const js = await call(server.url, 'GET', '/portal/portal.js');
      const css = await call(server.url, 'GET', '/portal/portal.css');
      expect({ status: js.status, text: js.text, type: js.headers.get('content-type') }).toEqual({
        status: 200,
        text: FIXTURE_JS,
        type: 'text/javascript; charset=utf-8',
      });
      expect({ status: css.status, text: css.text, type: css.headers.get('content-type') }).toEqual({
        status: 200,
        text: FIXTURE_CSS,
        type: 'text/css; charset=utf-8',
      });
      for (const reply of [js, css]) {
        expect(reply.headers.get('cache-control')).toBe('no-cache');
        expect(securityHeaders(reply.headers)).toEqual({ csp: CSP, nosniff: 'nosniff', referrer: 'no-referrer' });
      }
    });

    it('redirects {mount}/portal/ to {mount}/portal, where the relative asset URLs resolve', async () => {
      const { admin } = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
      const server = await started(start(admin));
      const redirect = await fetch(`${server.url}/portal/`, {
        redirect: 'manual',
        signal: AbortSignal.timeout(20_000),
      });
      expect(redirect.status).toBe(308);
      const target = new URL(redirect.headers.get('location') as string, `${server.url}/portal/`);
      expect(target.href).toBe(`${server.url}/portal`);
      expect(new URL('portal/portal.js', target).href).toBe(`${server.url}/portal/portal.js`);
      const followed = await fetch(`${server.url}/portal/#token=hsp_x.y`, { signal: AbortSignal.timeout(20_000) });
      expect({ status: followed.status, text: await followed.text() }).toEqual({ status: 200, text: SHELL });
    });

    it('answers 405 to anything but GET on the page, and 404 to another file under it', async () => {
      const { admin } = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
      const server = await started(start(admin));
      const posted = await call(server.url, 'POST', '/portal', { body: {} });
      expect({ status: posted.status, allow: posted.headers.get('allow') }).toEqual({ status: 405, allow: 'GET' });
      const other = await call(server.url, 'GET', '/portal/secrets.txt');
      expect({ status: other.status, code: other.json?.code }).toEqual({ status: 404, code: 'not-found' });
    });

    it('answers 500 saying to run the build when the assets are missing, and reports it', async () => {
      const { admin } = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
      const server = await started(start(admin));
      usePortalAssetDirectory(`${assets.directory}/missing`);
      try {
        const reply = await call(server.url, 'GET', '/portal/portal.js');
        expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: 500, code: 'internal-error' });
        expect(reply.json?.detail).toContain('npm run build');
        expect(reply.text).not.toContain(assets.directory);
        expect(server.reported).toEqual([
          expect.objectContaining({ name: 'WebhookAdminError', message: expect.stringContaining('npm run build') }),
        ]);
      } finally {
        usePortalAssetDirectory(assets.directory);
      }
    });

    it('serves no page with portal off', async () => {
      const { admin } = await startHarness(MEMORY, { admin: portalAdminOptions({ now: Date.now() }) });
      const server = await started(start(admin, false));
      for (const path of ['/portal', '/portal/portal.js', '/portal/session']) {
        const reply = await call(server.url, 'GET', path);
        expect({ path, status: reply.status, code: reply.json?.code }).toEqual({
          path,
          status: 404,
          code: 'not-found',
        });
      }
    });
  },
);

describe('with portal off', () => {
  it("hands an hsp_ token to the app's authorize like any other credential", async () => {
    const { admin } = await startHarness(MEMORY, { admin: { portalSecret: PORTAL_SECRET } });
    await admin.createEndpoint('acct_app', { url: 'http://127.0.0.1:9/a' });
    const seen: (string | undefined)[] = [];
    const app = express();
    app.use(
      '/webhooks',
      webhookAdminRouter(admin, {
        authorize: (req) => {
          seen.push(req.headers.authorization);
          return 'acct_app';
        },
      }),
    );
    const server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const token = admin.portalToken({ owner: 'acct_other' });
    const reply = await call(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
      'GET',
      '/endpoints',
      {
        token,
      },
    );
    expect((reply.json?.data as { owner: string }[]).map((endpoint) => endpoint.owner)).toEqual(['acct_app']);
    expect(seen).toEqual([`Bearer ${token}`]);
  });
});

describe('handleAdminRequest with portal: true', () => {
  it('serves the page, and takes the owner from a portal token in authorization', async () => {
    const { admin } = await startHarness(MEMORY, { admin: { portalSecret: PORTAL_SECRET } });
    await admin.createEndpoint('acct_A', { url: 'http://127.0.0.1:9/a' });
    await admin.createEndpoint('acct_B', { url: 'http://127.0.0.1:9/b' });
    const page = await handleAdminRequest(admin, { method: 'GET', path: '/portal', owner: null }, { portal: true });
    expect({ status: page.status, html: page.raw?.toString() }).toEqual({ status: 200, html: SHELL });
    const authorization = `Bearer ${admin.portalToken({ owner: 'acct_A' })}`;
    const listed = await handleAdminRequest(
      admin,
      { method: 'GET', path: '/endpoints', authorization },
      { portal: true },
    );
    expect((listed.body as { data: { owner: string }[] }).data.map((endpoint) => endpoint.owner)).toEqual(['acct_A']);
    const refused = await handleAdminRequest(
      admin,
      { method: 'DELETE', path: '/endpoints/ep_1', authorization },
      { portal: true },
    );
    expect({ status: refused.status, code: (refused.body as { code: string }).code }).toEqual({
      status: 403,
      code: 'forbidden',
    });
    const withoutPortal = await handleAdminRequest(admin, { method: 'GET', path: '/portal', owner: null });
    expect(withoutPortal.status).toBe(404);
    for (const other of ['', 'Bearer app-session-token']) {
      const unauthenticated = await handleAdminRequest(
        admin,
        { method: 'GET', path: '/endpoints', authorization: other },
        { portal: true },
      );
      expect({ status: unauthenticated.status, challenge: unauthenticated.headers['www-authenticate'] }).toEqual({
        status: 401,
        challenge: 'Bearer',
      });
    }
  });
});
