import type { IncomingMessage } from 'node:http';
import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import { WebhookAdmin, WebhookAdminError } from 'hookspec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { webhookAdminRouter } from '../../../lib/frameworks/express';
import { webhookAdminRoutes } from '../../../lib/frameworks/fastify';
import { HookspecAdminModule } from '../../../lib/frameworks/nestjs';
import { startNestApp } from '../../frameworks/nestjs/nest-app';
import { MEMORY, startHarness, stopHarnesses } from '../admin-harness';
import { call, expressAdmin, fastifyAdmin, nestAdmin } from './admin-servers';
import type { AdminServer } from './admin-servers';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await stopHarnesses();
  vi.restoreAllMocks();
});

async function started(server: AdminServer | Promise<AdminServer>): Promise<AdminServer> {
  const running = await server;
  closers.push(() => running.close());
  return running;
}

describe('a management router without authorize', () => {
  it('cannot be made, in any framework: the API never runs unauthenticated', async () => {
    const { admin } = await startHarness(MEMORY);
    const makers: [string, () => unknown][] = [
      ['webhookAdminRouter', () => webhookAdminRouter(admin, {} as never)],
      ['webhookAdminRoutes', () => webhookAdminRoutes(admin, {} as never)],
      ['HookspecAdminModule.register', () => HookspecAdminModule.register({ admin } as never)],
    ];
    for (const [name, make] of makers) {
      expect(make, name).toThrow(WebhookAdminError);
      expect(make, name).toThrow(
        expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('authorize is required') }),
      );
    }
  });

  it('refuses a misspelled option with a did-you-mean, and an admin that is not one', async () => {
    const { admin } = await startHarness(MEMORY);
    expect(() => webhookAdminRouter(admin, { authorise: () => null } as never)).toThrow(
      expect.objectContaining({ code: 'unknown-option', message: expect.stringContaining("did you mean 'authorize'") }),
    );
    expect(() => webhookAdminRoutes({} as WebhookAdmin, { authorize: () => null })).toThrow(
      expect.objectContaining({ code: 'invalid-option', message: expect.stringContaining('must be a WebhookAdmin') }),
    );
  });
});

