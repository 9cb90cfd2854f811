import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import express from 'express';
import Fastify from 'fastify';
import { WebhookAdminError } from 'hookspec';
import type { AdminAuthorization, WebhookAdmin } from 'hookspec';
import { webhookAdminRouter } from '../../../lib/frameworks/express';
import { webhookAdminRoutes } from '../../../lib/frameworks/fastify';
import { HookspecAdminModule } from '../../../lib/frameworks/nestjs';
import { startNestApp } from '../../frameworks/nestjs/nest-app';

/** Where the table mounts the API in every framework. */
export const BASE = '/webhooks';

/**
 * The tests' authentication, from `authorization: Bearer <token>`: `owner:<id>` acts for that owner,
 * `app` for the app's own scope (null), `nobody` is known but not allowed (false), `throw` is a bug in the
 * app's authorize, `forbidden-error` a refusal thrown with a message; no header is not authenticated.
 */
export function authorizeByToken(headers: IncomingMessage['headers']): AdminAuthorization {
  const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
  if (token === undefined) return undefined;
  if (token === 'app') return null;
  if (token === 'nobody') return false;
  if (token === 'throw') throw new Error('the session store is down (internal detail)');
  if (token === 'forbidden-error') throw new WebhookAdminError('forbidden', 'Your plan has no webhook management.');
  if (token === 'bad-owner') return 42 as unknown as AdminAuthorization;
  return token.startsWith('owner:') ? token.slice('owner:'.length) : undefined;
}

export interface AdminServer {
  readonly name: string;
  /** `http://127.0.0.1:<port>/webhooks` */
  readonly url: string;
  /** Errors the adapter reported through `onError`. */
  readonly reported: unknown[];
  close(): Promise<void>;
}

export type AdminServerFactory = (admin: WebhookAdmin) => Promise<AdminServer>;

export async function expressAdmin(admin: WebhookAdmin, { withJsonParser = false } = {}): Promise<AdminServer> {
  const reported: unknown[] = [];
  const app = express();
  if (withJsonParser) app.use(express.json());
  app.use(
    BASE,
    webhookAdminRouter(admin, {
      authorize: (req) => authorizeByToken(req.headers),
      onError: (error) => reported.push(error),
    }),
  );
  const server = createServer(app).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name: withJsonParser ? 'Express after express.json()' : 'Express',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE}`,
    reported,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function fastifyAdmin(admin: WebhookAdmin): Promise<AdminServer> {
  const reported: unknown[] = [];
  const app = Fastify();
  app.register(
    webhookAdminRoutes(admin, {
      authorize: (request) => authorizeByToken(request.headers),
      onError: (error) => reported.push(error),
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

/** A guard that refuses requests carrying `x-blocked: yes`, as an app's own guard would. */
@Injectable()
export class BlockingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<IncomingMessage>().headers['x-blocked'] !== 'yes';
  }
}

export async function nestAdmin(admin: WebhookAdmin): Promise<AdminServer> {
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
        }),
      ],
    },
    {},
  );
  return { name: 'Nest', url: `${app.url}${BASE}`, reported, close: () => app.close() };
}

export const FRAMEWORKS: readonly AdminServerFactory[] = [expressAdmin, fastifyAdmin, nestAdmin];

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

export interface CallOptions {
  /** A value to send as JSON, or the exact bytes to send. */
  readonly body?: unknown;
  readonly raw?: string | Buffer;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** One request to the API at `base`; the token goes in `authorization: Bearer`. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | Buffer | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
