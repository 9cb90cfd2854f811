import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { WebhookAdmin, WebhookAdminOptions } from 'hookspec';
import { webhookAdminRouter } from '../../lib/frameworks/express';
import { webhookAdminRoutes } from '../../lib/frameworks/fastify';
import { HookspecAdminModule } from '../../lib/frameworks/nestjs';
import { usePortalAssetDirectory } from '../../lib/management/http/portal-page';
import { startNestApp } from '../frameworks/nestjs/nest-app';
import { BlockingGuard, authorizeByToken, BASE } from './http/admin-servers';
import type { AdminServer } from './http/admin-servers';

/** A key for the specs: 32 characters, the shortest accepted. */
export const PORTAL_SECRET = 'portal-secret-for-specs-32-chars';

/** The admin options the portal specs use: the key, and a clock the test moves. */
export function portalAdminOptions(clock: { now: number }): WebhookAdminOptions {
  return { portalSecret: PORTAL_SECRET, now: () => clock.now };
}

/** What the fixture assets hold, so a test can tell that the bytes served are the files'. */
export const FIXTURE_JS = 'document.getElementById("app").textContent = "portal fixture";\n';
export const FIXTURE_CSS = '#app { font-family: sans-serif; }\n';

/**
 * Serves fixture assets from a temp directory instead of the package's dist/portal/ (built by `npm run
 * build`, which these specs do not run). Returns the undo, for afterAll.
 */
export function useFixtureAssets(): { directory: string; restore: () => void } {
  const directory = mkdtempSync(join(tmpdir(), 'hookspec-portal-'));
  writeFileSync(join(directory, 'portal.js'), FIXTURE_JS);
  writeFileSync(join(directory, 'portal.css'), FIXTURE_CSS);
  usePortalAssetDirectory(directory);
  return {
    directory,
    restore: () => {
      usePortalAssetDirectory(undefined);
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export async function expressPortal(admin: WebhookAdmin, portal = true): Promise<AdminServer> {
  const reported: unknown[] = [];
  const app = express();
  app.use(
    BASE,
    webhookAdminRouter(admin, {
      authorize: (req) => authorizeByToken(req.headers),
      onError: (error) => reported.push(error),
      portal,
    }),
  );
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name: 'Express',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE}`,
    reported,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function fastifyPortal(admin: WebhookAdmin, portal = true): Promise<AdminServer> {
  const reported: unknown[] = [];
  const app = Fastify();
  app.register(
    webhookAdminRoutes(admin, {
      authorize: (request) => authorizeByToken(request.headers),
      onError: (error) => reported.push(error),
      portal,
    }),
    { prefix: BASE },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    name: 'Fastify',
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${BASE}`,
    reported,
    close: () => app.close(),
  };
}

export async function nestPortal(admin: WebhookAdmin, portal = true): Promise<AdminServer> {
  const reported: unknown[] = [];
  const app = await startNestApp(
    {
      imports: [
        HookspecAdminModule.register({
          admin,
          path: BASE.slice(1),
          guards: [BlockingGuard],
          authorize: (req) => authorizeByToken(req.headers),
          onError: (error) => reported.push(error),
          portal,
        }),
      ],
    },
    {},
  );
  return { name: 'Nest', url: `${app.url}${BASE}`, reported, close: () => app.close() };
}

export const PORTAL_FRAMEWORKS = [expressPortal, fastifyPortal, nestPortal] as const;