describe('authorize', () => {
  it("is given the framework's own request, and decides the owner alone", async () => {
    const { admin } = await startHarness(MEMORY);
    await admin.createEndpoint('acct_A', { url: 'http://127.0.0.1:9/a' });
    const seen: string[] = [];
    const app = express();
    app.use((req, _res, next) => {
      (req as typeof req & { account?: string }).account = 'acct_A';
      next();
    });
    app.use(
      '/webhooks',
      webhookAdminRouter(admin, {
        authorize: (req) => {
          seen.push(`${req.baseUrl} ${typeof req.get}`);
          return (req as typeof req & { account?: string }).account;
        },
      }),
    );
    const server = app.listen(0, '127.0.0.1');
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks`;
    const reply = await call(base, 'GET', '/endpoints');
    expect((reply.json?.data as { owner: string }[]).map((endpoint) => endpoint.owner)).toEqual(['acct_A']);
    expect(seen).toEqual(['/webhooks function']);

    // Fastify: a hook of the app's sets what authorize reads, on Fastify's own request.
    const fastify = Fastify();
    fastify.decorateRequest('account', '');
    fastify.addHook('onRequest', async (request) => {
      (request as FastifyRequest & { account: string }).account = 'acct_A';
    });
    fastify.register(
      webhookAdminRoutes(admin, {
        authorize: (request) => {
          seen.push(`${request.method} ${typeof request.server}`);
          return (request as FastifyRequest & { account: string }).account;
        },
      }),
      { prefix: '/webhooks' },
    );
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => fastify.close());
    const fastifyBase = `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}/webhooks`;
    const fromFastify = await call(fastifyBase, 'GET', '/endpoints');
    expect((fromFastify.json?.data as { owner: string }[]).map((endpoint) => endpoint.owner)).toEqual(['acct_A']);
    expect(seen).toEqual(['/webhooks function', 'GET object']);
  });

  it('runs before the body is read: an unauthenticated 2 MiB body is a 401, not a 413', async () => {
    const { admin } = await startHarness(MEMORY);
    for (const start of [expressAdmin, fastifyAdmin]) {
      const server = await started(start(admin));
      const reply = await call(server.url, 'POST', '/endpoints', {
        raw: JSON.stringify({ url: 'x'.repeat(2 * 1024 * 1024) }),
        headers: { 'content-type': 'application/json' },
      });
      expect({ framework: server.name, status: reply.status, code: reply.json?.code }).toEqual({
        framework: server.name,
        status: 401,
        code: 'unauthorized',
      });
    }
  });

  it("reports a failing authorize to the framework's logger by default, and answers nothing of it", async () => {
    const { admin } = await startHarness(MEMORY);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const app = express();
    app.use(
      '/webhooks',
      webhookAdminRouter(admin, { authorize: () => Promise.reject(new Error('token service down')) }),
    );
    const server = app.listen(0, '127.0.0.1');
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await new Promise((resolve) => server.once('listening', resolve));
    const reply = await call(
      `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks`,
      'GET',
      '/messages',
    );
    expect({ status: reply.status, code: reply.json?.code }).toEqual({ status: 500, code: 'internal-error' });
    expect(reply.text).not.toContain('token service');
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('GET /webhooks/messages failed with an internal error'),
      expect.objectContaining({ message: 'token service down' }),
    );
  });
});

/** Sets `req.user` from `x-user`, as a passport guard would, and refuses requests without it. */
@Injectable()
class UserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<IncomingMessage & { user?: { account: string } }>();
    const account = req.headers['x-user'];
    if (typeof account !== 'string') return false;
    req.user = { account };
    return true;
  }
}

describe('HookspecAdminModule', () => {
  it("goes through the app's guards first: the module's own, and global ones", async () => {
    const { admin } = await startHarness(MEMORY);
    const nest = await started(nestAdmin(admin));
    const blocked = await call(nest.url, 'GET', '/endpoints', {
      token: 'owner:acct_A',
      headers: { 'x-blocked': 'yes' },
    });
    expect(blocked.status).toBe(403);
    expect(blocked.json?.code).toBeUndefined();

    /** A global guard refusing every request: APP_GUARD in any module applies to the admin's controller. */
    @Injectable()
    class ClosedGuard implements CanActivate {
      canActivate(): boolean {
        return false;
      }
    }
    const authorize = vi.fn(() => 'acct_A');
    const app = await startNestApp(
      {
        imports: [HookspecAdminModule.register({ admin, authorize })],
        providers: [{ provide: APP_GUARD, useClass: ClosedGuard }],
      },
      {},
    );
    closers.push(() => app.close());
    expect((await call(`${app.url}/webhooks`, 'GET', '/endpoints')).status).toBe(403);
    expect(authorize).not.toHaveBeenCalled();
  });

  it('reads the owner from what a guard set on the request, and is built by registerAsync from DI', async () => {
    const { admin } = await startHarness(MEMORY);
    await admin.createEndpoint('acct_U', { url: 'http://127.0.0.1:9/u' });
    const ADMIN = Symbol('admin');
    @Module({ providers: [{ provide: ADMIN, useValue: admin }], exports: [ADMIN] })
    class AdminProviderModule {}
    const app = await startNestApp(
      {
        imports: [
          HookspecAdminModule.registerAsync({
            path: 'api/hooks',
            guards: [UserGuard],
            imports: [AdminProviderModule],
            inject: [ADMIN],
            useFactory: (injected: WebhookAdmin) => ({
              admin: injected,
              authorize: (req) => (req.user as { account: string }).account,
            }),
          }),
        ],
      },
      {},
    );
    closers.push(() => app.close());
    const base = `${app.url}/api/hooks`;
    expect((await call(base, 'GET', '/endpoints')).status).toBe(403);
    const listed = await call(base, 'GET', '/endpoints', { headers: { 'x-user': 'acct_U' } });
    expect((listed.json?.data as { owner: string }[]).map((endpoint) => endpoint.owner)).toEqual(['acct_U']);
  });

  it('refuses a factory result without authorize when the app starts', async () => {
    const { admin } = await startHarness(MEMORY);
    await expect(
      startNestApp({ imports: [HookspecAdminModule.registerAsync({ useFactory: () => ({ admin }) as never })] }, {}),
    ).rejects.toMatchObject({ name: 'WebhookAdminError', code: 'invalid-option' });
  });
});
